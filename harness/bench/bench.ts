// `cmsha bench`: how fast and how exact the harness is, every measurement in this one process, side by side with what
// a user would use instead; it prints a table and writes bench.json and a self-contained index.html to the out folder.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SITE, scaleSite } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import { LABEL_RUN, RUN_ID } from '../docker/labels.js';
import { removeLabelled } from '../docker/resources.js';
import { onShutdown } from '../docker/shutdown.js';
import { runSetup } from '../setup/index.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { BENCH_TIME_SCALE, type BenchContext, type FamilyOutput } from './family.js';
import { BITE_KINDS, measureFaultBite } from './fault-bite.js';
import { BENCH_SCHEMA, type BenchResult } from './figures.js';
import { measureFidelity } from './fidelity.js';
import { renderPage } from './page.js';
import { composePeer, ensureCompose } from './peer-compose.js';
import { floorPeer } from './peer-floor.js';
import { oursPeer } from './peer-ours.js';
import { loadTestcontainers, testcontainersPeer } from './peer-testcontainers.js';
import type { Peer } from './peer.js';
import { measureProxyOverhead } from './proxy-overhead.js';
import { measureSiteSpeed } from './site-speed.js';
import { measureConcurrency, measureSuiteEfficiency } from './suite-efficiency.js';
import { renderTable } from './table.js';
import { evaluateTargets } from './targets.js';

/** The bench's budget on a 2-core machine: the full bench finishes within 15 minutes (half a minute kept for the report), `--quick` in about 2. */
const FULL_BUDGET_MS = 14.5 * 60_000;
const QUICK_BUDGET_MS = 2 * 60_000;

interface Family {
  name: string;
  run(ctx: BenchContext): Promise<FamilyOutput>;
}

/** The peers of the site-up comparison: the full bench has all four; a peer that cannot run here is left out, noted. */
async function sitePeers(ctx: BenchContext, notes: string[]): Promise<Peer[]> {
  const spec = () => cmsHaTopology({ timeScale: ctx.timeScale });
  const peers: Peer[] = [oursPeer(ctx.docker, ctx.images, ctx.timeScale)];
  if (!ctx.quick) {
    const compose = await ensureCompose(ctx.log).catch((error: Error) => {
      notes.push(`docker-compose could not be installed: ${error.message}`);
      return null;
    });
    if (compose) peers.push(composePeer(spec, ctx.images, join(ctx.outDir, 'compose.yml')));
    else notes.push('docker-compose is not installed and cannot be installed here (root on Debian only): not compared.');
    const tc = await loadTestcontainers();
    if (tc) peers.push(testcontainersPeer(tc, spec, ctx.images));
    else notes.push('testcontainers (a devDependency) is not installed: not compared.');
  }
  peers.push(floorPeer(spec, ctx.images));
  return peers;
}

function families(quick: boolean, notes: string[]): Family[] {
  const siteSpeed: Family = {
    name: 'site up and down',
    run: async (ctx) => measureSiteSpeed(ctx, { peers: await sitePeers(ctx, notes), rounds: quick ? 2 : 5, warmUp: !quick }),
  };
  const bite: Family = {
    name: 'fault bite',
    run: (ctx) =>
      measureFaultBite(ctx, quick ? BITE_KINDS.filter((k) => k.kind === 'cut' || k.kind === 'kill') : BITE_KINDS, quick ? 10 : 100),
  };
  const fidelity: Family = { name: 'timing fidelity', run: (ctx) => measureFidelity(ctx, quick ? 5 : 20, 2) };
  const proxy: Family = {
    name: 'proxy overhead',
    run: (ctx) =>
      measureProxyOverhead(
        ctx,
        quick
          ? { blocks: 4, perBlock: 50, transfers: 2, bytes: 4 * 1024 * 1024 }
          : { blocks: 20, perBlock: 100, transfers: 5, bytes: 16 * 1024 * 1024 },
      ),
  };
  const suite: Family = { name: 'suite efficiency', run: (ctx) => measureSuiteEfficiency(ctx) };
  const concurrency: Family = { name: 'concurrency', run: (ctx) => measureConcurrency(ctx) };
  return quick ? [siteSpeed, bite, fidelity, proxy] : [siteSpeed, bite, fidelity, proxy, suite, concurrency];
}

