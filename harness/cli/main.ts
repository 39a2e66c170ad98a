// `cmsha`: the command line of both jobs, nightly resilience runs and pre-upgrade validation, built on commander.
// Exit codes: 0 every expectation held; 1 an expectation failed, or a comparison found a regression; 2 bad usage
// or configuration; 3 the environment is not usable (no engine, no Toxiproxy, images missing), or nothing failed but
// some executions were inconclusive (harness): the harness, not the site, failed them.

import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isHarnessError, type HarnessErrorCode } from '../core/errors.js';
import { parseTimeScale } from '../core/run-context.js';
import { loadSiteFile } from '../core/site-file.js';
import { verdictLine } from '../core/summary.js';
import { connectDocker, type DockerClient } from '../docker/client.js';
import { buildCandidateImage, doctor, runSetup } from '../setup/index.js';
import { PLANTS } from '../../images/protocol/index.js';
import { listCatalogue, selectScenarios } from '../jobs/catalogue.js';
import { parseShard } from '../jobs/plan.js';
import { compareCommand, durationsCommand, reportCommand, sensitivityCommand, validateCommand } from './job-commands.js';
import { exploreCommand, exploreLines, parseBudget, parseShrinkRule, readScheduleFile, replayCommand } from './explore-commands.js';
import { explore } from '../explore/explore.js';
import { formatLongDurationMs } from '../core/format.js';
import { newSeed } from '../core/random.js';
import { cleanCommand, downCommand, upCommand } from './site-commands.js';
import {
  alphaOption,
  comparisonOf,
  configOption,
  historyOption,
  integer,
  outOption,
  parallelOption,
  repeatOption,
  seedOf,
  seedOption,
  timeScaleOption,
  marginOption,
} from './options.js';
import { autoParallel } from './parallel.js';
import { collectEngine, setUpEngines, type EngineOption } from './engines.js';
import { runTests } from './test-command.js';
import { runCatalogue } from '../jobs/run.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

const ENVIRONMENT_CODES: HarnessErrorCode[] = ['DOCKER_UNAVAILABLE', 'SETUP_FAILED', 'IMAGE_BUILD_FAILED'];

/** The exit code an error stands for. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (isHarnessError(error)) {
    if (error.code === 'BAD_INPUT' || error.code === 'BAD_CONFIG') return EXIT.usage;
    if (ENVIRONMENT_CODES.includes(error.code)) return EXIT.environment;
  }
  return EXIT.failed;
}

/** The sites at once a command runs: as given, or measured on the machine now (and said why). */
async function parallelFor(option: number | 'auto', timeScale: number): Promise<number> {
  if (option !== 'auto') return option;
  const { parallel, why } = await autoParallel(timeScale);
  process.stdout.write(`cmsha: ${why}\n`);
  return parallel;
}

/** The site and time scale a command runs: the file (YAML or JSON), with --time-scale winning over the file's. */
function siteOf(options: { config?: string; timeScale?: string }, defaultScale: number) {
  const file = options.config ? resolve(options.config) : null;
  const { site, timeScale, name, explore } = loadSiteFile(file);
  const scale = options.timeScale !== undefined ? parseTimeScale(options.timeScale, '--time-scale') : (timeScale ?? defaultScale);
  return { site, timeScale: scale, siteFile: file === null ? null : { path: file, name }, explore };
}

/** What the exit codes mean, for every command's help. */
const EXIT_CODES_HELP = `
Exit codes:
  0  every expectation held (and, for a comparison, no regression)
  1  an expectation failed (a failure of the site), or a comparison found a regression
  2  bad usage or configuration (named, with what is allowed)
  3  the environment is not usable (no engine, no Toxiproxy, images missing), or nothing failed but some executions
     were inconclusive (harness): the engine, Toxiproxy, the observer or the host failed them, not the site
  4  (compare, validate) no regression, but some timing could not be decided at these repeats
  130/143  interrupted by SIGINT/SIGTERM: a partial report`;

/** --engine, repeatable: the engines a run deals its executions over. */
const engineOption = () =>
  new Option(
    '--engine <url[#n]>',
    'an engine to run on, as DOCKER_HOST takes it (unix:///path, tcp://host:2376, ssh://user@host), with #n sites at once; repeat it for a pool',
  )
    .argParser(collectEngine)
    .default([], 'the local engine, or DOCKER_HOST');

