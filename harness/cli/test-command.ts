// `npm test`: the set-up (Chromium too), then every test in the order a failure is cheapest to read: unit, integration
// (real engine and Toxiproxy), the report in Chromium, the catalogue at scale 0.05, and the quick forms of the
// exploration, the sensitivity check and the bench, so none can rot. The catalogue runs its quick form too, the first
// scenario of each family, to keep a CI run near 20 minutes on two cores; CMSHA_TEST_CATALOGUE=full runs all of it
// (about 27 minutes at 0.05), as `npm start` does at real time.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { DIST_DIR } from '../core/paths.js';
import { newSeed } from '../core/random.js';
import { DEFAULT_SITE, type SiteConfig } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import { verdictLine } from '../core/summary.js';
import { explore } from '../explore/explore.js';
import { runCatalogue } from '../jobs/run.js';
import { exploreLines } from './explore-commands.js';
import { runSetup } from '../setup/index.js';
import { sensitivityCommand } from './job-commands.js';
import { autoParallel } from './parallel.js';

const TEST_FILE = /\.(unit|int|browser)\.test\.js$/;
const CI_SCALE = 0.05;
/** The quick exploration of `npm test`: two minutes, a fixed seed (the same schedules every run). */
const CI_EXPLORE_MS = 2 * 60_000;
/** The quick sensitivity check: the heartbeat count and automatic failover, through the scenario that times them. */
const CI_SENSITIVITY = { phases: 1, settings: ['heartbeatMisses', 'autoFailover'], scenarios: ['when the primary is killed (SIGKILL)'] };
const CI_EXPLORE_SEED = 7;

function testFiles(dir = join(DIST_DIR, 'harness'), out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) testFiles(path, out);
    else if (TEST_FILE.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** A failure's first line and, when a message carries a command's output, its last lines, where the verdict is. */
function gist(message: string): string[] {
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  const picked = lines.length <= 6 ? lines : [lines[0]!, '…', ...lines.slice(-5)];
  return picked.map((line) => line.slice(0, 240));
}

/** Runs the mocha tests; resolves with the full title of each that failed and the gist of its error. */
async function runMocha(files: string[], grep: string | undefined): Promise<string[]> {
  const mocha = new Mocha({ reporter: 'spec', timeout: 120_000, ...(grep ? { grep } : {}) });
  for (const file of [...testFiles(join(DIST_DIR, 'images')), ...files]) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const failed: string[] = [];
  return new Promise((done) =>
    mocha
      .run(() => done(failed))
      .on('fail', (test, error: unknown) => {
        failed.push([test.fullTitle(), ...gist(error instanceof Error ? error.message : String(error))].join('\n    '));
      }),
  );
}

export async function runTests(docker: DockerClient, options: { grep?: string }): Promise<number> {
  const setup = await runSetup(docker, { forTests: true });
  const failedTests = await runMocha(testFiles(), options.grep);
  const site = structuredClone(DEFAULT_SITE) as SiteConfig;
  const common = {
    site,
    timeScale: CI_SCALE,
    siteFile: null,
    shard: null,
    images: setup.images.images,
    environment: setup.environment,
    outDir: join(DIST_DIR, '..', 'reports'),
  };
  const seed = process.env['CMSHA_SEED'] ? Number(process.env['CMSHA_SEED']) : newSeed();
  // As `npm start` does: one site per idle core less one, so a CI machine busy with something else still gets true verdicts.
  const { parallel, why } = await autoParallel(CI_SCALE);
  process.stdout.write(`cmsha: ${why}\n`);
  const catalogue = await runCatalogue({
    ...common,
    filters: options.grep ? [options.grep] : [],
    firstOfEachFamily: !options.grep && process.env['CMSHA_TEST_CATALOGUE'] !== 'full',
    repeat: 1,
    parallel,
    seed,
    historyDir: join(DIST_DIR, '..', 'reports', 'history'),
  });
  process.stdout.write(`${verdictLine(catalogue.record)}\n`);
  if (catalogue.written) process.stdout.write(`Report: ${catalogue.written.indexHtml}\n`);
  let sensitivity = 0;
  let bench = 0;
  let explored = 0;
  if (!options.grep) {
    // A short exploration with a fixed seed: the same schedules every time, and every invariant must hold.
    const exploration = await explore({
      ...common,
      siteFile: 'default',
      budgetMs: CI_EXPLORE_MS,
      seed: CI_EXPLORE_SEED,
      parallel,
      shrink: { runs: 2, needed: 2 },
      dir: join(DIST_DIR, '..', 'reports', `explore-ci-${catalogue.record.runId}`),
    });
    for (const line of exploreLines(exploration)) process.stdout.write(`${line}\n`);
    explored = exploration.findings.length;
    sensitivity = await sensitivityCommand({ ...common, ...CI_SENSITIVITY, parallel, seed });
    const { runBench } = await import('../bench/bench.js');
    bench = await runBench(docker, { quick: true, outDir: join(DIST_DIR, '..', 'reports', 'bench') });
  }
  // The last lines of a long log say which part failed, so a CI log cut to its tail still tells.
  const parts: { part: string; got: number; failed?: string[] }[] = [
    { part: 'mocha (failing tests)', got: failedTests.length, failed: failedTests },
    { part: 'catalogue (exit code)', got: catalogue.exitCode },
  ];
  if (!options.grep)
    parts.push(
      { part: 'explore (invariants broken)', got: explored },
      { part: 'sensitivity (exit code)', got: sensitivity },
      { part: 'bench (exit code)', got: bench },
    );
  for (const { part, got, failed = [] } of parts) {
    process.stdout.write(`npm test: ${got === 0 ? 'ok    ' : 'FAILED'} ${part}: ${got}\n`);
    for (const title of failed) process.stdout.write(`  failed: ${title}\n`);
  }
  return parts.every(({ got }) => got === 0) ? 0 : 1;
}
