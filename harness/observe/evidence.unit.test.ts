// Unit tests of the Evidence builder: the TestEvidence shape the reporter reads, faults on the timeline where they
// happened, measurements against their windows, and attaching to a mocha test.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { EVIDENCE_KEY, type FaultRecord, type TestEvidence, type Window } from '../core/model.js';
import { DEFAULT_SITE } from '../core/site-config.js';
import { Evidence } from './evidence.js';
import { at, EventMaker } from '../testing/events.js';
import { Timeline } from './timeline.js';

function fault(id: string, appliedMs: number): FaultRecord {
  return {
    id,
    kind: 'cut',
    target: 'heartbeat',
    direction: 'both',
    attributes: {},
    appliedNs: at(appliedMs).toString(),
    confirmedNs: at(appliedMs + 2).toString(),
    removedNs: null,
    healedNs: null,
  };
}

const window: Window = {
  name: 'failover',
  description: 'secondary ACTIVE',
  kind: 'protocol',
  anchorLabel: 'cut',
  anchorNs: at(10).toString(),
  fromMs: 30,
  toMs: 60,
  derivation: 'd',
};

describe('Evidence', () => {
  it('produces a TestEvidence with the site, timeline, faults, windows, measurements, assertions, end state and logs', () => {
    const evidence = new Evidence('primary-down', { site: DEFAULT_SITE, timeScale: 0.05, overrides: null }, { startNs: at(0) });
    evidence.timeline.add([new EventMaker().role('cms-secondary', 50, 'ACTIVE')]);
    const f = fault('f1', 10);
    evidence.addFault(f);
    f.removedNs = at(70).toString();
    evidence.faultRemoved(f);
    const measured = evidence.measure(window, at(50), 'cms-secondary became ACTIVE');
    evidence.addAssertion('cms-secondary became ACTIVE', true);
    evidence.setEndState({ 'cms-secondary': 'ACTIVE' });
    evidence.setLogs('cms-primary', ['a', 'b']);
    evidence.finish(at(100));
    evidence.finish(at(200));

    expect(measured).to.deep.include({ valueMs: 40, withinWindow: true, window: 'failover' });
    const json: TestEvidence = evidence.toJSON();
    expect(json).to.deep.include({
      scenario: 'primary-down',
      startNs: at(0).toString(),
      endNs: at(100).toString(),
      timeScale: 0.05,
      standinOverrides: null,
    });
    expect(json.site).to.deep.equal(DEFAULT_SITE);
    expect(json.windows).to.deep.equal([window]);
    expect(json.endState).to.deep.equal({ 'cms-secondary': 'ACTIVE' });
    expect(json.logs).to.deep.equal({ 'cms-primary': ['a', 'b'] });
    expect(json.timeline.map((e) => `${e.node}:${e.type}`)).to.deep.equal([
      'harness:fault-applied',
      'cms-secondary:role',
      'harness:fault-removed',
    ]);
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
  });

  it('keeps one window per name and anchor, and a measurement outside its window as such', () => {
    const evidence = new Evidence('x', null, { startNs: at(0) });
    evidence.addWindow(window);
    evidence.addWindow({ ...window, toMs: 70 });
    evidence.addWindow({ ...window, anchorNs: at(20).toString() });
    expect(evidence.toJSON().windows.map((w) => w.toMs)).to.deep.equal([70, 60]);
    expect(evidence.measure(window, at(100)).withinWindow).to.equal(false);
  });

  it('rejects a duplicate fault id', () => {
    const evidence = new Evidence('x', null);
    evidence.addFault(fault('f1', 0));
    expect(() => evidence.addFault(fault('f1', 1))).to.throw(HarnessError, /already recorded/);
  });

  it('holds a given timeline', () => {
    const timeline = new Timeline();
    expect(new Evidence('x', null, { timeline }).timeline).to.equal(timeline);
  });

  it('attaches to a mocha test so the reporter reads the evidence as it is at the end', function () {
    const evidence = new Evidence('attach', null);
    const test = this.test;
    evidence.attachTo(test);
    evidence.addAssertion('later', false);
    const attached = (test as Mocha.Test & { [EVIDENCE_KEY]?: TestEvidence })[EVIDENCE_KEY];
    expect(attached?.scenario).to.equal('attach');
    expect(attached?.assertions).to.deep.equal([{ text: 'later', passed: false }]);
    expect(() => evidence.attachTo(undefined)).to.throw(HarnessError, /this.currentTest/);
  });
});
