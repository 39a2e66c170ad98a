// Building and writing a RunRecord: the collector the reporter feeds, option resolution, and the
// synchronous atomic writes (temp file + rename) that make run.json, index.html, junit.xml and `latest`.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

import { HarnessError } from '../core/errors.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { RUN_RECORD_SCHEMA } from '../core/model.js';
import type { Outcome, RunRecord, TestEvidence, TestRecord } from '../core/model.js';

// ---------------------------------------------------------------------------------------------
// Options

/** What the reporter needs to know; every field has a default (see `resolveReportOptions`). */
export interface ReportOptions {
  /** Folder that receives one sub-folder per run and the `latest` link. Env CMSHA_REPORTS_DIR, default `reports`. */
  reportsDir: string;
  /** Time scale the run used (1 = real time). Env CMSHA_TIME_SCALE, default 1. */
  timeScale: number;
  /** JSON file shaped as RunRecord['environment']; null fills only node and platform. Env CMSHA_ENVIRONMENT_FILE. */
  environmentFile: string | null;
  /** Folder name of this run. Env CMSHA_RUN_ID, default a timestamp like `2026-11-25T21-30-00Z-1a2b`. */
  runId: string;
  /** Print nothing (no spec progress, no `Report:` line). Used by tests. Default false. */
  quiet: boolean;
}

type RawOptions = Record<string, unknown> | undefined | null;

/**
 * Resolves options: an explicit reporter option wins over the environment, which wins over the default.
 * Reporter options given on the mocha command line arrive as strings, so numbers and booleans are parsed.
 */
export function resolveReportOptions(raw: RawOptions, env: NodeJS.ProcessEnv = process.env, now = new Date()): ReportOptions {
  const pick = (key: string, envKey: string | null): unknown => {
    const value = raw?.[key];
    if (value !== undefined && value !== null && value !== '') return value;
    if (envKey !== null) {
      const fromEnv = env[envKey];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    }
    return undefined;
  };

  const reportsDirRaw = pick('reportsDir', 'CMSHA_REPORTS_DIR') ?? 'reports';
  if (typeof reportsDirRaw !== 'string') {
    throw badOption('reportsDir', reportsDirRaw, 'a folder path');
  }

  const timeScaleRaw = pick('timeScale', 'CMSHA_TIME_SCALE') ?? 1;
  const timeScale = typeof timeScaleRaw === 'number' ? timeScaleRaw : Number(timeScaleRaw);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw badOption('timeScale', timeScaleRaw, 'a positive number (1 = real time, 0.05 = CI)');
  }

  const environmentFileRaw = pick('environmentFile', 'CMSHA_ENVIRONMENT_FILE') ?? null;
  if (environmentFileRaw !== null && typeof environmentFileRaw !== 'string') {
    throw badOption('environmentFile', environmentFileRaw, 'a path to a JSON file');
  }

  const runIdRaw = pick('runId', 'CMSHA_RUN_ID') ?? defaultRunId(now);
  if (typeof runIdRaw !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runIdRaw) || runIdRaw === 'latest') {
    throw badOption('runId', runIdRaw, 'a folder name of letters, digits, ".", "_" or "-" (not "latest")');
  }

  const quietRaw = pick('quiet', null) ?? false;
  const quiet = quietRaw === true || quietRaw === 'true' || quietRaw === '1';

  return { reportsDir: reportsDirRaw, timeScale, environmentFile: environmentFileRaw, runId: runIdRaw, quiet };
}

function badOption(option: string, value: unknown, expected: string): HarnessError {
  return new HarnessError('BAD_CONFIG', `Reporter option ${option} must be ${expected}; got ${JSON.stringify(value)}.`, {
    details: { option, value },
  });
}

