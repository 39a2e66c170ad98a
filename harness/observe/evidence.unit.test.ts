// Unit tests of the Evidence builder and expectedWindow: the TestEvidence shape the reporter reads,
// fault events on the timeline, and attaching to a mocha test.

import { expect } from 'chai';
import { DEFAULT_POLICY, DEFAULT_TIMERS } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import { EVIDENCE_KEY, type FaultRecord, type TestEvidence } from '../core/model.js';
import { Evidence, expectedWindow } from './evidence.js';
import { at, EventMaker } from './test-events.js';
import { Timeline } from './timeline.js';

const config = { timeScale: 0.05, timers: { ...DEFAULT_TIMERS }, policy: { ...DEFAULT_POLICY } };

function fault(id: string, appliedMs: number): FaultRecord {
  return {
    id,
    kind: 'cut',
    target: 'heartbeat',
    direction: 'both',
    attributes: { toxic: 'timeout' },
    appliedNs: at(appliedMs).toString(),
    removedNs: null,
  };
}

describe('expectedWindow', () => {
  it('anchors computed bounds at an instant, describing it by name unless told', () => {
    const window = expectedWindow(
      'primary-down detection',
      { fromMs: 40_000, toMs: 65_000, derivation: 'd' },
      { anchorNs: at(0), anchorLabel: 'cms-primary killed' },
    );
    expect(window).to.deep.equal({
      name: 'primary-down detection',
      description: 'primary-down detection',
      anchorLabel: 'cms-primary killed',
      anchorNs: at(0).toString(),
      fromMs: 40_000,
      toMs: 65_000,
      derivation: 'd',
    });
    expect(
      expectedWindow('w', { fromMs: 1, toMs: 2, derivation: '' }, { anchorNs: '5', anchorLabel: 'x', description: 'words' }).description,
    ).to.equal('words');
  });

  it('rejects reversed or non-finite bounds', () => {
    expect(() => expectedWindow('w', { fromMs: 2, toMs: 1, derivation: '' }, { anchorNs: 0n, anchorLabel: 'x' })).to.throw(
      HarnessError,
      /fromMs <= toMs/,
    );
    expect(() => expectedWindow('w', { fromMs: Number.NaN, toMs: 1, derivation: '' }, { anchorNs: 0n, anchorLabel: 'x' })).to.throw(
      HarnessError,
    );
  });
});

describe('Evidence', () => {
  it('produces a TestEvidence with timeline, faults, windows, measurements, assertions and logs', () => {
    const evidence = new Evidence('primary-down', config, { startNs: at(0) });
    const make = new EventMaker();
    evidence.timeline.add([make.role('cms-secondary', 50, 'ACTIVE')]);
    evidence.addFault(fault('f1', 10));
    evidence.faultRemoved('f1', at(70));
    const window = expectedWindow('detection', { fromMs: 30, toMs: 60, derivation: 'd' }, { anchorNs: at(10), anchorLabel: 'cut' });
    evidence.addMeasurement({
      name: 'detection',
      description: 'secondary ACTIVE',
      valueMs: 40,
      anchorNs: at(10),
      atNs: at(50),
      window,
      withinWindow: true,
    });
    evidence.addAssertion('cms-secondary became ACTIVE', true);
    evidence.setLogs('cms-primary', ['a', 'b']);
    evidence.finish(at(100));
    evidence.finish(at(200));

    const json: TestEvidence = evidence.toJSON();
    expect(json.scenario).to.equal('primary-down');
    expect(json.startNs).to.equal(at(0).toString());
    expect(json.endNs).to.equal(at(100).toString());
    expect(json.config).to.deep.equal(config);
    expect(json.faults).to.deep.equal([{ ...fault('f1', 10), removedNs: at(70).toString() }]);
    expect(json.windows).to.deep.equal([window]);
    expect(json.measurements).to.deep.equal([
      {
        name: 'detection',
        description: 'secondary ACTIVE',
        valueMs: 40,
        anchorNs: at(10).toString(),
        atNs: at(50).toString(),
        window: 'detection',
        withinWindow: true,
      },
    ]);
    expect(json.assertions).to.deep.equal([{ text: 'cms-secondary became ACTIVE', passed: true }]);
    expect(json.logs).to.deep.equal({ 'cms-primary': ['a', 'b'] });
    expect(json.timeline.map((e) => `${e.node}:${e.type}`)).to.deep.equal([
      'harness:fault-applied',
      'cms-secondary:role',
      'harness:fault-removed',
    ]);
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
    expect(evidence.passed).to.equal(true);
  });

  it('keeps only its own events of a shared timeline, after the state each node was in at its start', () => {
    const timeline = new Timeline();
    const make = new EventMaker();
    timeline.add([
      make.role('cms-primary', 0, 'ACTIVE'),
      make.link('cms-primary', 1, 'CONNECTING'),
      make.link('cms-primary', 2, 'DATA_TRANSFER'),
      make.log('cms-primary', 3, 'an earlier test'),
      make.role('cms-primary', 4, 'STANDBY', 'ACTIVE'),
      make.role('cms-primary', 5, 'ACTIVE', 'STANDBY'),
    ]);
    const evidence = new Evidence('second test', null, { timeline, startNs: at(100) });
    timeline.add([make.log('cms-primary', 150, 'this test'), make.log('cms-primary', 300, 'after the end')]);
    evidence.finish(at(200));
    const describe = (e: { atNs: string; type: string }): string => `${e.type}@${(BigInt(e.atNs) - at(0)) / 1_000_000n}`;
    expect(evidence.toJSON().timeline.map(describe)).to.deep.equal(['acd-link@2', 'role@5', 'log@150']);
    const full = new Evidence('full', null, { timeline, fullTimeline: true });
    expect(full.toJSON().timeline).to.have.length(8);
  });

  it('rejects a duplicate fault id and the removal of an unknown fault', () => {
    const evidence = new Evidence('x', null);
    evidence.addFault(fault('f1', 0));
    expect(() => evidence.addFault(fault('f1', 1))).to.throw(HarnessError, /already recorded/);
    expect(() => evidence.faultRemoved('nope')).to.throw(HarnessError, /call addFault first/);
  });

  it('holds a given timeline and becomes its recorder', () => {
    const timeline = new Timeline();
    const evidence = new Evidence('x', null, { timeline });
    expect(evidence.timeline).to.equal(timeline);
    expect(timeline.recorder).to.equal(evidence);
  });

  it('attaches to a mocha test so the reporter reads the evidence as it is at the end', function () {
    const evidence = new Evidence('attach', null);
    const test = this.test;
    evidence.attachTo(test);
    evidence.addAssertion('later', false);
    const attached = (test as unknown as Record<string, TestEvidence>)[EVIDENCE_KEY];
    expect(attached?.scenario).to.equal('attach');
    expect(attached?.assertions).to.deep.equal([{ text: 'later', passed: false }]);
    expect(evidence.passed).to.equal(false);
    expect(() => evidence.attachTo(undefined)).to.throw(HarnessError, /this.currentTest/);
  });
});