/** Everything this process labelled and left: removed, and named so a leak is seen. */
async function sweepOwn(docker: DockerClient): Promise<string | null> {
  const removed = await removeLabelled(docker, [`${LABEL_RUN}=${RUN_ID}`]);
  return removed.containers + removed.networks > 0
    ? `${removed.containers} container(s) and ${removed.networks} network(s) of this run were left and have been removed`
    : null;
}

/** Runs each family in turn; a family that fails or leaves a figure without samples is noted, the others go on. */
async function runFamilies(ctx: BenchContext, list: Family[], output: FamilyOutput): Promise<boolean> {
  let ok = true;
  for (const family of list) {
    ctx.log(`${family.name}…`);
    try {
      const got = await family.run(ctx);
      output.measurements.push(...got.measurements);
      output.figures.push(...got.figures);
      output.notes.push(...got.notes);
      const empty = got.figures.filter((f) => f.n === 0).map((f) => f.id);
      if (empty.length > 0) {
        ok = false;
        output.notes.push(`${family.name}: no sample for ${empty.join(', ')}`);
      }
    } catch (error) {
      ok = false;
      output.notes.push(`${family.name} failed: ${(error as Error).message}`);
      ctx.log(`${family.name} failed: ${(error as Error).stack ?? (error as Error).message}`);
    }
  }
  return ok;
}

function writeResult(result: BenchResult, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, 'index.html'), renderPage(result));
  process.stdout.write(`${renderTable(result)}\n\nBench: ${join(outDir, 'index.html')}\n`);
}

/** Exit code 0 when every family ran and nothing was left on the engine; a missed target is reported, not failed. */
export async function runBench(docker: DockerClient, options: { quick: boolean; outDir: string }): Promise<number> {
  const startedAt = new Date();
  const startedMs = performance.now();
  const log = (line: string) => process.stderr.write(`cmsha bench [${Math.round((performance.now() - startedMs) / 1000)} s]: ${line}\n`);
  const setup = await runSetup(docker, { log });
  // The catalogue runs the bench makes keep their logs here, the last bench's only.
  const runsDir = join(options.outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  mkdirSync(runsDir, { recursive: true });
  const ctx: BenchContext = {
    docker,
    images: setup.images.images,
    environment: setup.environment,
    quick: options.quick,
    outDir: options.outDir,
    runsDir,
    timeScale: BENCH_TIME_SCALE,
    budgetEndsMs: startedMs + (options.quick ? QUICK_BUDGET_MS : FULL_BUDGET_MS),
    log,
  };
  const output: FamilyOutput = { measurements: [], figures: [], notes: [] };
  const unregister = onShutdown(() => sweepOwn(docker));
  let ok = false;
  try {
    ok = await runFamilies(ctx, families(options.quick, output.notes), output);
  } finally {
    const leak = await sweepOwn(docker).catch((error: Error) => `the final sweep failed: ${error.message}`);
    unregister();
    if (leak) {
      ok = false;
      output.notes.push(leak);
    }
  }
  writeResult(
    {
      schema: BENCH_SCHEMA,
      command: `cmsha bench${options.quick ? ' --quick' : ''} --out ${options.outDir}`,
      quick: options.quick,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      wallMs: performance.now() - startedMs,
      machine: {
        cores: availableParallelism(),
        node: process.version,
        docker: setup.environment.dockerVersion,
        platform: setup.environment.platform,
      },
      images: { ...setup.images.images },
      ...output,
      targets: evaluateTargets(output.figures, scaleSite(DEFAULT_SITE, BENCH_TIME_SCALE).timers.heartbeatIntervalMs),
    },
    options.outDir,
  );
  return ok ? 0 : 1;
}