/** `2026-11-25T21-30-00Z-1a2b`: sortable, safe as a folder name on every file system, unique enough per machine. */
export function defaultRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Reads the environment description the CLI wrote; a missing or malformed file is a BAD_CONFIG error naming it. */
export function readEnvironment(environmentFile: string | null): RunRecord['environment'] {
  const base: RunRecord['environment'] = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    dockerVersion: null,
    toxiproxyVersion: null,
    images: [],
  };
  if (environmentFile === null) return base;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(environmentFile, 'utf8'));
  } catch (cause) {
    throw new HarnessError('BAD_CONFIG', `Cannot read the environment file ${environmentFile}: check CMSHA_ENVIRONMENT_FILE.`, {
      cause,
      details: { option: 'environmentFile', value: environmentFile },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HarnessError('BAD_CONFIG', `The environment file ${environmentFile} must hold a JSON object.`, {
      details: { option: 'environmentFile', value: environmentFile },
    });
  }
  const given = parsed as Partial<RunRecord['environment']>;
  return {
    node: typeof given.node === 'string' ? given.node : base.node,
    platform: typeof given.platform === 'string' ? given.platform : base.platform,
    dockerVersion: typeof given.dockerVersion === 'string' ? given.dockerVersion : null,
    toxiproxyVersion: typeof given.toxiproxyVersion === 'string' ? given.toxiproxyVersion : null,
    images: Array.isArray(given.images) ? given.images : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Collecting

/** One attempt's facts as the reporter saw them; the evidence is read lazily because suites may attach it in afterEach. */
export interface CollectedTest {
  title: string;
  fullTitle: string;
  path: string[];
  file: string | null;
  outcome: Outcome;
  durationMs: number;
  attempts: number;
  error: { message: string; stack: string | null } | null;
  readEvidence: () => TestEvidence | null;
}

/**
 * Accumulates tests in run order, keyed so that a retry or a late failure (an error after the test passed)
 * updates the existing entry instead of adding a second one.
 */
export class RunCollector {
  startedAt: Date;
  private startedMs: number;
  private readonly entries = new Map<string, CollectedTest>();
  private running: { key: string; test: CollectedTest } | null = null;

  constructor(now: Date = new Date(), startedMs: number = performance.now()) {
    this.startedAt = now;
    this.startedMs = startedMs;
  }

  /** The run really began (EVENT_RUN_BEGIN): the duration counts from here. */
  restart(now: Date = new Date(), startedMs: number = performance.now()): void {
    this.startedAt = now;
    this.startedMs = startedMs;
  }

  /** A test began an attempt: remembered so a partial report can show what was interrupted. */
  begin(key: string, test: Omit<CollectedTest, 'outcome' | 'error' | 'durationMs'>): void {
    this.running = { key, test: { ...test, outcome: 'failed', error: null, durationMs: 0 } };
  }

  /** A failed attempt that mocha will retry: counts the attempt, keeps no outcome yet. */
  retry(key: string, attempts: number): void {
    const existing = this.entries.get(key);
    if (existing) existing.attempts = Math.max(existing.attempts, attempts);
  }

  /** The final word on one test (pass, fail, pending); a later call for the same key overrides. */
  settle(key: string, test: CollectedTest): void {
    const existing = this.entries.get(key);
    if (existing && existing.outcome === 'failed' && test.outcome !== 'failed') {
      // A test that already failed (e.g. its afterEach hook threw, or a late error) stays failed.
      return;
    }
    if (existing && test.outcome === 'failed' && existing.error && test.error) {
      test = {
        ...test,
        error: { message: `${existing.error.message}\n${test.error.message}`, stack: test.error.stack ?? existing.error.stack },
      };
    }
    this.entries.set(key, test);
    if (this.running?.key === key) this.running = null;
  }

  /** Mocha reported the test finished (EVENT_TEST_END): it is no longer "running". */
  ended(key: string): void {
    if (this.running?.key === key) this.running = null;
  }

  elapsedMs(nowMs: number = performance.now()): number {
    return Math.max(0, nowMs - this.startedMs);
  }

  /**
   * The record at this instant. With `partialReason` the test still running (if any) is included as failed,
   * its error saying it was interrupted, so its evidence is not lost.
   */
  build(options: {
    runId: string;
    timeScale: number;
    environment: RunRecord['environment'];
    partialReason: string | null;
    now?: Date;
    nowMs?: number;
  }): RunRecord {
    const tests: TestRecord[] = [...this.entries.values()].map(toTestRecord);
    const partial = options.partialReason !== null;
    if (partial && this.running && !this.entries.has(this.running.key)) {
      const interrupted = this.running.test;
      tests.push(
        toTestRecord({
          ...interrupted,
          outcome: 'failed',
          error: { message: `Interrupted while running: ${options.partialReason}`, stack: null },
        }),
      );
    }
    const stats = { passed: 0, failed: 0, flaky: 0, pending: 0, durationMs: Math.round(this.elapsedMs(options.nowMs)) };
    for (const test of tests) stats[test.outcome] += 1;
    return {
      schema: RUN_RECORD_SCHEMA,
      runId: options.runId,
      startedAt: this.startedAt.toISOString(),
      endedAt: (options.now ?? new Date()).toISOString(),
      partial,
      partialReason: options.partialReason,
      timeScale: options.timeScale,
      environment: options.environment,
      stats,
      tests,
    };
  }
}

function toTestRecord(test: CollectedTest): TestRecord {
  let evidence: TestEvidence | null = null;
  try {
    evidence = test.readEvidence();
  } catch {
    // Evidence is a report nicety: a broken getter must not lose the outcome.
    evidence = null;
  }
  return {
    title: test.title,
    fullTitle: test.fullTitle,
    path: test.path,
    file: test.file,
    outcome: test.outcome,
    durationMs: test.durationMs,
    attempts: test.attempts,
    error: test.error,
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Writes a file so readers never see half of it: a temp file in the same folder, then rename over the target. */
export function writeFileAtomicSync(path: string, data: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, data, 'utf8');
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Points `reportsDir/latest` at `runDir` with a relative symlink, replaced atomically (temp link + rename). */
export function pointLatestSync(reportsDir: string, runDir: string): string {
  const link = join(reportsDir, 'latest');
  const temp = join(reportsDir, `.latest.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const target = relative(resolve(reportsDir), resolve(runDir)) || '.';
  try {
    symlinkSync(target, temp, 'dir');
    renameSync(temp, link);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return link;
}

export interface WrittenReport {
  dir: string;
  indexHtml: string;
  junitXml: string;
  runJson: string;
  latest: string;
}

/** Renders and writes the three files of a run into `reportsDir/<runId>/`, then moves `latest`. Synchronous on purpose:
 * it also runs from `process.on('exit')` and signal handlers, where nothing asynchronous gets to finish. */
export function writeRunFilesSync(record: RunRecord, reportsDir: string): WrittenReport {
  const dir = resolve(reportsDir, record.runId);
  mkdirSync(dir, { recursive: true });
  const runJson = join(dir, 'run.json');
  const indexHtml = join(dir, 'index.html');
  const junitXml = join(dir, 'junit.xml');
  // run.json first: it is the data; the renderings can be regenerated from it.
  writeFileAtomicSync(runJson, `${JSON.stringify(record, null, 2)}\n`);
  writeFileAtomicSync(junitXml, renderJunit(record));
  writeFileAtomicSync(indexHtml, renderHtml(record));
  const latest = pointLatestSync(resolve(reportsDir), dir);
  return { dir, indexHtml, junitXml, runJson, latest };
}
