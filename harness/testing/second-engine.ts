// A second Docker engine on this machine, for the pool's integration tests: its own socket, data root, exec root, pid
// file, config file and containerd namespaces, no default bridge, an address pool that cannot collide with the default
// engine's, and no iptables rules of its own. Started and waited for, stopped, killed outright (kill -9, the test's
// dead engine) and started again on its data root (whose start-up then sweeps what the kill left).
//
// Needs root and dockerd (Debian's docker.io). The data root persists between runs, so the images are built on it once.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../core/errors.js';
import { LOG_DIR } from '../core/paths.js';
import { waitFor } from '../core/poll.js';
import { connectDocker, pingEngine, type DockerClient } from '../docker/client.js';

export interface SecondEngineOptions {
  /** Names its folders, containerd namespaces and iptables rule: a-z, 0-9 and dashes. */
  name: string;
  /**
   * Its address pool, carved in /24s: two internal networks a site. The default 10.213.0.0/16 lies outside Docker's
   * default pools (172.17–31.0.0/16, 192.168.0.0/16), which the default engine draws from.
   */
  pool?: string;
  /** Default /var/lib/cmsha-engines/<name>: next to the default engine's, so the same storage driver works there. */
  dataRoot?: string;
}

/** How long a fresh dockerd may take to answer (it starts containerd, loads its images and networks). */
const START_MS = 60_000;
/** How long a graceful stop may take: it stops the containers still running first. */
const STOP_MS = 30_000;

export class SecondEngine {
  readonly name: string;
  readonly pool: string;
  readonly dataRoot: string;
  /** Short on purpose: a unix socket path holds at most 107 bytes, and containerd's shims put theirs under it. */
  readonly runDir: string;
  readonly socket: string;
  /** As DOCKER_HOST or --engine take it. */
  readonly url: string;
  readonly log: string;
  #daemon: ChildProcess | null = null;
  #exited: Promise<void> | null = null;

  private constructor(options: SecondEngineOptions) {
    if (!/^[a-z0-9-]{1,30}$/.test(options.name))
      throw new HarnessError('BAD_INPUT', `SecondEngine name "${options.name}": use 1–30 of a-z, 0-9 and dashes.`);
    this.name = options.name;
    this.pool = options.pool ?? '10.213.0.0/16';
    this.dataRoot = options.dataRoot ?? join('/var/lib/cmsha-engines', options.name);
    this.runDir = join('/run/cmsha-engines', options.name);
    this.socket = join(this.runDir, 'docker.sock');
    this.url = `unix://${this.socket}`;
    this.log = join(LOG_DIR, `dockerd-${options.name}.log`);
  }

  /** Starts a second engine and waits until it answers. */
  static async start(options: SecondEngineOptions): Promise<SecondEngine> {
    const engine = new SecondEngine(options);
    await engine.start();
    return engine;
  }

  /** Whether its dockerd runs (started, and neither stopped nor killed since). */
  get running(): boolean {
    return this.#daemon !== null;
  }

  /** A client of this engine. */
  client(): DockerClient {
    return connectDocker(this.url);
  }

