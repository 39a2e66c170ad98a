// Tests of the on-disk state file: written whole (no temp file left), read back, absent on a first start.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJsonFile, writeJsonFileAtomic } from './durable-file.js';

describe('durable state file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmsha-durable-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, replacing the previous content, and leaves no temp file', () => {
    const file = path.join(dir, 'admin-sync.json');
    expect(readJsonFile(file)).to.equal(undefined);
    writeJsonFileAtomic(file, { lastSeq: 1 });
    writeJsonFileAtomic(file, { lastSeq: 2 });
    expect(readJsonFile(file)).to.deep.equal({ lastSeq: 2 });
    expect(fs.readdirSync(dir)).to.deep.equal(['admin-sync.json']);
  });

  it('refuses a file that is not JSON, naming it', () => {
    const file = path.join(dir, 'admin-sync.json');
    fs.writeFileSync(file, '{"lastSeq":');
    expect(() => readJsonFile(file)).to.throw(/admin-sync\.json is not JSON/);
  });

  it('fails loudly when the folder cannot be written', () => {
    expect(() => writeJsonFileAtomic(path.join(dir, 'missing', 'admin-sync.json'), {})).to.throw(/ENOENT/);
  });
});
