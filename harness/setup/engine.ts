// Makes sure a Docker engine answers: DOCKER_HOST if set, else the local socket; as root on Debian it
// installs docker.io when missing and starts dockerd in the background, then waits until it answers.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { DEFAULT_ADDRESS, engineAddress, pingEngine, type DockerClient } from '../docker/client.js';
import { HarnessError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import { LOG_DIR } from '../core/paths.js';

export interface EngineReport {
  address: string;
  version: string;
  installed: boolean;
  started: boolean;
}

type Log = (line: string) => void;

async function which(command: string): Promise<string | null> {
  const found = await execa('sh', ['-c', `command -v ${command}`], { reject: false });
  return found.exitCode === 0 ? found.stdout.trim() : null;
}

/** Runs apt-get; its output goes to a log file so a failure can be read afterwards. */
export async function aptInstall(packages: string[], log: Log): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, 'apt.log');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing ${packages.join(', ')} with apt-get (log: ${logFile})`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const result = await execa('apt-get', args, { env, reject: false, all: true });
    await appendFile(logFile, `$ apt-get ${args.join(' ')}\n${result.all ?? ''}\n`);
    if (result.exitCode !== 0) {
      throw new HarnessError('SETUP_FAILED', `apt-get ${args.join(' ')} failed (exit ${result.exitCode}); see ${logFile}.`, {
        details: { packages, logFile },
      });
    }
  }
}

export function canInstallPackages(): boolean {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version');
}

export async function ensureEngine(docker: DockerClient, log: Log): Promise<EngineReport> {
  const address = engineAddress(docker);
  try {
    return { address, version: await pingEngine(docker), installed: false, started: false };
  } catch (error) {
    // Someone pointed us at a specific engine (DOCKER_HOST, or an engine of a pool): starting the local one instead
    // would hide their mistake.
    if (process.env['DOCKER_HOST'] || address !== DEFAULT_ADDRESS) throw error;
  }
  if (!canInstallPackages()) {
    throw new HarnessError(
      'DOCKER_UNAVAILABLE',
      `No Docker engine answers at ${address}, and this set-up can only install and start one as root on Debian. ` +
        'Install Docker and start it (or set DOCKER_HOST to a running engine), then run the command again.',
      { details: { address } },
    );
  }
  let installed = false;
  if (!(await which('dockerd'))) {
    await aptInstall(['docker.io', 'iptables'], log);
    installed = true;
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, 'dockerd.log');
  log(`starting dockerd in the background (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  daemon.unref();
  const { value: version } = await waitFor(() => pingEngine(docker, 2_000).catch(() => undefined), {
    deadlineMs: 60_000,
    label: `dockerd to answer at ${address} (log: ${logFile})`,
    intervalsMs: [100, 250, 500],
  });
  return { address, version, installed, started: true };
}
