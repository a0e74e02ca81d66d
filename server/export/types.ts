/** Kept so the engine's many imports of './types' stay put; the definitions live in server/protocol/export.ts. */
export * from '../protocol/export';
