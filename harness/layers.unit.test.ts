// The layering rule of the harness, checked over the import graph of its sources: a folder imports only itself and
// the folders it has an allowed edge to; test support only from tests; images/ only through images/protocol/; suites
// only through harness/index.ts; and no cycle, neither of folders nor of files.

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { PROJECT_ROOT } from './core/paths.js';

/**
 * The allowed edges: the folders of harness/ each folder may import besides itself (DESIGN §3). A folder missing
 * here is a violation until it is given its edges. The edges are acyclic (checked below).
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // The model at the bottom: the run's data, its codecs, the clock, the poller.
  core: [],
  // Pure statistics over the model.
  stats: ['core'],
  // The runtime chain that makes and faults sites: docker → toxiproxy/faults/observe → topology/check → expect → scenario.
  docker: ['core'],
  toxiproxy: ['core', 'docker'],
  faults: ['core', 'docker'],
  observe: ['core'],
  topology: ['core', 'docker', 'toxiproxy', 'faults', 'observe'],
  check: ['core', 'observe'],
  expect: ['core', 'faults', 'observe', 'check'],
  scenario: ['core', 'docker', 'faults', 'observe', 'topology', 'check', 'expect'],
  // A pure renderer over the run model.
  report: ['core', 'stats'],
  // The orchestrators on top.
  setup: ['core', 'docker', 'toxiproxy'],
  jobs: ['core', 'stats', 'docker', 'observe', 'check', 'scenario', 'report'],
  explore: ['core', 'stats', 'docker', 'observe', 'check', 'scenario', 'jobs'],
  bench: ['core', 'docker', 'toxiproxy', 'faults', 'observe', 'topology', 'setup', 'jobs', 'report'],
  cli: ['core', 'stats', 'docker', 'topology', 'setup', 'jobs', 'explore', 'bench', 'report'],
};

/** Test support: fakes, fixtures, child-process programs of the tests. It may import any folder; only tests and itself may import it. */
export const TEST_SUPPORT = 'testing';

/** harness/index.ts is the suites' API: it may import any folder but test support, and nothing inside harness/ may import it. */
const API = 'harness/index.ts';

export interface Violation {
  file: string;
  specifier: string;
  /** Why, in the form the rule is stated: "core → report is not an allowed edge (core imports nothing)". */
  why: string;
}

export function formatViolation(v: Violation): string {
  return `${v.file} → ${v.specifier} (${v.why})`;
}

/** The relative imports of a source text (static, type-only, re-exports and import() calls), comments ignored. */
export function relativeImports(source: string): string[] {
  return allImports(source).filter(isRelative);
}

/** Every import of a source text, relative or not. */
function allImports(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * The relative imports a source text evaluates when it loads: static imports and re-exports, without those that are
 * type-only (`import type`, `export type`, or every name marked `type`), which the compiler erases, nor import() calls,
 * which run later. A cycle of these is one where a module can see another half-initialised.
 */
export function valueImports(source: string): string[] {
  const file = ts.createSourceFile('a.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const allTypes = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) =>
    elements.length > 0 && elements.every((e) => e.isTypeOnly);
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            allTypes(clause.namedBindings.elements)));
      if (!typeOnly) found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.exportClause;
      const typeOnly = statement.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && allTypes(clause.elements));
      if (!typeOnly) found.push(statement.moduleSpecifier.text);
    }
  }
  return found.filter(isRelative);
}

/** The folder of harness/ a project-relative path lies in: "docker" for harness/docker/sweep.ts, '' for harness/index.ts, null outside harness/. */
function folderOf(path: string): string | null {
  const parts = path.split('/');
  if (parts[0] !== 'harness') return null;
  return parts.length > 2 ? (parts[1] ?? '') : '';
}

function isTestFile(path: string): boolean {
  return /\.test\.ts$/.test(path);
}

function mayImport(folder: string): string {
  const to = ALLOWED[folder] ?? [];
  return to.length === 0 ? `${folder} imports nothing` : `${folder} may import ${to.join(', ')}`;
}

