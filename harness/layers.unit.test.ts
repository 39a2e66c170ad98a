// The layering rule of the harness, checked over the import graph of its sources: a folder imports only itself and
// folders of a strictly lower rank, images/ only through images/protocol/, and suites only through harness/index.ts.

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { PROJECT_ROOT } from './core/paths.js';

/** Rank of each folder of harness/, lowest first. Equal ranks are peers: neither may import the other. */
export const RANKS: Readonly<Record<string, number>> = {
  core: 0,
  docker: 1,
  toxiproxy: 2,
  faults: 3,
  observe: 3,
  topology: 4,
  check: 4,
  expect: 5,
  scenario: 6,
  report: 7,
  setup: 7,
  jobs: 8,
  explore: 9,
  bench: 9,
  cli: 10,
};

/** harness/index.ts is the suites' API: it may import anything, and nothing inside harness/ may import it. */
const API = 'harness/index.ts';
const API_RANK = 11;

export interface Violation {
  file: string;
  specifier: string;
  /** Why, in the form the rule is stated: "rank 1 → rank 3", "images/standin is not images/protocol/". */
  why: string;
}

export function formatViolation(v: Violation): string {
  return `${v.file} → ${v.specifier} (${v.why})`;
}

/** The relative imports of a source text (static, type-only, re-exports and import() calls), comments ignored. */
export function relativeImports(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

/** Every import of a source text, relative or not. */
function allImports(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function describeRank(folder: string): string {
  return folder === '' ? `rank ${API_RANK} (${API})` : `rank ${RANKS[folder]} (${folder})`;
}

/**
 * Checks a set of files, given by project-relative POSIX path ("harness/docker/sweep.ts") → source text. Returns every
 * violation: an import from a higher or peer folder, from images/ other than images/protocol/, from outside harness/
 * and images/, from a folder with no rank; a suite importing anything but ../harness/index.js.
 */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, source] of files) {
    if (file.startsWith('suites/')) {
      for (const specifier of allImports(source)) {
        if (specifier !== '../harness/index.js')
          violations.push({ file, specifier, why: 'suite → only ../harness/index.js may be imported' });
      }
      continue;
    }
    if (!file.startsWith('harness/') || file.startsWith('harness/testing/')) continue; // test support, like the tests, sits outside the layers
    const inFolder = file.split('/').length > 2;
    const fromFolder = inFolder ? (file.split('/')[1] ?? '') : '';
    if (file !== API && !(inFolder && fromFolder in RANKS)) {
      const where = inFolder ? `harness/${fromFolder} has no rank: give it one in RANKS` : `only ${API} may sit at the top of harness/`;
      violations.push({ file, specifier: '(any)', why: where });
      continue;
    }
    for (const specifier of relativeImports(source)) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const why = judge(fromFolder, target);
      if (why) violations.push({ file, specifier, why });
    }
  }
  return violations;
}

/** Why an import of `target` (project-relative) from a file of `fromFolder` breaks the rule, or null. */
function judge(fromFolder: string, target: string): string | null {
  if (target.startsWith('images/')) {
    return target.startsWith('images/protocol/')
      ? null
      : `${describeRank(fromFolder)} → ${target}: only images/protocol/ is shared with the stand-ins`;
  }
  if (!target.startsWith('harness/')) return `${describeRank(fromFolder)} → ${target}: outside harness/ and images/protocol/`;
  if (fromFolder === '') return null; // the API may import anything
  const parts = target.split('/');
  const toFolder = parts.length > 2 ? (parts[1] ?? '') : '';
  if (toFolder === 'testing') return `${describeRank(fromFolder)} → ${target}: only tests and test support may import harness/testing/`;
  if (toFolder === fromFolder) return null;
  const fromRank = RANKS[fromFolder]!;
  const toRank = toFolder === '' ? API_RANK : RANKS[toFolder];
  if (toRank === undefined) return `${describeRank(fromFolder)} → harness/${toFolder}, which has no rank`;
  if (toRank < fromRank) return null;
  return `${describeRank(fromFolder)} → ${describeRank(toFolder)}${toRank === fromRank ? ': peers may not import each other' : ''}`;
}

/**
 * The project folder whose sources are checked: CMSHA_PROJECT_ROOT when set; else PROJECT_ROOT when it holds the
 * sources (this test compiled to <project>/dist); else the folder this file's source map names (compiled elsewhere).
 */
export function sourceRoot(): string {
  const given = process.env['CMSHA_PROJECT_ROOT'];
  if (given) return resolve(given);
  if (existsSync(join(PROJECT_ROOT, API))) return PROJECT_ROOT;
  const here = fileURLToPath(import.meta.url);
  const mapFile = `${here}.map`;
  if (existsSync(mapFile)) {
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sourceRoot?: string; sources?: string[] };
    const source = map.sources?.[0];
    if (source) {
      // The source map names harness/layers.unit.test.ts: the project is the folder above harness/.
      const root = resolve(dirname(mapFile), map.sourceRoot ?? '', source, '..', '..');
      if (existsSync(join(root, API))) return root;
    }
  }
  throw new Error(`Cannot find the project's TypeScript sources from ${here}: set CMSHA_PROJECT_ROOT to the project folder.`);
}

