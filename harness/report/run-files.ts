// The files of a run on disk: run.json, junit.xml and index.html in <reportsDir>/<runId>/ and the `latest` link,
// every one written whole or not at all (temp file + rename), and run.json read back with its schema checked.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { HarnessError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/files.js';
import { RUN_RECORD_SCHEMA, type RunRecord } from '../core/model.js';
import { renderHtml, type ReportExtras } from './html.js';
import { renderJunit } from './junit.js';

/** Where the files of one run went. */
export interface WrittenReport {
  dir: string;
  runJson: string;
  junitXml: string;
  indexHtml: string;
  latest: string;
}

/** A run id is a folder name: it must not climb out of the reports folder nor take the place of `latest`. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Writes a run's files into `<reportsDir>/<runId>/`: run.json first (it is the data; the renderings can be made
 * again from it), then junit.xml and index.html, then moves `latest`. Synchronous on purpose: it also runs from
 * exit and signal handlers, where nothing asynchronous gets to finish.
 */
export function writeRunFiles(record: RunRecord, reportsDir: string, extras: ReportExtras = {}): WrittenReport {
  if (!RUN_ID.test(record.runId) || record.runId === 'latest') {
    throw new HarnessError(
      'BAD_INPUT',
      `Run id ${JSON.stringify(record.runId)} cannot name a report folder: use letters, digits, ".", "_" or "-" (not "latest").`,
      {
        details: { runId: record.runId },
      },
    );
  }
  const dir = resolve(reportsDir, record.runId);
  mkdirSync(dir, { recursive: true });
  const written = { dir, runJson: join(dir, 'run.json'), junitXml: join(dir, 'junit.xml'), indexHtml: join(dir, 'index.html') };
  writeFileAtomicSync(written.runJson, `${JSON.stringify(record, null, 2)}\n`);
  writeFileAtomicSync(written.junitXml, renderJunit(record));
  writeFileAtomicSync(written.indexHtml, renderHtml(record, extras));
  return { ...written, latest: pointLatest(resolve(reportsDir), dir) };
}

/** Points `<reportsDir>/latest` at `runDir` with a relative link (the folder may move), replaced atomically. */
function pointLatest(reportsDir: string, runDir: string): string {
  const link = join(reportsDir, 'latest');
  const temp = join(reportsDir, `.latest.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    symlinkSync(relative(reportsDir, runDir) || '.', temp, 'dir');
    renameSync(temp, link);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return link;
}

/**
 * Reads a run's run.json, given the run's folder or the file itself, and checks it is one this version reads.
 * Anything else is a BAD_INPUT error naming the file and what to do.
 */
export function readRunFile(path: string): RunRecord {
  const file = isDirectory(path) ? join(path, 'run.json') : path;
  const parsed = parseJson(file);
  const problem = recordProblem(parsed);
  if (problem !== null) throw notARun(file, problem);
  return parsed as RunRecord;
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HarnessError(
      'BAD_INPUT',
      `Cannot read the run record ${file}: ${(cause as Error).message}. Give a run's folder under reports/ (e.g. reports/latest) or its run.json.`,
      { cause, details: { file } },
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw notARun(file, `is not JSON (${(cause as Error).message})`, cause);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What makes a parsed file not a run record of this schema, or null. The fields every reader relies on are checked. */
function recordProblem(parsed: unknown): string | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'does not hold a JSON object';
  const record = parsed as Record<string, unknown>;
  if (record['schema'] !== RUN_RECORD_SCHEMA) {
    return `has schema ${JSON.stringify(record['schema'] ?? null)}, and this version of cmsha reads schema ${RUN_RECORD_SCHEMA}: read it with the cmsha that wrote it, or run again`;
  }
  const missing = ['runId', 'startedAt', 'siteFile'].filter((key) => typeof record[key] !== 'string');
  missing.push(...['stats', 'site', 'environment'].filter((key) => typeof record[key] !== 'object' || record[key] === null));
  if (!Array.isArray(record['tests'])) missing.push('tests');
  return missing.length === 0 ? null : `lacks ${missing.join(', ')}`;
}

function notARun(file: string, problem: string, cause?: unknown): HarnessError {
  return new HarnessError('BAD_INPUT', `${file} is not a cms-ha-chaos run record: it ${problem}.`, { cause, details: { file } });
}
