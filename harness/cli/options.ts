// The options several commands of `cmsha` share, each declared once: its flags, its parser and its default. A command
// words what the option means for it (the help says "the time scale of both runs" where that is what it is).

import { InvalidArgumentError, Option } from 'commander';
import { HarnessError } from '../core/errors.js';
import { parseSeed } from '../core/run-context.js';

/** A parser of a whole number ≥ `min`; anything else is a usage error naming the option. */
export const integer = (name: string, min: number) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${raw}".`);
  return value;
};

/** --parallel: a number of sites, or "auto" (measured on the machine when the command runs). */
export function parallelValue(raw: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  return integer('--parallel', 1)(raw);
}

/** --time-scale <n>: read by siteOf() with the site file's own, so it has no default here. */
export const timeScaleOption = (description: string): Option => new Option('--time-scale <n>', description);

/** --parallel <n|auto>, default auto. */
export const parallelOption = (description = 'sites at once'): Option =>
  new Option('--parallel <n|auto>', description).argParser(parallelValue).default('auto');

/** --repeat <n>: a whole number ≥ 1. */
export const repeatOption = (description: string, times: number): Option =>
  new Option('--repeat <n>', description).argParser(integer('--repeat', 1)).default(times);

/**
 * --seed <n>, read with seedOf(). `fallback` when it is not given: the environment's CMSHA_SEED, a fixed seed, or none
 * (the command then draws one and prints it, or has no use for one).
 */
export const seedOption = (description: string, fallback: 'CMSHA_SEED' | `${number}` | null): Option =>
  new Option('--seed <n>', description).default(fallback === 'CMSHA_SEED' ? process.env['CMSHA_SEED'] : (fallback ?? undefined));

/** The seed an option gave, checked; null when none was. */
export function seedOf(raw: unknown): number | null {
  return raw === undefined ? null : parseSeed(String(raw), '--seed');
}

/** --config <file>: the site file. */
export const configOption = (description = 'the site file'): Option => new Option('--config <file>', description);

/** --out <dir>: where the command writes what it makes. */
export const outOption = (description = 'where reports go', dir = 'reports'): Option => new Option('--out <dir>', description).default(dir);

/** --history <dir>: the history of runs (trends). */
export const historyOption = (description: string): Option => new Option('--history <dir>', description).default('reports/history');

/** --margin-ms <ms>: every timing's equivalence margin in a comparison (read with comparisonOf()). */
export const marginOption = (): Option =>
  new Option(
    '--margin-ms <ms>',
    'equivalence margin of every timing, ms at the runs’ scale (default: half the smallest timer step, 40–80 ms)',
  );

/** --alpha <p>: the family-wise level of a comparison's calls (read with comparisonOf()). */
export const alphaOption = (): Option =>
  new Option('--alpha <p>', 'family-wise level of the calls, Holm over every timing').default('0.05');

/** The comparison settings --margin-ms and --alpha gave, checked. */
export function comparisonOf(options: { marginMs?: string; alpha?: string }): { alpha: number; marginMs?: number } {
  const alpha = Number(options.alpha ?? '0.05');
  if (!(alpha > 0 && alpha <= 0.25))
    throw new HarnessError('BAD_INPUT', `--alpha "${options.alpha}" is invalid: give a probability in (0, 0.25], e.g. 0.05.`);
  const margin = options.marginMs === undefined ? undefined : Number(options.marginMs);
  if (margin !== undefined && !(margin > 0))
    throw new HarnessError('BAD_INPUT', `--margin-ms "${options.marginMs}" is invalid: give a number of milliseconds above 0.`);
  return { alpha, ...(margin === undefined ? {} : { marginMs: margin }) };
}
