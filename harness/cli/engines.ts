// `--engine URL[#N]` (repeatable): the Docker engines a run deals its executions over, each set up with the images
// (the set-up per engine) and given its capacity, the sites it runs at once: `#N` as given; a local engine as
// --parallel says (auto: measured on this machine, as `--parallel auto` always was, and shared among the local engines,
// which share its CPU); a remote one from the CPUs and memory its engine reports. No --engine: the one engine at
// DOCKER_HOST (else the local socket), --parallel sites at once, as before.

import { InvalidArgumentError } from 'commander';
import { HarnessError } from '../core/errors.js';
import { connectDocker, engineAddress, type DockerClient } from '../docker/client.js';
import type { PoolEngine } from '../jobs/engine-pool.js';
import { runSetup, type SetupReport } from '../setup/index.js';
import { autoParallel, sitesFor } from './parallel.js';

/** An --engine as given: its URL, and its capacity when `#N` gave one. */
export interface EngineOption {
  url: string;
  capacity: number | null;
}

const SCHEMES = ['unix:', 'tcp:', 'ssh:'];

/** Reads one --engine: `unix:///path`, `tcp://host:port` or `ssh://user@host`, optionally `#N` sites at once. */
export function parseEngine(raw: string): EngineOption {
  const [url = '', count, ...rest] = raw.trim().split('#');
  const scheme = /^[a-z]+:/.exec(url)?.[0];
  const capacity = count === undefined ? null : Number(count);
  if (!scheme || !SCHEMES.includes(scheme) || url.length <= scheme.length + 2 || rest.length > 0)
    throw new InvalidArgumentError(
      `--engine "${raw}" is invalid: give an engine as DOCKER_HOST takes it, unix:///path/docker.sock, tcp://host:2376 or ssh://user@host, optionally with #N sites at once (e.g. tcp://10.0.0.5:2376#4).`,
    );
  if (capacity !== null && !(Number.isInteger(capacity) && capacity >= 1))
    throw new InvalidArgumentError(`--engine "${raw}": the sites at once after # must be a whole number ≥ 1, got "${count}".`);
  return { url, capacity };
}

/** commander's collector for the repeatable --engine; an engine given twice is a mistake, said at once. */
export function collectEngine(raw: string, previous: EngineOption[] = []): EngineOption[] {
  const engine = parseEngine(raw);
  if (previous.some((e) => e.url === engine.url))
    throw new InvalidArgumentError(`--engine ${engine.url} is given twice: give each engine once.`);
  return [...previous, engine];
}

/** An engine on this host: its unix socket, or TCP to the loopback. Its sites use this machine's CPU. */
export function isLocalEngine(url: string): boolean {
  return url.startsWith('unix:') || /^tcp:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|$)/.test(url);
}

/**
 * A remote engine's capacity from what its engine reports (its CPUs, as idle cores, and its memory, as free): the
 * rule of `--parallel auto`, without measuring the remote host's load, which this machine cannot see.
 */
export function remoteCapacity(info: { NCPU?: number; MemTotal?: number }, timeScale: number): { capacity: number; why: string } {
  const cpus = info.NCPU ?? 1;
  const memory = info.MemTotal ?? 0;
  const capacity = sitesFor(cpus, timeScale, memory);
  return {
    capacity,
    why: `${capacity} site(s) at once from its ${cpus} CPU(s) and ${(memory / 1024 ** 3).toFixed(1)} GiB (its engine's info; its load is not measured)`,
  };
}

export interface EngineSetUp {
  /** The pool, each engine with its images, capacity and why. */
  engines: PoolEngine[];
  /** The first engine's set-up: the environment and images the run's record names. */
  first: SetupReport;
  /**
   * The same engines with their capacities at another time scale (the exploration after a run: a site at 0.05 takes a
   * core where one at real time takes a quarter), measured again; nothing is set up again.
   */
  atTimeScale(timeScale: number): Promise<PoolEngine[]>;
}

