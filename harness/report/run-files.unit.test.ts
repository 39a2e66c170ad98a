// A run's files on disk: run.json, junit.xml and index.html in <reportsDir>/<runId>, no temp file left behind,
// `latest` a relative link moved to each new run, and run.json read back with its schema checked.

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';

import type { RunRecord } from '../core/model.js';
import { readRunFile, writeRunFiles } from './run-files.js';
import { syntheticComparison, syntheticRunRecord } from '../testing/report-fixtures.js';

describe('run files', function () {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cmsha-run-files-'));
    dirs.push(dir);
    return dir;
  };
  after(function () {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes run.json, junit.xml and index.html into <reportsDir>/<runId> and points latest at it', function () {
    const reportsDir = tempDir();
    const record = syntheticRunRecord({ hostile: true });
    const written = writeRunFiles(record, reportsDir, { comparison: syntheticComparison() });
    const runDir = resolve(reportsDir, record.runId);
    expect(written).to.deep.equal({
      dir: runDir,
      runJson: join(runDir, 'run.json'),
      junitXml: join(runDir, 'junit.xml'),
      indexHtml: join(runDir, 'index.html'),
      latest: join(resolve(reportsDir), 'latest'),
    });
    expect(readdirSync(runDir).sort()).to.deep.equal(['index.html', 'junit.xml', 'run.json']);
    expect(readdirSync(reportsDir).filter((name) => name.includes('.tmp'))).to.deep.equal([]);
    expect(lstatSync(written.latest).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(written.latest)).to.equal(record.runId);
    expect(XMLValidator.validate(readFileSync(written.junitXml, 'utf8'))).to.equal(true);
    expect(readFileSync(written.indexHtml, 'utf8')).to.contain('id="comparison"');
  });

  it('reads run.json back as it was written, from the run folder, the file or latest', function () {
    const reportsDir = tempDir();
    const record = syntheticRunRecord({ hostile: true });
    const written = writeRunFiles(record, reportsDir);
    expect(readRunFile(written.dir)).to.deep.equal(record);
    expect(readRunFile(written.runJson)).to.deep.equal(record);
    expect(readRunFile(join(reportsDir, 'latest')).runId).to.equal(record.runId);
  });

  it('moves latest to the newest run and keeps the older one', function () {
    const reportsDir = tempDir();
    writeRunFiles(syntheticRunRecord({ hostile: false, runId: 'first' }), reportsDir);
    writeRunFiles(syntheticRunRecord({ hostile: false, runId: 'second' }), reportsDir);
    expect(readlinkSync(join(reportsDir, 'latest'))).to.equal('second');
    expect(readRunFile(join(reportsDir, 'first')).runId).to.equal('first');
  });

  it('refuses a run id that is not a folder name of its own', function () {
    const reportsDir = tempDir();
    for (const runId of ['../escape', 'latest', '', 'a/b']) {
      expect(() => writeRunFiles(syntheticRunRecord({ hostile: false, runId }), reportsDir), runId)
        .to.throw(/cannot name a report folder/)
        .with.property('code', 'BAD_INPUT');
    }
    expect(readdirSync(reportsDir)).to.deep.equal([]);
  });

  it('names the file and says what is wrong when it is not a run record of this schema', function () {
    const dir = tempDir();
    const file = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const old = file('old.json', JSON.stringify({ ...syntheticRunRecord({ hostile: false }), schema: 1 }));
    expect(() => readRunFile(old)).to.throw(
      `${old} is not a cms-ha-chaos run record: it has schema 1, and this version of cmsha reads schema 2`,
    );
    const garbage = file('garbage.json', '{ not json');
    expect(() => readRunFile(garbage)).to.throw(new RegExp(`${garbage} is not a cms-ha-chaos run record: it is not JSON`));
    const list = file('list.json', '[]');
    expect(() => readRunFile(list)).to.throw(/does not hold a JSON object/);
    const incomplete: Partial<RunRecord> = syntheticRunRecord({ hostile: false });
    delete incomplete.tests;
    delete incomplete.runId;
    const partial = file('partial.json', JSON.stringify(incomplete));
    expect(() => readRunFile(partial)).to.throw(`${partial} is not a cms-ha-chaos run record: it lacks runId, tests.`);
    const empty = join(dir, 'empty-run');
    mkdirSync(empty);
    expect(() => readRunFile(empty))
      .to.throw(new RegExp(`Cannot read the run record ${join(empty, 'run.json')}`))
      .with.property('code', 'BAD_INPUT');
  });
});
