// JUnit XML for CI, parsed back with fast-xml-parser: one testsuite per outer suite, one testcase per execution with
// the repeat in its name, failures with message and stack, skipped for pending, the run's facts as properties.

import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import type { RunRecord } from '../core/model.js';
import { escapeXml, renderJunit, stripInvalidXmlChars } from './junit.js';
import { HOSTILE, PRIMARY_DOWN_TITLE, REPEATS, RUN_SEED, syntheticPoolRunRecord, syntheticRunRecord } from '../testing/report-fixtures.js';

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
  properties: { property: Array<{ '@_name': string; '@_value': string }> };
  testcase: ParsedCase[];
}
interface Parsed {
  testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; testsuite: ParsedSuite[] };
}

function parse(xml: string): Parsed {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
  return parser.parse(xml) as Parsed;
}

describe('renderJunit', function () {
  const record = syntheticRunRecord({ hostile: true });
  const xml = renderJunit(record);
  const parsed = parse(xml);
  const suites = parsed.testsuites.testsuite;
  const suite = (name: string): ParsedSuite => suites.find((s) => s['@_name'] === name)!;

  it('is valid XML', function () {
    expect(XMLValidator.validate(xml)).to.equal(true);
  });

  it('has one testsuite per outer suite and one testcase per execution', function () {
    expect(suites.map((s) => s['@_name'])).to.deep.equal(['cm-link', 'primary-down', 'ess-takeover', 'heartbeat-path', 'failback']);
    expect(suites.flatMap((s) => s.testcase)).to.have.length(record.tests.length);
    expect(parsed.testsuites['@_tests']).to.equal(String(record.tests.length));
    expect(parsed.testsuites['@_failures']).to.equal('4');
    expect(parsed.testsuites['@_skipped']).to.equal('1');
    expect(suite('primary-down')['@_failures']).to.equal('1');
  });

  it('names each execution by its repeat when the run repeats its tests', function () {
    const names = suite('cm-link').testcase.map((c) => c['@_name']);
    expect(names).to.deep.equal(
      [1, 2, 3].map((r) => `keeps the secondary standby when the ACD link of the primary is reset [repeat ${r} of ${REPEATS}]`),
    );
    expect(new Set(suites.flatMap((s) => s.testcase.map((c) => `${c['@_classname']} ${c['@_name']}`))).size).to.equal(record.tests.length);
    const cmLink = suite('cm-link').testcase[0]!;
    expect(cmLink['@_classname']).to.equal('cm-link / reset');
    expect(cmLink['@_time']).to.equal('7.600');
  });

  it('keeps plain titles when the run does not repeat', function () {
    const single: RunRecord = { ...record, repeat: 1, tests: record.tests.filter((t) => t.repeat === 0) };
    const names = parse(renderJunit(single)).testsuites.testsuite.flatMap((s) => s.testcase.map((c) => c['@_name']));
    expect(names).to.include('keeps the secondary standby when the ACD link of the primary is reset');
    expect(names.every((n) => !n.includes('[repeat'))).to.equal(true);
  });

  it('gives a failed execution its message (hostile text intact after parsing), stack, failed assertions and replay seed', function () {
    const failed = suite('primary-down').testcase.find((c) => c.failure)!;
    expect(failed['@_name']).to.equal(`${PRIMARY_DOWN_TITLE} ${HOSTILE.title} [repeat 3 of 3]`);
    expect(failed.failure!['@_message']).to.contain('expected 2220–2290 ms').and.to.contain(HOSTILE.error);
    expect(failed.failure!['#text']).to.contain('at Context.<anonymous> (suites/primary-down.suite.ts:42:7)');
    expect(failed['system-out'])
      .to.contain('FAILED: cms-secondary became ACTIVE 3.205 s')
      .and.to.contain(`npx cmsha run --seed ${RUN_SEED}`);
    expect(xml).to.not.contain(HOSTILE.error);
  });

  it('marks a pending execution skipped and a passed one bare', function () {
    expect(suite('failback').testcase[0]).to.have.property('skipped');
    const passed = suite('ess-takeover').testcase[0]!;
    expect(passed.failure).to.equal(undefined);
    expect(passed['system-out']).to.equal(undefined);
  });

  it('gives every suite the run id, seed, time scale, site file and repeats as properties', function () {
    const properties = Object.fromEntries(suite('cm-link').properties.property.map((p) => [p['@_name'], p['@_value']]));
    expect(properties).to.deep.equal({
      runId: record.runId,
      seed: String(RUN_SEED),
      timeScale: '0.05',
      siteFile: record.siteFile,
      repeat: String(REPEATS),
    });
  });

  it('strips characters XML cannot hold and stays valid', function () {
    const nasty: RunRecord = {
      ...record,
      tests: [
        {
          ...record.tests[3]!,
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

describe('renderJunit: inconclusive executions', function () {
  it('reports an inconclusive execution as an error of the harness, never as a failure', function () {
    const xml = renderJunit(syntheticPoolRunRecord());
    expect(XMLValidator.validate(xml)).to.equal(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml) as {
      testsuites: {
        '@_failures': string;
        '@_errors': string;
        testsuite: Array<{ '@_name': string; testcase: Array<Record<string, unknown>> }>;
      };
    };
    expect(parsed.testsuites['@_errors']).to.equal('1');
    expect(parsed.testsuites['@_failures'], 'the failures are the site’s only').to.equal('4');
    const ess = parsed.testsuites.testsuite.find((s) => s['@_name'] === 'ess-takeover')!;
    const error = ess.testcase[1]!['error'] as Record<string, string>;
    expect(error['@_type']).to.equal('inconclusive (harness): toxiproxy');
    expect(error['@_message']).to.match(/^inconclusive \(harness\): the site's Toxiproxy stopped answering/);
    expect(ess.testcase[1]!['failure']).to.equal(undefined);
  });
});
