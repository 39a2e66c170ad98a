#!/usr/bin/env node
// First step of both README commands, in plain JavaScript because it runs before anything is built:
// install node modules when missing or stale, compile the TypeScript when stale, then hand over to the CLI.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const say = (line) => process.stderr.write(`cms-ha-chaos setup: ${line}\n`);

function fail(message) {
  process.stderr.write(`cms-ha-chaos: ${message}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: install Node 20.19 or newer.`);

function newestMtime(dir, accept) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, accept));
    else if (accept(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function run(command, args) {
  try {
    execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    fail(`\`${command} ${args.join(' ')}\` failed (exit ${error.status ?? error.signal}). Fix the error above and run the command again.`);
  }
}

// Node modules: npm ci when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  say('installing node modules (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// TypeScript: compile when any source or the tsconfig is newer than the last successful build.
const stamp = join(root, 'dist', '.build-stamp');
const sources = Math.max(
  ...['harness', 'images', 'suites'].map((dir) => newestMtime(join(root, dir), (name) => name.endsWith('.ts'))),
  statSync(join(root, 'tsconfig.json')).mtimeMs,
);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  say('compiling TypeScript (tsc)');
  // From scratch: a source that was deleted must not leave its compiled file behind (a stale suite would run).
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  writeFileSync(stamp, new Date().toISOString());
}

const cli = await import(pathToFileURL(join(root, 'dist', 'harness', 'cli', 'main.js')).href);
process.exitCode = await cli.main(process.argv.slice(2));
