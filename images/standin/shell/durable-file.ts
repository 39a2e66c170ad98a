// Keeps a small JSON state on disk so it survives a restart of the process or of its container. Written atomically
// (temp file, then rename): a process killed at any point leaves the old state or the new one, never half of one.

import fs from 'node:fs';

/** The parsed content of `file`, or undefined when there is no such file (a first start). */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): remove it to start afresh`);
  }
}

/**
 * Synchronous on purpose: the caller carries out nothing that depends on this state before it is written. No fsync:
 * what a restart kills is the process, and the kernel keeps what it wrote; a power loss of the host is not what the
 * harness models, and an fsync per change (tens of ms on a container volume) would slow every Admin-Sync step the
 * suites time.
 */
export function writeJsonFileAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
