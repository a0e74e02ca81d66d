/** The CPU this runs on and the instruction sets that decide whether int8 can be faster than float32. */
import { readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { Machine } from '../protocol/perf-report';

/** Parses `/proc/cpuinfo` text (exported for tests); missing file or fields → all flags false. */
export function parseCpuInfo(text: string): Pick<Machine, 'cpuModel' | 'flags'> {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'mi').exec(text)?.[1]?.trim();
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
  return {
    cpuModel: field('model name') ?? field('Hardware') ?? field('CPU part') ?? '',
    flags: {
      avx2: flags.has('avx2'),
      avx512f: flags.has('avx512f'),
      avx512vnni: flags.has('avx512_vnni'),
      avxvnni: flags.has('avx_vnni'),
      neonDotprod: flags.has('asimddp'),
    },
  };
}

export function describeMachine(): Machine {
  let cpu: Pick<Machine, 'cpuModel' | 'flags'>;
  try {
    cpu = parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    cpu = parseCpuInfo('');
  }
  const f = cpu.flags;
  return {
    cpuModel: cpu.cpuModel || cpus()[0]?.model || 'unknown',
    logicalCores: cpus().length,
    flags: f,
    int8Acceleration: f.avx512vnni || f.avxvnni || f.neonDotprod,
    platform: platform(),
    arch: arch(),
    node: process.version,
    onnxruntime: (ort.env as { versions?: { node?: string; common?: string } }).versions?.node ?? 'unknown',
  };
}
