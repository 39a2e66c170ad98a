// JUnit XML for CI: valid XML (checked by fast-xml-parser), one testsuite per outer suite, one testcase
// per test, failures with message and stack, skipped for pending, flaky as passed with a note.

import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { escapeXml, renderJunit, stripInvalidXmlChars } from './junit.js';
import type { RunRecord } from '../core/model.js';
import { HOSTILE, syntheticRunRecord } from './test-fixtures.js';

interface ParsedCase {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  failure?: { '@_message': string; '#text': string };
  skipped?: unknown;
  'system-out'?: string;
}
interface ParsedSuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_skipped': string;
  testcase: ParsedCase[];
}

function parse(xml: string): { testsuites: { '@_tests': string; '@_failures': string; testsuite: ParsedSuite[] } } {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' });
  return parser.parse(xml) as ReturnType<typeof parse>;
}

describe('renderJunit', function () {
  const record = syntheticRunRecord({ hostile: true, extraOutcomes: true });
  const xml = renderJunit(record);

  it('is valid XML', function () {
    expect(XMLValidator.validate(xml)).to.equal(true);
  });

  it('has one testsuite per outer suite and one testcase per test', function () {
    const parsed = parse(xml);
    const suites = parsed.testsuites.testsuite;
    expect(suites.map((s) => s['@_name'])).to.deep.equal(['cm-link', 'primary-down', 'ess-takeover', 'heartbeat-jitter', 'failback']);
    expect(suites.flatMap((s) => s.testcase)).to.have.length(record.tests.length);
    expect(parsed.testsuites['@_tests']).to.equal(String(record.tests.length));
    expect(parsed.testsuites['@_failures']).to.equal('1');
  });

  it('names each testcase by suite path and title with the time in seconds', function () {
    const suites = parse(xml).testsuites.testsuite;
    const cmLink = suites[0]!.testcase[0]!;
    expect(cmLink['@_classname']).to.equal('cm-link / reset');
    expect(cmLink['@_name']).to.equal('keeps the secondary standby when the ACD link of the primary is reset');
    expect(cmLink['@_time']).to.equal('7.600');
  });

  it('gives failed tests a failure with the message (hostile text intact after parsing) and the stack as text', function () {
    const failed = parse(xml).testsuites.testsuite[1]!.testcase[0]!;
    expect(failed['@_name']).to.contain(HOSTILE.title);
    expect(failed.failure!['@_message']).to.contain('expected 2.0–3.5 s');
    expect(failed.failure!['#text']).to.contain('at Context.<anonymous> (suites/primary-down.int.test.ts:42:7)');
    expect(failed['system-out']).to.contain('FAILED: cms-secondary became ACTIVE 4.1 s');
    expect(xml).to.not.contain(HOSTILE.error);
  });

  it('marks pending as skipped and flaky as passed with a note', function () {
    const suites = parse(xml).testsuites.testsuite;
    const flaky = suites[3]!.testcase[0]!;
    expect(flaky.failure).to.equal(undefined);
    expect(flaky['system-out']).to.contain('FLAKY: passed on attempt 2 after 1 failed attempt(s)');
    const pending = suites[4]!.testcase[0]!;
    expect(pending).to.have.property('skipped');
    expect(suites[4]!['@_skipped']).to.equal('1');
  });

  it('strips characters XML cannot hold and stays valid', function () {
    const nasty: RunRecord = {
      ...record,
      tests: [
        {
          ...record.tests[1]!,
          title: 'bell\u0007 and nul\u0000 and \uFFFE',
          error: { message: 'esc \u001b[31mred\u001b[0m ]]> "q"', stack: null },
        },
      ],
    };
    const out = renderJunit(nasty);
    expect(XMLValidator.validate(out)).to.equal(true);
    for (const bad of ['\u0000', '\u0007', '\u001b', '\uFFFE']) expect(out).to.not.contain(bad);
    expect(stripInvalidXmlChars('a\u0001b\tc\n')).to.equal('ab\tc\n');
    expect(escapeXml(`<&>"'`)).to.equal('&lt;&amp;&gt;&quot;&apos;');
  });

  it('notes a partial run in a comment and stays valid', function () {
    const out = renderJunit({ ...record, partial: true, partialReason: 'received SIGINT -- twice' });
    expect(XMLValidator.validate(out)).to.equal(true);
    expect(out).to.contain('<!-- PARTIAL run: received SIGINT - - twice -->');
  });
});