/** Every non-test .ts file under harness/ and suites/, by project-relative POSIX path. */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const relPath = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path, relPath);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.test\.ts$/.test(entry.name))
        files.set(relPath, readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'harness'), 'harness');
  walk(join(root, 'suites'), 'suites');
  return files;
}

describe('the layering rule', () => {
  it('holds for every source file of harness/ and suites/', function () {
    const files = readSources(sourceRoot());
    expect(files.size, 'source files found').to.be.above(50);
    const violations = checkLayers(files).map(formatViolation);
    if (violations.length > 0) {
      // Printed in full, one per line, so the whole list can be acted on from one run.
      console.log(`\n${violations.length} layering violation(s):\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
    }
    expect(violations, violations.join('\n')).to.deep.equal([]);
  });
});

describe('the layering checker', () => {
  const check = (files: Record<string, string>) => checkLayers(new Map(Object.entries(files))).map(formatViolation);

  it('fails on an upward import, naming the file, the import and both ranks', () => {
    expect(check({ 'harness/core/clock.ts': "import { removeContainer } from '../docker/resources.js';" })).to.deep.equal([
      'harness/core/clock.ts → ../docker/resources.js (rank 0 (core) → rank 1 (docker))',
    ]);
  });

  it('passes imports from the same folder, its subfolders and lower ranks', () => {
    expect(
      check({
        'harness/topology/topology.ts': [
          "import { x } from './spec.js';",
          "import { y } from './fixtures/hold-topology.js';",
          "import type { Z } from '../faults/fault-log.js';",
          "import { w } from '../core/errors.js';",
          "import type { N } from '../../images/protocol/index.js';",
          "import Docker from 'dockerode';",
        ].join('\n'),
        'harness/topology/fixtures/hold-topology.ts': "import { t } from '../topology.js';",
      }),
    ).to.deep.equal([]);
  });

  it('fails on an import between peers', () => {
    expect(check({ 'harness/faults/node-faults.ts': "import { Observer } from '../observe/observer.js';" })).to.deep.equal([
      'harness/faults/node-faults.ts → ../observe/observer.js (rank 3 (faults) → rank 3 (observe): peers may not import each other)',
    ]);
  });

  it('counts type-only imports, re-exports and import() calls, and ignores commented-out imports', () => {
    const found = check({
      'harness/docker/a.ts': [
        "import type { T } from '../scenario/site.js';",
        "export { u } from '../jobs/run.js';",
        "const lazy = () => import('../cli/main.js');",
        "// import { v } from '../bench/bench.js';",
      ].join('\n'),
    });
    expect(found.map((v) => v.split(' ')[2])).to.deep.equal(['../scenario/site.js', '../jobs/run.js', '../cli/main.js']);
  });

  it('fails on an import from images/ other than images/protocol/', () => {
    const found = check({ 'harness/observe/a.ts': "import { parse } from '../../images/standin/wire.js';" });
    expect(found).to.have.length(1);
    expect(found[0]).to.contain('only images/protocol/ is shared');
  });

  it('lets harness/index.ts import anything, and nothing import it back', () => {
    expect(check({ [API]: "export { x } from './cli/main.js';\nexport { y } from './scenario/scenario.js';" })).to.deep.equal([]);
    expect(check({ 'harness/cli/main.ts': "import { family } from '../index.js';" })).to.deep.equal([
      'harness/cli/main.ts → ../index.js (rank 10 (cli) → rank 11 (harness/index.ts))',
    ]);
  });

  it('fails on a folder with no rank and on an import of one', () => {
    expect(check({ 'harness/extra/a.ts': '' })).to.deep.equal([
      'harness/extra/a.ts → (any) (harness/extra has no rank: give it one in RANKS)',
    ]);
    expect(check({ 'harness/helpers.ts': '' })[0]).to.contain('only harness/index.ts may sit at the top of harness/');
    expect(check({ 'harness/cli/a.ts': "import { b } from '../extra/b.js';" })[0]).to.contain('which has no rank');
  });

  it('lets a suite import only ../harness/index.js', () => {
    expect(check({ 'suites/a.suite.ts': "import { family } from '../harness/index.js';" })).to.deep.equal([]);
    expect(
      check({ 'suites/b.suite.ts': "import { Site } from '../harness/scenario/site.js';\nimport { expect } from 'chai';" }),
    ).to.deep.equal([
      'suites/b.suite.ts → ../harness/scenario/site.js (suite → only ../harness/index.js may be imported)',
      'suites/b.suite.ts → chai (suite → only ../harness/index.js may be imported)',
    ]);
  });
});