export interface SetUpEnginesOptions {
  /** The engines given; none: the one engine `defaultClient` reaches. */
  given: readonly EngineOption[];
  /** --parallel: the capacity of the local engines without #N. */
  parallel: number | 'auto';
  timeScale: number;
  defaultClient: DockerClient;
  connect?: (url: string) => DockerClient;
  setup?: (client: DockerClient, url: string) => Promise<SetupReport>;
  measure?: (timeScale: number) => Promise<{ parallel: number; why: string }>;
  say?: (line: string) => void;
}

type GivenEngine = EngineOption & { client: DockerClient };

/**
 * Sets up every engine, one after the other (each builds what it lacks; building on two at once would share this
 * machine's CPU and Go caches), and gives each its capacity. Says each engine's capacity and why.
 */
export async function setUpEngines(options: SetUpEnginesOptions): Promise<EngineSetUp> {
  const connect = options.connect ?? ((url: string) => connectDocker(url));
  const setup =
    options.setup ??
    ((client: DockerClient, url: string) =>
      runSetup(client, { log: (line) => process.stderr.write(`cms-ha-chaos setup [${url}]: ${line}\n`) }));
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pooled = options.given.length > 0;
  const given: GivenEngine[] = pooled
    ? options.given.map((e) => ({ ...e, client: connect(e.url) }))
    : [{ url: engineAddress(options.defaultClient), capacity: null, client: options.defaultClient }];
  const reports: SetupReport[] = [];
  for (const engine of given) reports.push(await setup(engine.client, engine.url));
  const first = reports[0];
  if (!first) throw new HarnessError('BAD_INPUT', 'No engine to run on: give --engine, or none for the local engine.');
  const atTimeScale = async (timeScale: number, parallel: number | 'auto' = options.parallel): Promise<PoolEngine[]> => {
    const capacities = await capacitiesOf(given, { pooled, parallel, timeScale, measure: options.measure ?? autoParallel });
    return given.map((engine, i) => {
      const { capacity, why } = capacities[i]!;
      const report = reports[i]!;
      return { url: engine.url, capacity, images: report.images.images, capacityWhy: why, dockerVersion: report.engine.version };
    });
  };
  const engines = await atTimeScale(options.timeScale);
  for (const e of engines) say(`cmsha: engine ${e.url}: ${e.capacity} site(s) at once (${e.capacityWhy})`);
  // Another time scale (the exploration after a run) is measured anew: --parallel was the run's.
  return { engines, first, atTimeScale: (timeScale) => atTimeScale(timeScale, 'auto') };
}

/**
 * Each engine's capacity and why: #N as given; a local engine (or the one engine of a run without --engine) from
 * --parallel, `auto` measured once on this machine and shared by the local engines; a remote one from its engine's info.
 */
async function capacitiesOf(
  given: readonly GivenEngine[],
  options: {
    pooled: boolean;
    parallel: number | 'auto';
    timeScale: number;
    measure: (timeScale: number) => Promise<{ parallel: number; why: string }>;
  },
): Promise<Array<{ capacity: number; why: string }>> {
  // The local engines without #N share this machine: `auto` measures it once and deals the sites among them.
  const sharing = options.pooled ? given.filter((e) => e.capacity === null && isLocalEngine(e.url)).length : 1;
  let measured: { parallel: number; why: string } | null = null;
  const out: Array<{ capacity: number; why: string }> = [];
  for (const engine of given) {
    if (engine.capacity !== null) out.push({ capacity: engine.capacity, why: `given as #${engine.capacity}` });
    else if (!options.pooled || isLocalEngine(engine.url)) {
      if (options.parallel !== 'auto') out.push({ capacity: options.parallel, why: `--parallel ${options.parallel}` });
      else {
        measured ??= await options.measure(options.timeScale);
        const capacity = Math.max(1, Math.floor(measured.parallel / sharing));
        out.push({ capacity, why: sharing > 1 ? `${measured.why}, shared by ${sharing} local engines` : measured.why });
      }
    } else out.push(remoteCapacity(await engine.client.info(), options.timeScale));
  }
  return out;
}
