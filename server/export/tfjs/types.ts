/**
 * What a TF.js conversion produces. Its own file so that verify.ts (which runs a conversion) and
 * index.ts (which makes one and re-exports verify) do not import each other.
 */
import type { signatureOf, TfjsReport } from './convert';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}
export interface TfjsModelJson {
  format: 'graph-model';
  generatedBy: string;
  convertedBy: string;
  modelTopology: { node: unknown[]; library: Record<string, never>; versions: { producer: number } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  signature: ReturnType<typeof signatureOf>;
}
export interface TfjsConversion {
  modelJson: TfjsModelJson;
  weightData: Uint8Array;
  weightSpecs: WeightSpec[];
  report: TfjsReport;
}
