// The scenario tests the suites declare, listed without running them: mocha loads the suite files and the tree of
// describe/it is read, with what each scenario says about itself (its family and faults).

import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import Mocha from 'mocha';
import { HarnessError } from '../core/errors.js';
import { SCENARIO_META_KEY, type ScenarioMeta } from '../core/model.js';
import { DIST_DIR, PROJECT_ROOT } from '../core/paths.js';

export interface CatalogueEntry {
  fullTitle: string;
  title: string;
  /** The compiled suite file that declares it. */
  file: string;
  meta: ScenarioMeta;
}

/** The compiled suite files, in a stable order. */
export function suiteFiles(dir = join(DIST_DIR, 'suites')): string[] {
  if (!existsSync(dir))
    throw new HarnessError('SETUP_FAILED', `${relative(PROJECT_ROOT, dir)} is missing: build the TypeScript first (npm run build).`);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.suite.js'))
    .sort()
    .map((name) => join(dir, name));
}

const listed = new Map<string, Promise<CatalogueEntry[]>>();

/**
 * Every scenario test of the suites, in file and declaration order. Once per process: a suite module runs (and
 * declares its tests) only the first time it is imported.
 */
export function listCatalogue(files: string[] = suiteFiles()): Promise<CatalogueEntry[]> {
  const key = files.join('\n');
  let entries = listed.get(key);
  if (!entries) listed.set(key, (entries = load(files)));
  return entries;
}

async function load(files: string[]): Promise<CatalogueEntry[]> {
  const mocha = new Mocha();
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const entries: CatalogueEntry[] = [];
  const walk = (suite: Mocha.Suite): void => {
    for (const test of suite.tests) {
      const meta = (test as unknown as Record<string, ScenarioMeta | undefined>)[SCENARIO_META_KEY];
      if (meta) entries.push({ fullTitle: test.fullTitle(), title: test.title, file: test.file ?? '', meta });
    }
    for (const child of suite.suites) walk(child);
  };
  walk(mocha.suite);
  return entries;
}

/**
 * The entries a filter selects: each filter is a family id ("primary-down") or a piece of a full title (case
 * insensitive); no filter selects all. A filter that selects nothing is an error naming the families there are.
 */
export function selectScenarios(entries: CatalogueEntry[], filters: string[]): CatalogueEntry[] {
  if (filters.length === 0) return entries;
  for (const filter of filters) {
    if (!entries.some((e) => matches(e, filter))) {
      const families = [...new Set(entries.map((e) => e.meta.family))];
      throw new HarnessError(
        'BAD_INPUT',
        `No scenario matches "${filter}". Give a family (${families.join(', ')}) or part of a test title; \`npx cmsha run --list\` lists them all.`,
        {
          details: { filter },
        },
      );
    }
  }
  return entries.filter((e) => filters.some((f) => matches(e, f)));
}

function matches(entry: CatalogueEntry, filter: string): boolean {
  return entry.meta.family === filter || entry.fullTitle.toLowerCase().includes(filter.toLowerCase());
}

/**
 * The first scenario each family declares: every family's set-up and its main expectation, for a quick pass that
 * keeps every family running (the quick form of `npm test`; `npm start` runs them all).
 */
export function firstOfEachFamily(entries: CatalogueEntry[]): CatalogueEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.meta.family) && seen.add(e.meta.family));
}
