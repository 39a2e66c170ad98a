// Reads a site file (YAML, or JSON, which is YAML too) and checks it against the schema. Every problem is reported
// at once, each naming the file, the path inside it, the value given and what is allowed.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import parseDuration from 'parse-duration';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { HarnessError } from './errors.js';
import { crossFieldProblems, DEFAULT_SITE, resolveSite, siteFileSchema, type SiteConfig, type SiteProblem } from './site-config.js';

/** What the site file says of the nightly exploration: each field null when it says nothing. */
export interface ExploreSettings {
  budgetMs: number | null;
  timeScale: number | null;
}

/** Loads and checks a site file; `null` gives the default site. Throws HarnessError BAD_CONFIG naming every problem. */
export function loadSiteFile(path: string | null): { site: SiteConfig; timeScale: number | null; name: string; explore: ExploreSettings } {
  if (path === null)
    return {
      site: structuredClone(DEFAULT_SITE) as SiteConfig,
      timeScale: null,
      name: 'default',
      explore: { budgetMs: null, timeScale: null },
    };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new HarnessError(
      'BAD_CONFIG',
      `${path}: cannot read the site file (${code === 'ENOENT' ? 'no such file' : (cause as Error).message}). Give the path of a YAML or JSON site file (see site.example.yaml).`,
      { cause, details: { file: path } },
    );
  }
  return { ...parseSiteText(text, path), name: basename(path) };
}

/** Parses and checks a site file's text; `where` names it in messages. */
export function parseSiteText(text: string, where: string): { site: SiteConfig; timeScale: number | null; explore: ExploreSettings } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return `${where}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`;
    });
    throw new HarnessError('BAD_CONFIG', `${lines.join('\n')}\nFix the syntax (YAML or JSON) and run again.`, { details: { file: where } });
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = siteFileSchema.safeParse(raw);
  if (!parsed.success)
    throw siteError(
      where,
      parsed.error.issues.map((issue) => fromIssue(issue, raw)),
    );
  const site = resolveSite(parsed.data);
  const problems = crossFieldProblems(site);
  const budget = parsed.data.explore?.budget;
  const budgetMs = budget === undefined ? null : budget === 0 ? 0 : (parseDuration(budget) ?? null);
  if (budget !== undefined && (budgetMs === null || budgetMs < 0))
    problems.push({ path: 'explore.budget', value: budget, message: 'is not a duration: give one such as 15m or 2h, or 0 for none' });
  if (problems.length > 0) throw siteError(where, problems);
  return { site, timeScale: parsed.data.timeScale ?? null, explore: { budgetMs, timeScale: parsed.data.explore?.timeScale ?? null } };
}

/** Checks a site assembled in code (a scenario's overrides on the run's site) with the same rules as a site file. */
export function checkSite(site: SiteConfig, where: string): SiteConfig {
  const parsed = siteFileSchema.safeParse(site);
  if (!parsed.success)
    throw siteError(
      where,
      parsed.error.issues.map((issue) => fromIssue(issue, site)),
    );
  const problems = crossFieldProblems(site);
  if (problems.length > 0) throw siteError(where, problems);
  return site;
}

function siteError(where: string, problems: SiteProblem[]): HarnessError {
  const lines = problems.map((p) => `${where}: ${p.path}: ${p.value === undefined ? '' : `${JSON.stringify(p.value)} `}${p.message}`);
  return new HarnessError('BAD_CONFIG', `${lines.join('\n')}\nSee site.example.yaml for every setting, its default and what is allowed.`, {
    details: { file: where, problems },
  });
}

function fromIssue(issue: z.core.$ZodIssue, raw: unknown): SiteProblem {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const parent = valueAt(raw, path) as Record<string, unknown> | undefined;
    const known = knownKeys(path);
    return {
      path: [...path, issue.keys[0] ?? '?'].join('.') || '(top level)',
      value: undefined,
      message: `is not a setting${known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}${parent === undefined ? '' : ''}`,
    };
  }
  return { path: path.join('.') || '(top level)', value: valueAt(raw, path), message: issue.message };
}

function valueAt(raw: unknown, path: string[]): unknown {
  let at: unknown = raw;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** The keys the schema knows at a path of the site file, for "unknown key" messages. */
function knownKeys(path: string[]): string[] {
  let schema: unknown = siteFileSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    schema = shape?.[key];
    if (schema === undefined) return [];
  }
  return Object.keys(shapeOf(schema) ?? {});
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } } | undefined;
  for (let depth = 0; depth < 4 && s && s.shape === undefined; depth++) s = (s.def?.innerType ?? s.unwrap?.()) as typeof s;
  return s?.shape;
}
