// Loghub-2k (github.com/logpai/loghub): 16 datasets of 2,000 labelled lines each. For every dataset the
// `<D>/<D>_2k.log_structured.csv` file holds the header fields the benchmark extracted (Content is the
// message) and the ground-truth EventTemplate. We mine the Content column only, as the benchmark does, so
// what is measured is the miner, not our header parsing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MinerOptions, TemplateMiner } from '../miner.ts';
import { parseCsv } from './csv.ts';
import { groupingAccuracy } from './grouping.ts';

/** Drain's grouping accuracy per dataset as published in Zhu et al., ICSE-SEIP 2019 (Table II). */
export const DRAIN_PUBLISHED: Readonly<Record<string, number>> = {
  HDFS: 0.998,
  Hadoop: 0.948,
  Spark: 0.92,
  Zookeeper: 0.967,
  OpenStack: 0.733,
  BGL: 0.963,
  HPC: 0.887,
  Thunderbird: 0.955,
  Windows: 0.997,
  Linux: 0.69,
  Mac: 0.787,
  Android: 0.911,
  HealthApp: 0.78,
  Apache: 1.0,
  OpenSSH: 0.788,
  Proxifier: 0.527,
};

export const DATASETS = Object.keys(DRAIN_PUBLISHED);

export interface DatasetResult {
  dataset: string;
  lines: number;
  truthGroups: number;
  parsedGroups: number;
  accuracy: number;
  drain: number;
}

export function structuredCsv(root: string, dataset: string): string {
  return join(root, dataset, `${dataset}_2k.log_structured.csv`);
}

/** Content and ground-truth template per line. */
export function readStructured(path: string): { content: string[]; truth: string[] } {
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows[0] ?? [];
  const ci = header.indexOf('Content');
  const ti = header.indexOf('EventTemplate');
  if (ci < 0 || ti < 0) throw new Error(`${path}: no Content / EventTemplate column in the header`);
  const content: string[] = [];
  const truth: string[] = [];
  for (const r of rows.slice(1)) {
    if (r.length < header.length) continue;
    content.push(r[ci]!);
    truth.push(r[ti]!);
  }
  return { content, truth };
}

export function evaluateDataset(
  root: string,
  dataset: string,
  opts: Partial<MinerOptions> = {},
): DatasetResult | null {
  const path = structuredCsv(root, dataset);
  if (!existsSync(path)) return null;
  const { content, truth } = readStructured(path);
  const miner = new TemplateMiner(opts);
  // Streaming ids first; the benchmark groups by the cluster each line ends in (ids are kept on generalising).
  const parsed = content.map((c) => miner.add(c).cluster.id);
  return {
    dataset,
    lines: content.length,
    truthGroups: new Set(truth).size,
    parsedGroups: new Set(parsed).size,
    accuracy: groupingAccuracy(truth, parsed),
    drain: DRAIN_PUBLISHED[dataset]!,
  };
}
