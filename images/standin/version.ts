// Software versions of the stand-ins: which one a process reports, and how two compare.
// A version is dot-separated whole numbers ("16.4.0"); parts compare numerically, a missing part counts as 0.

import { DEFAULT_VERSION, VERSION_ENV } from '../protocol/index.js';

const VERSION = /^\d+(\.\d+)*$/;

export function isVersion(v: unknown): v is string {
  return typeof v === 'string' && VERSION.test(v);
}

/** Negative when a is older than b, 0 when the same, positive when newer ("16.10" is newer than "16.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The configured version, else the image's (its build argument CMSHA_VERSION), else DEFAULT_VERSION. */
export function effectiveVersion(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (configured !== undefined) return configured;
  const fromImage = env[VERSION_ENV];
  if (fromImage === undefined || fromImage === '') return DEFAULT_VERSION;
  if (!isVersion(fromImage)) throw new Error(`${VERSION_ENV}: ${JSON.stringify(fromImage)} is not a version (dot-separated numbers)`);
  return fromImage;
}