  /** Starts dockerd (again, on the same data root after a stop or a kill) and waits until it answers. */
  async start(): Promise<void> {
    if (this.#daemon) return;
    if (process.getuid?.() !== 0)
      throw new HarnessError(
        'DOCKER_UNAVAILABLE',
        'A second Docker engine needs root (dockerd makes bridges and mounts): run the test as root.',
      );
    for (const dir of [this.dataRoot, this.runDir, LOG_DIR]) mkdirSync(dir, { recursive: true });
    // Its own config file: the default /etc/docker/daemon.json may set hosts or a data root these flags would clash with.
    const config = join(this.runDir, 'daemon.json');
    writeFileSync(config, '{}\n');
    this.#removeStalePidFile();
    await this.#openForward();
    const out = openSync(this.log, 'a');
    const daemon = spawn(
      'dockerd',
      [
        `--host=${this.url}`,
        `--data-root=${this.dataRoot}`,
        `--exec-root=${join(this.runDir, 'exec')}`,
        `--pidfile=${join(this.runDir, 'docker.pid')}`,
        `--config-file=${config}`,
        // Its containers apart from the default engine's, whether it shares the host's containerd or runs its own.
        `--containerd-namespace=${this.name}`,
        `--containerd-plugins-namespace=${this.name}-plugins`,
        // No docker0 of its own, no rules in the host's iptables (the default engine owns those), its own pool.
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false',
        `--default-address-pool=base=${this.pool},size=24`,
        '--log-level=warn',
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    daemon.unref(); // stopped by stop(), or by the exit hook below: it never keeps the test process alive by itself
    this.#daemon = daemon;
    this.#exited = new Promise((resolve) => daemon.once('exit', () => resolve()));
    void this.#exited.then(() => {
      if (this.#daemon === daemon) this.#daemon = null;
    });
    // If the test process goes, its engine goes too (gracefully: it stops its containers).
    process.once('exit', () => {
      if (this.#daemon === daemon && daemon.pid) process.kill(daemon.pid, 'SIGTERM');
    });
    const client = this.client();
    const answered = waitFor(() => pingEngine(client, 2_000).catch(() => undefined), {
      deadlineMs: START_MS,
      label: `dockerd ${this.name} to answer at ${this.url} (log: ${this.log})`,
      intervalsMs: [100, 250, 500],
    });
    // A dockerd that exits at start (a flag it does not know, a pid file in use) says why in its log: no need to wait.
    const died = this.#exited.then(() => {
      throw new HarnessError('DOCKER_UNAVAILABLE', `dockerd ${this.name} exited at start; the end of ${this.log}:\n${this.#logTail()}`);
    });
    died.catch(() => undefined);
    answered.catch(() => undefined);
    await Promise.race([answered, died]);
  }

  /** kill -9 of its dockerd, at once: the engine stops answering, as after a crash (its containers' shims live on). */
  kill(): void {
    const pid = this.#daemon?.pid;
    if (pid === undefined) throw new HarnessError('BAD_INPUT', `dockerd ${this.name} is not running: nothing to kill.`);
    process.kill(pid, 'SIGKILL');
  }

  /** Resolves once its dockerd has exited (after a kill). */
  async exited(): Promise<void> {
    await this.#exited;
  }

  /** Stops its dockerd gracefully (SIGTERM; SIGKILL after 30 s) and takes its iptables rule away. Safe to call twice. */
  async stop(): Promise<void> {
    const daemon = this.#daemon;
    if (daemon?.pid !== undefined) {
      daemon.kill('SIGTERM');
      const stopped = await Promise.race([this.#exited!.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_MS))]);
      if (!stopped) daemon.kill('SIGKILL');
      await this.#exited;
    }
    await this.#closeForward();
  }

  /**
   * The host's FORWARD chain drops what no rule accepts (the default engine sets its policy to DROP), and bridged
   * traffic passes through it (br_netfilter): without the rules this engine does not make, two containers on one of its
   * networks could not talk. One rule accepts traffic within its pool, and nothing else.
   */
  async #openForward(): Promise<void> {
    const rule = this.#forwardRule();
    const present = await execa('iptables', ['-C', ...rule], { reject: false });
    if (present.exitCode !== 0) await execa('iptables', ['-I', ...rule.slice(0, 1), '1', ...rule.slice(1)], { reject: false });
  }

  async #closeForward(): Promise<void> {
    await execa('iptables', ['-D', ...this.#forwardRule()], { reject: false });
  }

  #forwardRule(): string[] {
    return ['FORWARD', '-s', this.pool, '-d', this.pool, '-m', 'comment', '--comment', `cmsha-second-engine:${this.name}`, '-j', 'ACCEPT'];
  }

  /** A killed dockerd leaves its pid file; a new one refuses to start while that pid lives (it may be reused). */
  #removeStalePidFile(): void {
    const file = join(this.runDir, 'docker.pid');
    if (!existsSync(file)) return;
    const pid = Number(readFileSync(file, 'utf8').trim());
    const alive =
      Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
    if (!alive) rmSync(file, { force: true });
  }

  #logTail(): string {
    try {
      return readFileSync(this.log, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
