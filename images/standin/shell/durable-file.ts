// Keeps a small JSON state on disk so it survives a restart of the process or of its container. Written
// atomically (temp file, fsync, rename, fsync of the folder): a crash leaves the old state or the new one, never half.

import fs from 'node:fs';
import path from 'node:path';

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

/** Synchronous on purpose: the caller carries out nothing that depends on this state before it is on disk. */
export function writeJsonFileAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(value));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  // The rename itself is durable only once the folder is synced.
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
