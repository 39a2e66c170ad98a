// Renders a run as JUnit XML for CI servers: one <testsuite> per outer suite, one <testcase> per execution (the
// repeat in its name when the run repeats its tests). Pure; every piece of text is stripped of what XML cannot hold.

import type { RunRecord, TestRecord } from '../core/model.js';

/** Removes characters XML 1.0 cannot represent at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
export function stripInvalidXmlChars(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

/** Escapes text for XML content and attribute values (both quote kinds, so it is safe in either). */
export function escapeXml(text: string): string {
  return (
    stripInvalidXmlChars(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Attribute values normalise raw newlines and tabs to spaces; keep them as character references.
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

/** Escapes text for element content, where newlines are kept as they are (stack traces stay readable). */
function escapeXmlText(text: string): string {
  return stripInvalidXmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** The outer suite an execution belongs to; tests at the root go into a suite named after the file or "(root)". */
function familyOf(test: TestRecord): string {
  return test.path[0] ?? test.file ?? '(root)';
}

export function renderJunit(record: RunRecord): string {
  const families = new Map<string, TestRecord[]>();
  for (const test of record.tests) families.set(familyOf(test), [...(families.get(familyOf(test)) ?? []), test]);
  const count = (tests: readonly TestRecord[], outcome: TestRecord['outcome']) => tests.filter((t) => t.outcome === outcome).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`cms-ha-chaos ${record.runId}`)}" tests="${record.tests.length}" failures="${count(record.tests, 'failed')}" errors="${count(record.tests, 'inconclusive')}" skipped="${count(record.tests, 'pending')}" time="${seconds(record.stats.durationMs)}" timestamp="${escapeXml(record.startedAt)}">`,
  ];
  if (record.partial) lines.push(`  <!-- PARTIAL run: ${escapeXmlText(record.partialReason ?? 'interrupted').replace(/--/g, '- -')} -->`);
  for (const [family, tests] of families) {
    const time = tests.reduce((sum, t) => sum + t.durationMs, 0);
    lines.push(
      `  <testsuite name="${escapeXml(family)}" tests="${tests.length}" failures="${count(tests, 'failed')}" errors="${count(tests, 'inconclusive')}" skipped="${count(tests, 'pending')}" time="${seconds(time)}" timestamp="${escapeXml(record.startedAt)}">`,
      ...runProperties(record),
      ...tests.flatMap((test) => renderTestcase(test, record.repeat)),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** What a CI reader needs to reproduce the run: its id, seed, time scale and site file. */
function runProperties(record: RunRecord): string[] {
  const properties: Array<[string, string | number]> = [
    ['runId', record.runId],
    ['seed', record.seed],
    ['timeScale', record.timeScale],
    ['siteFile', record.siteFile],
    ['repeat', record.repeat],
  ];
  return [
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${name}" value="${escapeXml(String(value))}"/>`),
    '    </properties>',
  ];
}

/** "<title> [repeat 2 of 3]" when the run repeats its tests, so each execution has a name of its own. */
function testcaseName(test: TestRecord, repeats: number): string {
  return repeats > 1 ? `${test.title} [repeat ${test.repeat + 1} of ${repeats}]` : test.title;
}

function renderTestcase(test: TestRecord, repeats: number): string[] {
  const classname = test.path.length > 0 ? test.path.join(' / ') : familyOf(test);
  const file = test.file ? ` file="${escapeXml(test.file)}"` : '';
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(testcaseName(test, repeats))}" time="${seconds(test.durationMs)}"${file}`;
  switch (test.outcome) {
    case 'passed':
      return [`${open}/>`];
    case 'pending':
      return [`${open}>`, '      <skipped/>', '    </testcase>'];
    case 'failed':
      return [`${open}>`, failure(test), ...systemOut(test), '    </testcase>'];
    case 'inconclusive':
      return [`${open}>`, harnessError(test), '    </testcase>'];
  }
}

/** JUnit's `error` is what went wrong around a test rather than in it: the harness, never the site. */
function harnessError(test: TestRecord): string {
  const message = test.error?.message ?? 'inconclusive (harness)';
  return `      <error message="${escapeXml(message)}" type="inconclusive (harness): ${escapeXml(test.harnessFault?.part ?? 'harness')}">${escapeXmlText(test.error?.stack ?? message)}</error>`;
}

function failure(test: TestRecord): string {
  const message = test.error?.message ?? 'failed';
  return `      <failure message="${escapeXml(message)}">${escapeXmlText(test.error?.stack ?? message)}</failure>`;
}

/** The failed assertions in words and how to replay the fault phase. */
function systemOut(test: TestRecord): string[] {
  const lines = (test.evidence?.assertions ?? []).filter((a) => !a.passed).map((a) => `FAILED: ${a.text}`);
  if (test.seed !== null) lines.push(`replay with: npx cmsha run --seed ${test.seed}`);
  return lines.length === 0 ? [] : [`      <system-out>${escapeXmlText(lines.join('\n'))}</system-out>`];
}