/**
 * Checks a set of files, given by project-relative POSIX path ("harness/docker/sweep.ts") → source text. Returns every
 * violation: an import along an edge not in ALLOWED, of test support from production code, of harness/index.ts from
 * inside harness/, from images/ other than images/protocol/, from outside harness/ and images/; a folder with no
 * entry in ALLOWED; a suite importing anything but ../harness/index.js; a cycle of value imports between files.
 * Test files are checked only for their imports of images/ and harness/index.ts.
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
    const fromFolder = folderOf(file);
    if (fromFolder === null) continue;
    if (file !== API && !(fromFolder in ALLOWED) && fromFolder !== TEST_SUPPORT && !(fromFolder === '' && isTestFile(file))) {
      const where =
        fromFolder === ''
          ? `only ${API} may sit at the top of harness/`
          : `harness/${fromFolder} has no allowed edges: give it its entry in ALLOWED`;
      violations.push({ file, specifier: '(any)', why: where });
      continue;
    }
    for (const specifier of relativeImports(source)) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const why = judge(fromFolder, isTestFile(file), target);
      if (why) violations.push({ file, specifier, why });
    }
  }
  return [...violations, ...cycles(files)];
}

/** Why an import of `target` (project-relative) from a file of `fromFolder` ('' for the API) breaks the rule, or null. */
function judge(fromFolder: string, fromTest: boolean, target: string): string | null {
  const from = fromFolder === '' ? API : fromFolder;
  if (target.startsWith('images/')) {
    return target.startsWith('images/protocol/') ? null : `${from} → ${target}: only images/protocol/ is shared with the stand-ins`;
  }
  const toFolder = folderOf(target);
  if (toFolder === null) return `${from} → ${target}: outside harness/ and images/protocol/`;
  // A test of the API itself may import it, as a suite does; nothing else inside harness/ may.
  if (toFolder === '')
    return fromTest && fromFolder === '' ? null : `${from} → ${API}: it is the suites' API, and nothing inside harness/ imports it`;
  if (fromTest || fromFolder === TEST_SUPPORT) return null; // tests and test support may import any folder
  if (toFolder === TEST_SUPPORT) return `${from} → ${TEST_SUPPORT}: only tests and test support may import harness/${TEST_SUPPORT}/`;
  if (toFolder === fromFolder || fromFolder === '') return null; // the API may import any folder but test support
  if (!(toFolder in ALLOWED)) return `${from} → harness/${toFolder}, which has no allowed edges`;
  if (ALLOWED[fromFolder]!.includes(toFolder)) return null;
  return `${from} → ${toFolder} is not an allowed edge; ${mayImport(fromFolder)}`;
}

