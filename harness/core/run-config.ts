// The run configuration suites read: time scale, timer and policy overrides. It comes from the CLI,
// through the environment, so mocha suites in the same process and child processes see the same values.

import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, DEFAULT_TIMERS, type Policy, type Timers } from '../../images/protocol/index.js';
import { HarnessError } from './errors.js';

export interface RunConfig {
  /** Multiplies every timer: 1 = real time (nightly runs), 0.05 = CI. Env CMSHA_TIME_SCALE. Default 1. */
  timeScale: number;
  /** Real-time timers (before scaling). Defaults: DESIGN.md §1. */
  timers: Timers;
  policy: Policy;
}

export const TIME_SCALE_ENV = 'CMSHA_TIME_SCALE';
export const CONFIG_FILE_ENV = 'CMSHA_CONFIG_FILE';

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

/** Reads CMSHA_CONFIG_FILE (JSON: { timeScale?, timers?, policy? }) and CMSHA_TIME_SCALE (wins over the file). */
export function loadRunConfig(env: NodeJS.ProcessEnv = process.env): RunConfig {
  let file: { timeScale?: unknown; timers?: Partial<Timers>; policy?: Partial<Policy> } = {};
  const path = env[CONFIG_FILE_ENV];
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch (cause) {
      throw new HarnessError(
        'BAD_CONFIG',
        `Configuration file ${path} cannot be read as JSON: ${(cause as Error).message}. Fix the file or drop --config.`,
        {
          cause,
          details: { file: path },
        },
      );
    }
    for (const key of Object.keys(file)) {
      if (!['timeScale', 'timers', 'policy'].includes(key)) {
        throw new HarnessError('BAD_CONFIG', `Configuration file ${path}: unknown key "${key}". Known keys: timeScale, timers, policy.`, {
          details: { file: path, key },
        });
      }
    }
  }
  const scaleRaw = env[TIME_SCALE_ENV] ?? (file.timeScale === undefined ? '1' : String(file.timeScale));
  const timeScale = parseTimeScale(scaleRaw, env[TIME_SCALE_ENV] ? TIME_SCALE_ENV : (path ?? 'default'));
  return {
    timeScale,
    timers: { ...DEFAULT_TIMERS, ...file.timers },
    policy: { ...DEFAULT_POLICY, ...file.policy },
  };
}
