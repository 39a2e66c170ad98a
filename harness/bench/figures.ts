// The bench's model, pure: a figure (one measured quantity with its samples, unit and the command that made it), the
// measurement it is charted in, the targets figures are held to, and bench.json. Statistics come from simple-statistics.

import { max, mean, median, min, quantile, standardDeviation } from 'simple-statistics';

export const BENCH_SCHEMA = 1;

export type Unit = 'ms' | '×' | 'MB/s' | 'MiB' | '% of interval' | 'topologies';

export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Sample standard deviation; 0 with one sample. */
  sd: number;
}

export interface Figure extends Stats {
  /** Unique, dotted: "site-up.compose". */
  id: string;
  /** The measurement (one chart) it belongs to. */
  measurement: string;
  /** Its row in the chart and the table: "docker-compose". */
  label: string;
  unit: Unit;
  /** What produced the samples: the code or command line, with its parameters. */
  command: string;
  samples: number[];
  note?: string;
}

/** One chart of the page: its figures side by side on one axis. */
export interface Measurement {
  id: string;
  title: string;
  /** What is measured, from when to when, in words. */
  description: string;
  unit: Unit;
  /** A limit drawn on the chart (a target), on the measurement's unit. */
  limit?: { value: number; label: string };
}

export interface Target {
  id: string;
  /** The requirement in words, with its limit: "site up at most 1.0× docker-compose". */
  text: string;
  /** The measured value it is judged on, in its unit, and the limit. null: not measured in this run. */
  value: number | null;
  limit: number;
  /** Which side of the limit meets it. */
  direction: 'at-most' | 'at-least';
  unit: Unit;
  met: boolean | null;
  /** How the value was taken, and for a miss what dominates the time (measured). */
  detail: string;
  breakdown: string[];
}

export interface BenchResult {
  schema: typeof BENCH_SCHEMA;
  /** The command that made this file. */
  command: string;
  quick: boolean;
  startedAt: string;
  endedAt: string;
  wallMs: number;
  machine: { cores: number; node: string; docker: string | null; platform: string };
  /** The images every measurement ran (their tags hash what went in): a stand-in that changed, changes the figures. */
  images: Record<string, string>;
  measurements: Measurement[];
  figures: Figure[];
  targets: Target[];
  /** Families that failed, definitions and odd things seen while measuring. */
  notes: string[];
}

/** n, min, median, p95, p99, max, mean and standard deviation of some samples (all 0 with none). */
export function statsOf(samples: readonly number[]): Stats {
  const values = samples.filter((v) => Number.isFinite(v));
  if (values.length === 0) return { n: 0, min: 0, median: 0, p95: 0, p99: 0, max: 0, mean: 0, sd: 0 };
  return {
    n: values.length,
    min: min(values),
    median: median(values),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: max(values),
    mean: mean(values),
    sd: values.length > 1 ? standardDeviation(values) : 0,
  };
}

export function figureOf(fields: Omit<Figure, keyof Stats | 'samples'>, samples: readonly number[]): Figure {
  return { ...fields, ...statsOf(samples), samples: [...samples] };
}

/**
 * Paired ratios a[i] / b[i] of two series measured side by side (interleaved rounds): each pair shares the machine's
 * state at that moment, so their ratio holds on a noisy machine where the raw times drift.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`paired ratios need series of one length, got ${a.length} and ${b.length}`);
  return a.map((value, i) => value / b[i]!);
}

/** A target judged on its value against its limit; not measured when there is no value. */
export function judge(target: Omit<Target, 'met'>): Target {
  if (target.value === null) return { ...target, met: null };
  return { ...target, met: target.direction === 'at-most' ? target.value <= target.limit : target.value >= target.limit };
}

export function findFigure(figures: readonly Figure[], id: string): Figure | undefined {
  return figures.find((f) => f.id === id);
}