/** The engines a command runs on, each set up, with its capacity (the local one's from --parallel). */
function enginesFor(docker: () => DockerClient, given: EngineOption[], parallel: number | 'auto', timeScale: number) {
  return setUpEngines({ given, parallel, timeScale, defaultClient: docker() });
}

/** A nightly run of the whole catalogue explores this long after it by default; a run of chosen scenarios does not. */
const NIGHTLY_EXPLORE_MS = 10 * 60_000;

async function setUp(docker: DockerClient, forTests = false) {
  return runSetup(docker, { forTests });
}

export function buildProgram(docker: () => DockerClient, out: { exitCode: number }): Command {
  const program = new Command('cmsha')
    .description('Network chaos testing of an Avaya CMS HA site: nightly resilience runs and pre-upgrade validation.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  program
    .command('run')
    .addHelpText('after', EXIT_CODES_HELP)
    .description('run scenarios of the catalogue on isolated sites and write the HTML report')
    .argument('[scenarios...]', 'families (primary-down) or parts of test titles; default: the whole catalogue')
    .addOption(timeScaleOption("multiply every timer: 1 = real time, 0.05 = CI (default: the site file's, else 1)"))
    .addOption(repeatOption('run each scenario n times, at phases spread over the heartbeat cycle', 1))
    .addOption(parallelOption('sites at once on the local engine (its capacity in a pool of --engine)'))
    .addOption(engineOption())
    .option('--shard <i/n>', 'run only shard i of n (merge the shards with `cmsha report`)')
    .addOption(seedOption('the seed of the fault phases (replays a run); default: random, printed', 'CMSHA_SEED'))
    .addOption(configOption('the site file (YAML or JSON; see site.example.yaml)'))
    .addOption(outOption())
    .addOption(historyOption('where the history of runs goes (trends)'))
    .option('--list', 'list the scenarios and exit')
    .option(
      '--explore-budget <duration>',
      "after the catalogue, explore generated schedules this long, e.g. 15m (default: the site file's explore.budget, else 10m for the whole catalogue and 0 for chosen scenarios)",
    )
    .option('--explore-time-scale <n>', "the time scale of the explored sites (default: the site file's explore.timeScale, else 0.05)")
    .action(async (filters: string[], options) => {
      if (options.list) {
        for (const entry of await listCatalogue()) process.stdout.write(`${entry.meta.family.padEnd(16)} ${entry.fullTitle}\n`);
        return;
      }
      const { site, timeScale, siteFile, explore: exploreSettings } = siteOf(options, 1);
      const exploreMs =
        options.exploreBudget !== undefined
          ? options.exploreBudget === '0'
            ? 0
            : parseBudget(options.exploreBudget)
          : (exploreSettings.budgetMs ?? (filters.length === 0 ? NIGHTLY_EXPLORE_MS : 0));
      const exploreScale =
        options.exploreTimeScale !== undefined
          ? parseTimeScale(options.exploreTimeScale, '--explore-time-scale')
          : (exploreSettings.timeScale ?? 0.05);
      const shard = options.shard ? parseShard(options.shard) : null;
      const seed = seedOf(options.seed);
      selectScenarios(await listCatalogue(), filters); // an unknown scenario is bad input: say so before anything starts
      const pool = await enginesFor(docker, options.engine, options.parallel, timeScale);
      const setup = pool.first;
      const pooled = options.engine.length > 0;
      const result = await runCatalogue({
        filters,
        timeScale,
        site,
        siteFile,
        repeat: options.repeat,
        parallel: pool.engines.reduce((sum, e) => sum + e.capacity, 0),
        engines: pool.engines,
        shard,
        seed,
        outDir: resolve(options.out),
        historyDir: resolve(options.history),
        images: setup.images.images,
        environment: setup.environment,
        ...(exploreMs > 0
          ? {
              afterCatalogue: async (dir: string, seed: number) => {
                // On a pool, the exploration's lanes go over the same engines, each holding what it holds at the
                // exploration's time scale; alone, as many as the machine holds.
                const lanes = pooled ? await pool.atTimeScale(exploreScale) : null;
                const parallel = lanes ? lanes.reduce((sum, e) => sum + e.capacity, 0) : await parallelFor('auto', exploreScale);
                process.stderr.write(
                  `cmsha: exploring for ${formatLongDurationMs(exploreMs)} at time scale ${exploreScale}, seed ${seed}\n`,
                );
                return explore({
                  budgetMs: exploreMs,
                  seed,
                  timeScale: exploreScale,
                  site,
                  siteFile: siteFile?.name ?? 'default',
                  parallel,
                  shrink: { runs: 2, needed: 2 },
                  images: setup.images.images,
                  ...(lanes ? { engines: lanes } : {}),
                  dir,
                });
              },
            }
          : {}),
      });
      process.stdout.write(`${verdictLine(result.record)}\n`);
      if (result.record.explored) for (const line of exploreLines(result.record.explored)) process.stdout.write(`${line}\n`);
      if (result.written) process.stdout.write(`Report: ${result.written.indexHtml}\n`);
      out.exitCode = result.exitCode;
    });

  program
    .command('explore')
    .addHelpText('after', EXIT_CODES_HELP)
    .description(
      'generated schedules of faults, heals and operator commands, checked against the invariants I1–I7; each failure shrunk to a minimal replay',
    )
    .option('--budget <duration>', 'how long to explore, e.g. 30m, 2h, 90s', '30m')
    .addOption(seedOption('the seed of the generated schedules (replays the exploration); default: random, printed', 'CMSHA_SEED'))
    .addOption(timeScaleOption('the time scale of the sites (default 0.05: the invariants hold at every scale)'))
    .addOption(parallelOption('sites at once on the local engine (its capacity in a pool of --engine)'))
    .addOption(engineOption())
    .option('--shrink <k/r>', 'a shrink candidate still fails when it fails r of up to k runs', '2/2')
    .addOption(configOption())
    .addOption(outOption())
    .action(async (options) => {
      const { site, timeScale, siteFile } = siteOf({ config: options.config, timeScale: options.timeScale ?? '0.05' }, 0.05);
      const budgetMs = parseBudget(options.budget);
      const shrink = parseShrinkRule(options.shrink);
      const seed = seedOf(options.seed) ?? newSeed();
      const pool = await enginesFor(docker, options.engine, options.parallel, timeScale);
      out.exitCode = await exploreCommand({
        budgetMs,
        seed,
        timeScale,
        site,
        siteFile: siteFile?.name ?? 'default',
        parallel: pool.engines.reduce((sum, e) => sum + e.capacity, 0),
        ...(options.engine.length > 0 ? { engines: pool.engines } : {}),
        shrink,
        images: pool.first.images.images,
        environment: pool.first.environment,
        outDir: resolve(options.out),
      });
    });

  program
    .command('replay')
    .addHelpText('after', EXIT_CODES_HELP)
    .description('run a schedule file (one `cmsha explore` wrote, or your own) on fresh sites and check the invariants')
    .argument('<file>', 'the schedule (YAML or JSON)')
    .addOption(repeatOption('how many times', 1))
    .addOption(timeScaleOption('the time scale of the sites (default 0.05)'))
    .addOption(parallelOption('sites at once on the local engine (its capacity in a pool of --engine)'))
    .addOption(engineOption())
    .addOption(configOption('the site file the schedule changes'))
    .addOption(outOption())
    .action(async (file: string, options) => {
      const schedule = readScheduleFile(resolve(file));
      const { site, timeScale, siteFile } = siteOf({ config: options.config, timeScale: options.timeScale ?? '0.05' }, 0.05);
      const pool = await enginesFor(docker, options.engine, options.parallel, timeScale);
      out.exitCode = await replayCommand({
        schedule,
        repeat: options.repeat,
        timeScale,
        site,
        siteFile: siteFile?.name ?? 'default',
        parallel: pool.engines.reduce((sum, e) => sum + e.capacity, 0),
        ...(options.engine.length > 0 ? { engines: pool.engines } : {}),
        images: pool.first.images.images,
        environment: pool.first.environment,
        outDir: resolve(options.out),
      });
    });

  program
    .command('up')
    .description('start one site and leave it running, to explore it')
    .addOption(configOption())
    .addOption(timeScaleOption("the time scale (default: the site file's, else 1)"))
    .action(async (options) => {
      const { site, timeScale } = siteOf(options, 1);
      const setup = await setUp(docker());
      await upCommand(docker(), setup.images.images, site, timeScale);
    });
  program
    .command('down')
    .description('remove the sites `cmsha up` left running')
    .action(async () => downCommand(docker()));
  program
    .command('clean')
    .description('remove every container, network and volume the harness labelled, of any run')
    .action(async () => cleanCommand(docker()));
  program
    .command('doctor')
    .description('what is there and what is missing; changes nothing')
    .action(async () => {
      const { lines, ok } = await doctor(docker());
      process.stdout.write(`${lines.join('\n')}\n`);
      out.exitCode = ok ? EXIT.ok : EXIT.environment;
    });
  program
    .command('setup')
    .description('install and start what is missing: the Docker engine, the images')
    .action(async () => {
      const report = await setUp(docker());
      process.stdout.write(`${JSON.stringify({ ...report, durationMs: Math.round(report.durationMs) }, null, 2)}\n`);
    });

  program
    .command('image')
    .description('build a candidate stand-in image from this checkout, for a candidate site file’s images.cms (pre-upgrade validation)')
    .option('--version <v>', 'the software version its stand-ins report (default: 16.4.0)')
    .option('--plant <names>', 'defects to plant on purpose, comma-separated, to prove validate catches them (see below)')
    .option('--tag <tag>', 'its tag (default: cmsha/standin:<hash of what went in>)')
    .addHelpText(
      'after',
      `\nPlants:\n${Object.entries(PLANTS)
        .map(([name, what]) => `  ${name.padEnd(30)} ${what}`)
        .join('\n')}\n`,
    )
    .action(async (options: { version?: string; plant?: string; tag?: string }) => {
      const plants = options.plant
        ?.split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const tag = await buildCandidateImage(
        docker(),
        {
          ...(options.version ? { version: options.version } : {}),
          ...(plants ? { plants } : {}),
          ...(options.tag ? { tag: options.tag } : {}),
        },
        (line) => process.stderr.write(`cms-ha-chaos setup: ${line}\n`),
      );
      process.stdout.write(`${tag}\n# in the candidate site file:\nimages:\n  cms: ${tag}\n`);
    });

  program
    .command('report')
    .addHelpText('after', EXIT_CODES_HELP)
    .description('render a run again from its run.json, or merge the run.json of shards into one report')
    .argument('<runDirs...>', 'run folders (each with run.json, or the blobs of an interrupted run)')
    .addOption(outOption('where the report goes'))
    .addOption(historyOption('add the trend from this history'))
    .action(async (dirs: string[], options) => {
      out.exitCode = await reportCommand(
        dirs.map((d) => resolve(d)),
        resolve(options.out),
        resolve(options.history),
      );
    });

  program
    .command('durations')
    .description("write suites/durations.json from a passing real-time run: the scenarios' lengths, which order a run with no history")
    .argument('<runDir>', 'the folder of a run at --time-scale 1 in which every execution passed')
    .option('--file <path>', "where to write them (default: this project's suites/durations.json)")
    .action((dir: string, options: { file?: string }) => {
      out.exitCode = durationsCommand(resolve(dir), options.file === undefined ? undefined : resolve(options.file));
    });

  program
    .command('compare')
    .addHelpText('after', EXIT_CODES_HELP)
    .description('compare two runs: outcome and end-state changes, timing shifts, budget violations; exit 1 on a regression')
    .argument('<baseline>', 'the run folder of the baseline')
    .argument('<candidate>', 'the run folder of the candidate')
    .addOption(outOption('where the comparison report goes'))
    .addOption(marginOption())
    .addOption(alphaOption())
    .action(async (baseline: string, candidate: string, options) => {
      out.exitCode = await compareCommand(resolve(baseline), resolve(candidate), resolve(options.out), comparisonOf(options));
    });

  program
    .command('validate')
    .addHelpText('after', EXIT_CODES_HELP)
    .description('pre-upgrade validation: run the baseline site and the candidate site, then compare them; exit 1 on a regression')
    .argument('[scenarios...]', 'families or parts of test titles; default: the whole catalogue')
    .requiredOption('--baseline <file>', "today's site file")
    .requiredOption('--candidate <file>', 'the candidate site file')
    .addOption(timeScaleOption("the time scale of both runs (default: the baseline file's, else 1)"))
    .addOption(repeatOption('executions per scenario and site in the first round', 5))
    .option('--max-repeat <n>', 'more repeats, up to this many, while a timing stays inconclusive', integer('--max-repeat', 1), 12)
    .addOption(parallelOption('sites at once on the local engine (its capacity in a pool of --engine)'))
    .addOption(engineOption())
    .addOption(seedOption('the seed of the fault phases, the same for both runs', null))
    .addOption(outOption())
    .addOption(marginOption())
    .addOption(alphaOption())
    .action(async (filters: string[], options) => {
      const baseline = siteOf({ config: options.baseline, timeScale: options.timeScale }, 1);
      const candidate = siteOf(
        { config: options.candidate, timeScale: options.timeScale ?? String(baseline.timeScale) },
        baseline.timeScale,
      );
      selectScenarios(await listCatalogue(), filters);
      const pool = await enginesFor(docker, options.engine, options.parallel, baseline.timeScale);
      out.exitCode = await validateCommand({
        filters,
        baseline,
        candidate,
        repeat: options.repeat,
        maxRepeat: Math.max(options.repeat, options.maxRepeat),
        parallel: pool.engines.reduce((sum, e) => sum + e.capacity, 0),
        engines: pool.engines,
        seed: seedOf(options.seed),
        outDir: resolve(options.out),
        images: pool.first.images.images,
        environment: pool.first.environment,
        compare: comparisonOf(options),
      });
    });

  program
    .command('sensitivity')
    .description('prove a wrong site fails: each timing setting one step off on the stand-ins, at several phases')
    .option('--phases <n>', 'phases of the heartbeat cycle per wrong site', integer('--phases', 1), 4)
    .option('--setting <names...>', 'only these settings (e.g. heartbeatMisses autoFailover)')
    // 0.2, not 0.05: the smallest step (the heartbeat timeout 20% short) is then 200 ms, far outside the windows'
    // 1 ms early / 40 ms late tolerance, which does not scale; at 0.05 it would be 50 ms.
    .addOption(timeScaleOption("the time scale (default: the site file's, else 0.2)"))
    .addOption(configOption())
    .addOption(parallelOption())
    .addOption(seedOption('the seed of the phases', '1'))
    .addOption(outOption('where the report goes'))
    .action(async (options) => {
      const { site, timeScale, siteFile } = siteOf(options, 0.2);
      const setup = await setUp(docker());
      out.exitCode = await sensitivityCommand({
        site,
        timeScale,
        siteFile,
        phases: options.phases,
        ...(options.setting ? { settings: options.setting } : {}),
        parallel: await parallelFor(options.parallel, timeScale),
        seed: seedOf(options.seed)!,
        shard: null,
        outDir: resolve(options.out),
        images: setup.images.images,
        environment: setup.environment,
      });
    });

  program
    .command('bench')
    .description('how fast and how exact the harness is, side by side with docker-compose, testcontainers and bare docker')
    .option('--quick', 'a small subset (the form `npm test` runs)')
    .addOption(outOption('where bench.json and the page go', 'reports/bench'))
    .action(async (options) => {
      const { runBench } = await import('../bench/bench.js');
      out.exitCode = await runBench(docker(), { quick: options.quick === true, outDir: resolve(options.out) });
    });

  program
    .command('test')
    .description('every test: unit, integration, report (Chromium), the catalogue at scale 0.05, quick sensitivity and bench (npm test)')
    .option('--grep <text>', 'only tests whose title contains this')
    .action(async (options) => {
      out.exitCode = await runTests(docker(), { grep: options.grep });
    });

  return program;
}

/** Runs the command line; resolves with the exit code (it never exits the process itself). */
export async function main(argv: string[]): Promise<number> {
  let client: DockerClient | undefined;
  const out = { exitCode: EXIT.ok as number };
  const program = buildProgram(() => (client ??= connectDocker()), out);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return out.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOf(error);
    if (isHarnessError(error)) {
      process.stderr.write(`cmsha: ${error.message}\n`);
      return exitCodeOf(error);
    }
    throw error;
  }
}
