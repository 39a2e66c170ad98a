// What a process running scenarios needs to know about its run (time scale, site file, seed, images, the repeat
// it runs, a wrong site to run on purpose), passed down from the command line through the environment.

import { HarnessError } from './errors.js';
import { loadSiteFile } from './site-file.js';
import type { SiteConfig } from './site-config.js';
import type { Policy, Timers } from '../../images/protocol/index.js';

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
  site: SiteConfig;
  /** The site file's name ("default" without one). */
  siteFile: string;
  seed: number;
  /** Which repeat this process runs (0-based) and how many the run has: the fault phases are spread over them. */
  repeat: number;
  repeats: number;
  images: ImageSet | null;
  standinOverrides: StandinOverrides | null;
}

export const ENV = {
  timeScale: 'CMSHA_TIME_SCALE',
  siteFile: 'CMSHA_SITE_FILE',
  seed: 'CMSHA_SEED',
  repeat: 'CMSHA_REPEAT',
  repeats: 'CMSHA_REPEATS',
  images: 'CMSHA_IMAGES',
  standinOverrides: 'CMSHA_STANDIN_OVERRIDES',
} as const;

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

function json<T>(env: NodeJS.ProcessEnv, key: string): T | null {
  const raw = env[key];
  if (raw === undefined || raw === '') return null;
  try {
    return JSON.parse(raw) as T;
  } catch (cause) {
    throw new HarnessError('BAD_CONFIG', `${key} is not valid JSON: ${(cause as Error).message}`, { cause, details: { variable: key } });
  }
}

/** Reads the run context from the environment; the defaults are a run of the default site at real time, seed 1. */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const { site, timeScale: fileScale, name } = loadSiteFile(env[ENV.siteFile] || null);
  const scaleRaw = env[ENV.timeScale];
  const timeScale = scaleRaw ? parseTimeScale(scaleRaw, ENV.timeScale) : (fileScale ?? 1);
  return {
    timeScale,
    site,
    siteFile: name,
    seed: env[ENV.seed] ? parseSeed(env[ENV.seed]!, ENV.seed) : 1,
    repeat: Number(env[ENV.repeat] ?? 0),
    repeats: Math.max(1, Number(env[ENV.repeats] ?? 1)),
    images: json<ImageSet>(env, ENV.images),
    standinOverrides: json<StandinOverrides>(env, ENV.standinOverrides),
  };
}

/** The environment variables that hand a run context to a child process. */
export function runContextEnv(ctx: Omit<RunContext, 'site' | 'siteFile'> & { siteFilePath: string | null }): Record<string, string> {
  return {
    [ENV.timeScale]: String(ctx.timeScale),
    [ENV.siteFile]: ctx.siteFilePath ?? '',
    [ENV.seed]: String(ctx.seed),
    [ENV.repeat]: String(ctx.repeat),
    [ENV.repeats]: String(ctx.repeats),
    [ENV.images]: ctx.images === null ? '' : JSON.stringify(ctx.images),
    [ENV.standinOverrides]: ctx.standinOverrides === null ? '' : JSON.stringify(ctx.standinOverrides),
  };
}
