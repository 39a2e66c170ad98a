// Where the project keeps what set-up makes: the project root, the git-ignored work folder, its logs.

import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The project root (this file is compiled to dist/harness/core/, three levels below). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const DIST_DIR = join(PROJECT_ROOT, 'dist');
/** Git-ignored: build scratch, logs and the environment facts the reporter reads. */
export const WORK_DIR = join(PROJECT_ROOT, '.cmsha');
export const LOG_DIR = join(WORK_DIR, 'logs');
export const ENVIRONMENT_FILE = join(WORK_DIR, 'environment.json');
