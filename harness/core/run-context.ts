// What a process running scenarios needs to know about its run (time scale, site file, seed, images, the repeat
// it runs, a wrong site to run on purpose), passed down from the command line to each worker as one encoded value.

import { HarnessError } from './errors.js';
import { checkSite } from './site-file.js';
import { DEFAULT_SITE, type SiteConfig, type SiteImages } from './site-config.js';
import type { NodeName, Policy, Timers } from '../../images/protocol/index.js';

/** The images a topology runs, found or built by the set-up. */
export interface ImageSet {
  toxiproxy: string;
  standin: string;
  echo: string;
  /** Holds a node's network namespace while the node's own container is killed or restarted. */
  holder: string;
}

/** Settings given to the stand-ins only, not to the expectations: a wrong site, to prove the suites catch it. */
export interface StandinOverrides {
  timers?: Partial<Timers>;
  policy?: Partial<Policy>;
}

export interface RunContext {
  /** 1 = real time (nightly runs), 0.05 = CI. */
  timeScale: number;
  /** The site, resolved and checked by the process that read the site file; real-time values. */
  site: SiteConfig;
  /** The site file's name ("default" without one). */
  siteFile: string;
  seed: number;
  /** Which repeat this process runs (0-based) and how many the run has: the fault phases are spread over them. */
  repeat: number;
  repeats: number;
  images: ImageSet | null;
  standinOverrides: StandinOverrides | null;
  /**
   * What an upgrade scenario (the rolling-upgrade family) upgrades from and to: in `validate`'s candidate run, from the
   * baseline's images to the candidate's. Absent: from the site's own images to the same (an upgrade in place).
   */
  upgrade?: { from: SiteImages; to: SiteImages; versions?: Partial<Record<NodeName, string>> } | null;
}

/**
 * The one environment variable a process running scenarios is handed its run in: the whole RunContext as JSON, the
 * checked site included, so a worker runs exactly the site its parent checked (it never reads the site file again).
 */
export const RUN_CONTEXT_ENV = 'CMSHA_RUN_CONTEXT';

/**
 * The variable a run hands its id down in, to its workers (and a test to the run it starts): every topology of the
 * run is labelled with it, so a sweep can tell a live run's sites from a dead one's.
 */
export const RUN_ID_ENV = 'CMSHA_RUN_ID';

/** The run id this process inherited, if any. */
export function inheritedRunId(): string | undefined {
  return process.env[RUN_ID_ENV];
}

/** Checks a time scale given by a person; `where` names the option or file it came from. */
export function parseTimeScale(raw: string, where: string): number {
  const value = Number(raw);
  if (!(raw.trim() !== '' && Number.isFinite(value) && value > 0 && value <= 10)) {
    throw new HarnessError(
      'BAD_CONFIG',
      `${where}: time scale "${raw}" is invalid. Give a number in (0, 10], e.g. 1 (real time) or 0.05 (CI).`,
      {
        details: { option: 'timeScale', value: raw },
      },
    );
  }
  return value;
}

/** Checks a seed given by a person: a whole number 0 … 2^32-1. */
export function parseSeed(raw: string, where: string): number {
  const value = Number(raw);
  if (!(raw.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff)) {
    throw new HarnessError(
      'BAD_INPUT',
      `${where}: seed "${raw}" is invalid. Give a whole number from 0 to 4294967295 (the seed a report shows).`,
      {
        details: { option: 'seed', value: raw },
      },
    );
  }
  return value;
}

/** A run of the default site at real time, seed 1, without images: what a process started by hand runs. */
export function defaultRunContext(): RunContext {
  return {
    timeScale: 1,
    site: structuredClone(DEFAULT_SITE) as SiteConfig,
    siteFile: 'default',
    seed: 1,
    repeat: 0,
    repeats: 1,
    images: null,
    standinOverrides: null,
  };
}

/** The run context as the text a child process receives. */
export function encodeRunContext(context: RunContext): string {
  return JSON.stringify(context);
}

/** Reads a run context back, checking it as a site file is checked; `where` names where the text came from. */
export function decodeRunContext(text: string, where: string): RunContext {
  let raw: Partial<RunContext>;
  try {
    raw = JSON.parse(text) as Partial<RunContext>;
  } catch (cause) {
    throw new HarnessError('BAD_CONFIG', `${where} is not valid JSON: ${(cause as Error).message}`, { cause, details: { where } });
  }
  const count = (field: 'repeat' | 'repeats', min: number): number => {
    const value = raw[field];
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= min))
      throw new HarnessError('BAD_CONFIG', `${where}: ${field} ${JSON.stringify(value)} is not a whole number ≥ ${min}`);
    return value;
  };
  if (raw.site === undefined) throw new HarnessError('BAD_CONFIG', `${where}: no site`);
  return {
    timeScale: parseTimeScale(String(raw.timeScale), `${where}: timeScale`),
    site: checkSite(raw.site, `${where}: site`),
    siteFile: String(raw.siteFile ?? 'default'),
    seed: parseSeed(String(raw.seed), `${where}: seed`),
    repeat: count('repeat', 0),
    repeats: count('repeats', 1),
    images: raw.images ?? null,
    standinOverrides: raw.standinOverrides ?? null,
    upgrade: raw.upgrade ?? null,
  };
}

/** The run context this process was started with, or the default one. */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const text = env[RUN_CONTEXT_ENV];
  return text ? decodeRunContext(text, RUN_CONTEXT_ENV) : defaultRunContext();
}

/** The environment that hands a run context to a child process. */
export function runContextEnv(context: RunContext): Record<string, string> {
  return { [RUN_CONTEXT_ENV]: encodeRunContext(context) };
}
