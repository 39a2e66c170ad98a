// The command line behind `npm start`, `npm test`, `npm run setup|doctor|bench`: parse the arguments,
// run the set-up, then the mocha suites with the HTML reporter. Exit codes: 0 ok, 1 failures, 2 bad input.

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import CmshaReporter from '../report/reporter.js';
import { HarnessError, isHarnessError } from '../core/errors.js';
import { doctor, runSetup } from '../setup/index.js';
import { DIST_DIR, ENVIRONMENT_FILE } from '../core/paths.js';
import { CONFIG_FILE_ENV, TIME_SCALE_ENV, loadRunConfig, parseTimeScale } from '../core/run-config.js';

const USAGE = `usage: cms-ha-chaos <command> [options]
commands:
  run     set up, run the resilience suites, write the HTML report under reports/   (npm start)
  test    set up, run unit, integration, report and scenario tests at scale 0.05     (npm test)
  setup   install/start what is missing: Docker engine, images                        (npm run setup)
  doctor  print what was found, made and is missing; changes nothing                  (npm run doctor)
  bench   time set-up and topology start/stop                                         (npm run bench)
options:
  --scale <n>      time scale: 1 = real time (default for run), 0.05 = CI (default for test)
  --config <file>  JSON with { timeScale?, timers?, policy? }
  --grep <text>    only tests whose full title contains <text>
  --reports <dir>  where reports go (default reports/)`;

interface Options {
  command: string;
  scale?: string;
  config?: string;
  grep?: string;
  reports?: string;
}

function parse(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') throw new HarnessError('BAD_INPUT', USAGE);
  const options: Options = { command };
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i]!;
    const key = ({ '--scale': 'scale', '--config': 'config', '--grep': 'grep', '--reports': 'reports' } as const)[flag];
    const value = rest[i + 1];
    if (!key) throw new HarnessError('BAD_INPUT', `Unknown option "${flag}".\n${USAGE}`, { details: { option: flag } });
    if (value === undefined) throw new HarnessError('BAD_INPUT', `Option ${flag} needs a value.`, { details: { option: flag } });
    options[key] = value;
    i += 1;
  }
  return options;
}

function specFiles(patterns: RegExp[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (patterns.some((p) => p.test(path))) out.push(path);
    }
  };
  walk(DIST_DIR);
  return out.sort();
}

async function runMocha(files: string[], options: { grep?: string; timeoutMs: number }): Promise<number> {
  const mocha = new Mocha({ reporter: CmshaReporter, timeout: options.timeoutMs, ...(options.grep ? { grep: options.grep } : {}) });
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  return new Promise((done) => mocha.run((failures) => done(failures)));
}

const UNIT = /\.unit\.test\.js$/;
const INTEGRATION = /\.int\.test\.js$/;
const BROWSER = /\.browser\.test\.js$/;
const SUITE = /[/\\]suites[/\\].*\.suite\.js$/;

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parse(argv);
    if (options.scale !== undefined) process.env[TIME_SCALE_ENV] = String(parseTimeScale(options.scale, '--scale'));
    if (options.config !== undefined) process.env[CONFIG_FILE_ENV] = resolve(options.config);
    if (options.reports !== undefined) process.env['CMSHA_REPORTS_DIR'] = resolve(options.reports);
    process.env['CMSHA_ENVIRONMENT_FILE'] ??= ENVIRONMENT_FILE;
    switch (options.command) {
      case 'setup': {
        const report = await runSetup({ forTests: false });
        process.stdout.write(`${JSON.stringify({ ...report, durationMs: Math.round(report.durationMs) }, null, 2)}\n`);
        return 0;
      }
      case 'doctor': {
        const { lines, ok } = await doctor();
        process.stdout.write(`${lines.join('\n')}\n`);
        return ok ? 0 : 1;
      }
      case 'run': {
        loadRunConfig(); // reject a bad configuration before anything starts
        await runSetup({ forTests: false });
        const failures = await runMocha(specFiles([SUITE]), { grep: options.grep, timeoutMs: 0 });
        return failures === 0 ? 0 : 1;
      }
      case 'test': {
        process.env[TIME_SCALE_ENV] ??= '0.05';
        loadRunConfig();
        await runSetup({ forTests: true });
        const failures = await runMocha(specFiles([UNIT, INTEGRATION, BROWSER, SUITE]), { grep: options.grep, timeoutMs: 120_000 });
        return failures === 0 ? 0 : 1;
      }
      case 'bench': {
        const { runBench } = await import('../bench/bench.js');
        await runBench(); // it runs (and times) the set-up itself
        return 0;
      }
      default:
        throw new HarnessError('BAD_INPUT', `Unknown command "${options.command}".\n${USAGE}`, { details: { command: options.command } });
    }
  } catch (error) {
    if (isHarnessError(error)) {
      process.stderr.write(`cms-ha-chaos: ${error.message}\n`);
      return error.code === 'BAD_INPUT' || error.code === 'BAD_CONFIG' ? 2 : 1;
    }
    throw error;
  }
}