/** Every cycle of value imports between the given files, each reported once, at the file where it was entered. */
function cycles(files: ReadonlyMap<string, string>): Violation[] {
  const edges = new Map<string, Array<{ specifier: string; target: string }>>();
  for (const [file, source] of files) {
    if (folderOf(file) === null) continue;
    const targets = valueImports(source)
      .map((specifier) => ({ specifier, target: posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts') }))
      .filter((e) => files.has(e.target));
    edges.set(file, targets);
  }
  const found: Violation[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const { specifier, target } of edges.get(file) ?? []) {
      if (state.get(target) === 'open') {
        const loop = [...path.slice(path.indexOf(target)), target];
        found.push({ file, specifier, why: `a cycle of value imports: ${loop.join(' → ')}` });
      } else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** A cycle among the allowed edges (as the folders along it, the first repeated at the end), or null. */
export function allowedCycle(allowed: Readonly<Record<string, readonly string[]>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): string[] | null => {
    state.set(folder, 'open');
    path.push(folder);
    for (const to of allowed[folder] ?? []) {
      if (state.get(to) === 'open') return [...path.slice(path.indexOf(to)), to];
      const found = state.has(to) ? null : visit(to);
      if (found) return found;
    }
    path.pop();
    state.set(folder, 'done');
    return null;
  };
  for (const folder of Object.keys(allowed)) {
    const found = state.has(folder) ? null : visit(folder);
    if (found) return found;
  }
  return null;
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

/** Every .ts file under harness/ and suites/ (tests too), by project-relative POSIX path. */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const relPath = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path, relPath);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.set(relPath, readFileSync(path, 'utf8'));
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

  it('has an entry for every folder of harness/, and allowed edges that form no cycle and name only folders it has', () => {
    const root = sourceRoot();
    const folders = readdirSync(join(root, 'harness'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== TEST_SUPPORT)
      .map((e) => e.name);
    expect(Object.keys(ALLOWED)).to.include.members(folders);
    for (const [folder, to] of Object.entries(ALLOWED)) {
      expect(
        to.filter((t) => !(t in ALLOWED)),
        `edges of ${folder} to folders with no entry`,
      ).to.deep.equal([]);
      expect(to, `${folder} may not import test support`).not.to.include(TEST_SUPPORT);
    }
    expect(allowedCycle(ALLOWED)).to.equal(null);
  });
});

describe('the layering checker', () => {
  const check = (files: Record<string, string>) => checkLayers(new Map(Object.entries(files))).map(formatViolation);

  it('fails on an import along an edge that is not allowed, naming the file, the import, the edge and what the folder may import', () => {
    expect(check({ 'harness/core/clock.ts': "import { removeContainer } from '../docker/resources.js';" })).to.deep.equal([
      'harness/core/clock.ts → ../docker/resources.js (core → docker is not an allowed edge; core imports nothing)',
    ]);
    expect(check({ 'harness/report/html.ts': "import { Site } from '../scenario/site.js';" })).to.deep.equal([
      'harness/report/html.ts → ../scenario/site.js (report → scenario is not an allowed edge; report may import core, stats)',
    ]);
  });

  it('passes imports from the same folder, its subfolders, the folders it has edges to and images/protocol/', () => {
    expect(
      check({
        'harness/topology/topology.ts': [
          "import { x } from './spec.js';",
          "import { y } from './parts/holder.js';",
          "import type { Z } from '../faults/fault-log.js';",
          "import { w } from '../core/errors.js';",
          "import type { N } from '../../images/protocol/index.js';",
          "import Docker from 'dockerode';",
        ].join('\n'),
        'harness/topology/parts/holder.ts': "import { t } from '../spec.js';",
      }),
    ).to.deep.equal([]);
  });

  it('fails on an import between folders with no edge either way', () => {
    expect(check({ 'harness/faults/node-faults.ts': "import { Observer } from '../observe/observer.js';" })).to.deep.equal([
      'harness/faults/node-faults.ts → ../observe/observer.js (faults → observe is not an allowed edge; faults may import core, docker)',
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

  it('lets harness/index.ts import any folder, and nothing import it back', () => {
    expect(check({ [API]: "export { x } from './cli/main.js';\nexport { y } from './scenario/scenario.js';" })).to.deep.equal([]);
    expect(check({ 'harness/cli/main.ts': "import { family } from '../index.js';" })).to.deep.equal([
      "harness/cli/main.ts → ../index.js (cli → harness/index.ts: it is the suites' API, and nothing inside harness/ imports it)",
    ]);
  });

  it('lets tests and test support import test support, and nothing else', () => {
    expect(
      check({
        'harness/docker/sweep.unit.test.ts': "import { FakeDocker } from '../testing/fake-docker.js';\nimport { x } from '../cli/main.js';",
        'harness/testing/fake-docker.ts': "import type { DockerClient } from '../docker/client.js';\nimport { y } from './events.js';",
        'harness/testing/hold-topology.ts': "import { Topology } from '../topology/topology.js';",
      }),
    ).to.deep.equal([]);
    expect(check({ 'harness/docker/sweep.ts': "import { FakeDocker } from '../testing/fake-docker.js';" })).to.deep.equal([
      'harness/docker/sweep.ts → ../testing/fake-docker.js (docker → testing: only tests and test support may import harness/testing/)',
    ]);
    expect(check({ [API]: "export { at } from './testing/events.js';" })[0]).to.contain('only tests and test support may import');
    expect(check({ 'harness/testing/a.ts': "import { family } from '../index.js';" })[0]).to.contain("it is the suites' API");
  });

  it('fails on a folder with no entry and on an import of one', () => {
    expect(check({ 'harness/extra/a.ts': '' })).to.deep.equal([
      'harness/extra/a.ts → (any) (harness/extra has no allowed edges: give it its entry in ALLOWED)',
    ]);
    expect(check({ 'harness/helpers.ts': '' })[0]).to.contain('only harness/index.ts may sit at the top of harness/');
    expect(check({ 'harness/cli/a.ts': "import { b } from '../extra/b.js';" })[0]).to.contain('which has no allowed edges');
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

  it('fails on a cycle of value imports between files, and lets type-only imports and import() calls close a loop', () => {
    expect(
      check({
        'harness/core/a.ts': "import { b } from './b.js';",
        'harness/core/b.ts': "import { c } from './c.js';",
        'harness/core/c.ts': "export { a } from './a.js';",
      }),
    ).to.deep.equal([
      'harness/core/c.ts → ./a.js (a cycle of value imports: harness/core/a.ts → harness/core/b.ts → harness/core/c.ts → harness/core/a.ts)',
    ]);
    expect(
      check({
        'harness/core/a.ts': "import { b } from './b.js';",
        'harness/core/b.ts': "import type { A } from './a.js';\nimport { type C, type D } from './a.js';\nexport type { E } from './a.js';",
        'harness/core/c.ts': "import { a } from './a.js';\nconst d = () => import('./c.js');",
      }),
    ).to.deep.equal([]);
  });

  it('finds a cycle among allowed edges', () => {
    expect(allowedCycle({ core: [], jobs: ['core', 'explore'], explore: ['jobs'] })).to.deep.equal(['jobs', 'explore', 'jobs']);
    expect(allowedCycle(ALLOWED)).to.equal(null);
  });
});
