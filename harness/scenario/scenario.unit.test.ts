// Unit tests of the scenario form, loaded into a fresh mocha instead of the running one: one test per scenario with
// its metadata, families named as the catalogue reads, and expect() choosing between the site's and chai's.

import * as chai from 'chai';
import Mocha from 'mocha';
import { SCENARIO_META_KEY, type ScenarioMeta } from '../core/model.js';
import { SiteExpect } from '../expect/site-expect.js';
import { cut, isolate, kill } from './faults.js';
import { expect, family, scenario } from './scenario.js';
import { Site } from './site.js';

/** The interface globals a suite file sees (describe, it, ...), which loading into another mocha replaces for a while. */
const INTERFACE_GLOBALS = [
  'describe',
  'context',
  'xdescribe',
  'xcontext',
  'it',
  'specify',
  'xit',
  'xspecify',
  'before',
  'after',
  'beforeEach',
  'afterEach',
  'run',
];

/**
 * Declares `define`'s families and scenarios into a new mocha's root suite, as a suite file would be loaded, then puts
 * the running mocha's globals back so this file's own tests are not affected.
 */
function load(define: () => void): Mocha.Suite {
  const mocha = new Mocha();
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = INTERFACE_GLOBALS.map((name) => [name, globals[name]] as const);
  mocha.suite.emit('pre-require', globalThis, 'fake.suite.js', mocha);
  try {
    define();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete globals[name];
      else globals[name] = value;
    }
  }
  return mocha.suite;
}

const outcome = async () => undefined;

function metaOf(test: Mocha.Test | undefined): ScenarioMeta | undefined {
  return (test as unknown as Record<string, ScenarioMeta | undefined>)[SCENARIO_META_KEY];
}

describe('family and scenario', () => {
  it('names the family’s describe `id: title`', () => {
    const root = load(() => family('primary-down', 'the primary CMS fails', () => undefined));
    expect(root.suites.map((s) => s.title)).to.deep.equal(['primary-down: the primary CMS fails']);
  });

  it('registers one mocha test per scenario() call, inside its family, titled as given', () => {
    const root = load(() =>
      family('primary-down', 'the primary CMS fails', () => {
        scenario('makes the secondary ACTIVE when the primary is killed', { faults: kill('cms-primary'), outcome });
        scenario('makes the secondary ACTIVE when the primary is isolated', { faults: isolate('cms-primary'), outcome });
      }),
    );
    const tests = root.suites[0]?.tests ?? [];
    expect(tests.map((t) => t.title)).to.deep.equal([
      'makes the secondary ACTIVE when the primary is killed',
      'makes the secondary ACTIVE when the primary is isolated',
    ]);
    expect(root.tests).to.deep.equal([]);
  });

  it('leaves the family and the faults (preconditions first) on the test under SCENARIO_META_KEY', () => {
    const root = load(() =>
      family('partition', 'the site splits', () => {
        scenario('keeps one ACTIVE when the heartbeat is cut after the admin link', {
          before: cut('admin-sync'),
          faults: [cut('heartbeat'), kill('cm')],
          outcome,
        });
      }),
    );
    expect(metaOf(root.suites[0]?.tests[0])).to.deep.equal({
      family: 'partition',
      faults: [
        { kind: 'cut', target: 'admin-sync' },
        { kind: 'cut', target: 'heartbeat' },
        { kind: 'kill', target: 'cm' },
      ],
    });
  });

  it('keeps the metadata out of the test’s enumerable properties', () => {
    const root = load(() => family('f', 'a family', () => scenario('does a thing', { faults: kill('cm'), outcome })));
    expect(Object.keys(root.suites[0]!.tests[0]!)).not.to.include(SCENARIO_META_KEY);
  });

  it('records a sunny-day scenario with no faults', () => {
    const root = load(() => family('basic-ha', 'standard operation', () => scenario('keeps the roles', { outcome })));
    expect(metaOf(root.suites[0]?.tests[0])).to.deep.equal({ family: 'basic-ha', faults: [] });
  });

  it('gives a scenario the innermost family it is declared in, and the outer one again after it', () => {
    const root = load(() =>
      family('outer', 'outer family', () => {
        family('inner', 'inner family', () => scenario('inside', { outcome }));
        scenario('after', { outcome });
      }),
    );
    const outer = root.suites[0]!;
    expect(metaOf(outer.suites[0]?.tests[0])?.family).to.equal('inner');
    expect(metaOf(outer.tests[0])?.family).to.equal('outer');
  });

  it('rejects a family id that cannot be a Docker topology name where it is declared, saying why', () => {
    const long = 'a'.repeat(32);
    expect(() => load(() => family(long, 'too long', () => undefined))).to.throw(
      `family id "${long}" is invalid: it is also the Docker topology name of its sites, so use 1–31 lower-case letters, digits or dashes, not starting with a dash (it has 32 characters)`,
    );
    expect(() => load(() => family('Primary_Down', 'wrong letters', () => undefined))).to.throw('is also the Docker topology name');
    expect(load(() => family('a'.repeat(31), 'just fits', () => undefined)).suites).to.have.length(1);
  });

  it('rejects a scenario declared outside any family', () => {
    expect(() => load(() => scenario('floats alone', { outcome }))).to.throw('must be declared inside family(...)');
  });
});

describe('expect', () => {
  it('returns the site expectations for a Site', () => {
    // A Site's constructor is private and starts containers: its prototype is all expect() looks at.
    const site = Object.create(Site.prototype) as Site;
    expect(expect(site)).to.be.instanceOf(SiteExpect);
  });

  it('returns chai’s assertion for any other value', () => {
    const assertion = expect({ role: 'ACTIVE' });
    expect(assertion).to.be.instanceOf(chai.Assertion);
    assertion.to.deep.equal({ role: 'ACTIVE' });
  });

  it('shows the whole of a long actual value in a failure: chai’s truncation is off once the scenario form is loaded', () => {
    const actual = 'cms-secondary became ACTIVE 4.502 s after cm stopped and cms-primary killed';
    expect(chai.config.truncateThreshold).to.equal(0);
    expect(() => expect(actual).to.equal('x')).to.throw(chai.AssertionError, actual);
  });

  it('passes the message to chai so a failure carries it', () => {
    expect(() => expect(1, 'the number of ACTIVE CMS').to.equal(2)).to.throw(chai.AssertionError, 'the number of ACTIVE CMS');
  });
});
