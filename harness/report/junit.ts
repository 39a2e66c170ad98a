// Renders a RunRecord as JUnit XML for CI servers: one <testsuite> per outer suite, one <testcase> per test.
// Pure; every piece of text is stripped of characters XML cannot hold and escaped.

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

/** The outer suite a test belongs to; tests at the root go into a suite named after the file or "(root)". */
function familyOf(test: TestRecord): string {
  return test.path[0] ?? (test.file ? test.file : '(root)');
}

export function renderJunit(record: RunRecord): string {
  const families = new Map<string, TestRecord[]>();
  for (const test of record.tests) {
    const family = familyOf(test);
    const list = families.get(family) ?? [];
    list.push(test);
    families.set(family, list);
  }

  const total = record.tests.length;
  const failures = record.stats.failed;
  const skipped = record.stats.pending;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="${escapeXml(`cms-ha-chaos ${record.runId}`)}" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(record.stats.durationMs)}" timestamp="${escapeXml(record.startedAt)}">`,
  );
  if (record.partial) {
    lines.push(`  <!-- PARTIAL run: ${escapeXmlText(record.partialReason ?? 'interrupted').replace(/--/g, '- -')} -->`);
  }

  for (const [family, tests] of families) {
    const suiteFailures = tests.filter((t) => t.outcome === 'failed').length;
    const suiteSkipped = tests.filter((t) => t.outcome === 'pending').length;
    const suiteTime = tests.reduce((sum, t) => sum + t.durationMs, 0);
    lines.push(
      `  <testsuite name="${escapeXml(family)}" tests="${tests.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}" time="${seconds(suiteTime)}" timestamp="${escapeXml(record.startedAt)}">`,
    );
    for (const test of tests) lines.push(...renderTestcase(test, record.timeScale));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function renderTestcase(test: TestRecord, timeScale: number): string[] {
  const classname = test.path.length > 0 ? test.path.join(' / ') : familyOf(test);
  const fileAttr = test.file ? ` file="${escapeXml(test.file)}"` : '';
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(test.title)}" time="${seconds(test.durationMs)}"${fileAttr}`;
  switch (test.outcome) {
    case 'passed':
      return [`${open}/>`];
    case 'pending':
      return [`${open}>`, '      <skipped/>', '    </testcase>'];
    case 'flaky':
      return [
        `${open}>`,
        `      <system-out>${escapeXmlText(`FLAKY: passed on attempt ${test.attempts} after ${test.attempts - 1} failed attempt(s) (time scale ${timeScale}).`)}</system-out>`,
        '    </testcase>',
      ];
    case 'failed': {
      const message = test.error?.message ?? 'failed';
      const body = test.error?.stack ?? message;
      const out: string[] = [`${open}>`, `      <failure message="${escapeXml(message)}">${escapeXmlText(body)}</failure>`];
      const failedAssertions = test.evidence?.assertions.filter((a) => !a.passed) ?? [];
      if (failedAssertions.length > 0) {
        out.push(`      <system-out>${escapeXmlText(failedAssertions.map((a) => `FAILED: ${a.text}`).join('\n'))}</system-out>`);
      }
      out.push('    </testcase>');
      return out;
    }
  }
}
