// Unit tests of the Timeline and of what it says about the site (roles, spans, dual-ACTIVE, link states) on
// synthetic events, and of waiting for events that arrive later.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { msToNs, nowNs } from '../core/clock.js';
import type { StandinEvent } from '../../images/protocol/index.js';
import type { TimelineEvent } from '../core/model.js';
import { at, BASE_NS, EventMaker } from '../testing/events.js';
import { activeSpans, dualActiveSpans, is, isObservableAt, linkAt, roleAt, unobservableSpans } from './site-state.js';
import { spansOf, subtractSpans } from './spans.js';
import { nsOf, Timeline } from './timeline.js';

describe('Timeline', () => {
  it('orders events by instant, then node name, then seq, whatever the arrival order', () => {
    const make = new EventMaker();
    const a = make.role('cms-secondary', 10, 'STANDBY');
    const b = make.role('cms-primary', 10, 'ACTIVE');
    const c = make.log('cms-primary', 10, 'second at the same instant');
    const d = make.log('cm', 5, 'earliest');
    const timeline = new Timeline();
    expect(timeline.add([a, c])).to.equal(2);
    expect(timeline.add([d, b])).to.equal(2);
    expect(timeline.toJSON()).to.deep.equal([d, b, c, a]);
  });

  it('parses each instant once, as the event enters: `ns` on the event, strings only in its JSON and its clones', () => {
    const make = new EventMaker();
    const role = make.role('cms-primary', 10, 'ACTIVE');
    const timeline = new Timeline();
    timeline.add([role]);
    const recorded = timeline.record({ type: 'note', detail: 'x', atNs: at(20) });
    const [first, second] = timeline.events();
    expect([first?.ns, second?.ns]).to.deep.equal([at(10), at(20)]);
    expect(first).to.equal(role);
    expect(recorded.ns).to.equal(at(20));
    expect(JSON.parse(JSON.stringify(timeline))).to.deep.equal([role, { ...recorded }]);
    expect(Object.keys(structuredClone(first!))).not.to.include('ns');
    expect(nsOf(make.log('cm', 30, 'from a record'))).to.equal(at(30));
    expect(nsOf(first!)).to.equal(at(10));
  });

  it('ignores an event added twice and keeps a restarted node whose seq starts again', () => {
    const timeline = new Timeline();
    const first = new EventMaker().log('cm', 1, 'one');
    const again = new EventMaker().log('cm', 900, 'after restart');
    expect(timeline.add([first, first])).to.equal(1);
    expect(timeline.add([first, again])).to.equal(1);
    expect(timeline.size).to.equal(2);
  });

  it('stamps harness events with their own seq and the given or current instant', () => {
    const timeline = new Timeline();
    const before = nowNs();
    const recorded = timeline.record({ type: 'action', subject: 'cms-secondary', detail: 'set-active acknowledged' });
    const fault = timeline.record({ type: 'fault-applied', subject: 'heartbeat', detail: 'cut', atNs: at(5) });
    expect(recorded).to.include({ node: 'harness', seq: 1, type: 'action', subject: 'cms-secondary' });
    expect(recorded.ns >= before).to.equal(true);
    expect(fault).to.deep.equal({
      node: 'harness',
      seq: 2,
      atNs: at(5).toString(),
      type: 'fault-applied',
      subject: 'heartbeat',
      detail: 'cut',
    });
    expect(timeline.events({ node: 'harness' })).to.have.length(2);
  });

  it('filters events by predicate or by node, type and inclusive bounds', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.role('cms-primary', 0, 'ACTIVE'),
      make.log('cm', 10, 'x'),
      make.role('cms-secondary', 20, 'STANDBY'),
      make.log('cm', 30, 'y'),
    ]);
    expect(timeline.events({ node: 'cm' }).map((e) => e.atNs)).to.deep.equal([at(10), at(30)].map(String));
    expect(timeline.events({ type: 'role', fromNs: at(0), toNs: at(20) })).to.have.length(2);
    expect(timeline.events({ fromNs: at(10), toNs: at(20) })).to.have.length(2);
    expect(timeline.events((e) => e.type === 'log')).to.have.length(2);
  });

  it('finds the first matching event at or after an instant', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.role('cms-secondary', 0, 'STANDBY'),
      make.role('cms-secondary', 50, 'ACTIVE', 'STANDBY'),
      make.role('cms-secondary', 90, 'ACTIVE', 'ACTIVE'),
    ]);
    const isActive = (e: { type: string; role?: string }): boolean => e.type === 'role' && e.role === 'ACTIVE';
    expect(timeline.first(isActive)?.atNs).to.equal(at(50).toString());
    expect(timeline.first(isActive, { afterNs: at(50) })?.atNs).to.equal(at(50).toString());
    expect(timeline.first(isActive, { afterNs: at(51) })?.atNs).to.equal(at(90).toString());
    expect(timeline.first(isActive, { afterNs: at(91) })).to.equal(undefined);
  });

  describe('roleAt and activeSpans', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.role('cms-primary', 0, 'ACTIVE'),
      make.role('cms-secondary', 5, 'STANDBY'),
      make.role('cms-secondary', 100, 'ACTIVE', 'STANDBY'),
      make.role('cms-primary', 200, 'STANDBY', 'ACTIVE'),
    ]);

    it('answers the role of the last role event at or before the instant', () => {
      expect(roleAt(timeline, 'cms-secondary', at(4))).to.equal(null);
      expect(roleAt(timeline, 'cms-secondary', at(5))).to.equal('STANDBY');
      expect(roleAt(timeline, 'cms-secondary', at(99))).to.equal('STANDBY');
      expect(roleAt(timeline, 'cms-secondary', at(100))).to.equal('ACTIVE');
      expect(roleAt(timeline, 'cms-primary', at(10_000))).to.equal('STANDBY');
      expect(roleAt(timeline, 'cm', at(10_000))).to.equal(null);
    });

    it('computes ACTIVE spans, open at the end when still ACTIVE', () => {
      expect(activeSpans(timeline, 'cms-primary')).to.deep.equal([{ fromNs: at(0), toNs: at(200) }]);
      expect(activeSpans(timeline, 'cms-secondary')).to.deep.equal([{ fromNs: at(100), toNs: null }]);
    });
  });

  describe('dualActiveSpans', () => {
    it('is empty on a sunny day', () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      timeline.add([make.role('cms-primary', 0, 'ACTIVE'), make.role('cms-secondary', 0, 'STANDBY')]);
      expect(dualActiveSpans(timeline)).to.deep.equal([]);
    });

    it('finds every stretch both CMS were ACTIVE, closed or still open', () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      timeline.add([
        make.role('cms-primary', 0, 'ACTIVE'),
        make.role('cms-secondary', 0, 'STANDBY'),
        make.role('cms-secondary', 60, 'ACTIVE', 'STANDBY'),
        make.role('cms-primary', 80, 'STANDBY', 'ACTIVE'),
        make.role('cms-primary', 120, 'ACTIVE', 'STANDBY'),
      ]);
      expect(dualActiveSpans(timeline)).to.deep.equal([
        { fromNs: at(60), toNs: at(80) },
        { fromNs: at(120), toNs: null },
      ]);
    });

    it('counts a CMS only while it is observable (a killed or paused primary serves nobody)', () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      timeline.add([make.role('cms-primary', 0, 'ACTIVE'), make.role('cms-secondary', 0, 'STANDBY')]);
      timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'timeout', atNs: at(10) });
      timeline.add([make.role('cms-secondary', 70, 'ACTIVE', 'STANDBY')]);
      expect(roleAt(timeline, 'cms-primary', at(70))).to.equal('ACTIVE');
      expect(dualActiveSpans(timeline)).to.deep.equal([]);
      expect(isObservableAt(timeline, 'cms-primary', at(9))).to.equal(true);
      expect(isObservableAt(timeline, 'cms-primary', at(70))).to.equal(false);
      timeline.record({ type: 'observable', subject: 'cms-primary', detail: 'answers again', atNs: at(90) });
      expect(isObservableAt(timeline, 'cms-primary', at(90))).to.equal(true);
      expect(unobservableSpans(timeline, 'cms-primary')).to.deep.equal([{ fromNs: at(10), toNs: at(90) }]);
      // Back in sight and still ACTIVE: now it counts again.
      expect(dualActiveSpans(timeline)).to.deep.equal([{ fromNs: at(90), toNs: null }]);
    });

    it('leaves out a zero-length overlap when the roles swap at the same instant', () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      timeline.add([
        make.role('cms-primary', 0, 'ACTIVE'),
        make.role('cms-primary', 50, 'STANDBY'),
        make.role('cms-secondary', 50, 'ACTIVE'),
      ]);
      expect(dualActiveSpans(timeline)).to.deep.equal([]);
    });
  });

  it('subtracts spans, open or closed', () => {
    expect(
      subtractSpans(
        [{ fromNs: 0n, toNs: 100n }],
        [
          { fromNs: 10n, toNs: 20n },
          { fromNs: 50n, toNs: null },
        ],
      ),
    ).to.deep.equal([
      { fromNs: 0n, toNs: 10n },
      { fromNs: 20n, toNs: 50n },
    ]);
    expect(subtractSpans([{ fromNs: 30n, toNs: null }], [{ fromNs: 0n, toNs: 40n }])).to.deep.equal([{ fromNs: 40n, toNs: null }]);
    expect(subtractSpans([{ fromNs: 30n, toNs: 35n }], [{ fromNs: 0n, toNs: 40n }])).to.deep.equal([]);
    expect(subtractSpans([{ fromNs: 30n, toNs: 35n }], [{ fromNs: 35n, toNs: 40n }])).to.deep.equal([{ fromNs: 30n, toNs: 35n }]);
  });

  it('answers the ACD link state at an instant', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.link('cms-primary', 0, 'CONNECTING'),
      make.link('cms-primary', 10, 'DATA_TRANSFER'),
      make.link('cms-primary', 90, 'CONNECTING', 'ess', 1, 2),
    ]);
    expect(linkAt(timeline, 'cms-primary', at(-1))).to.equal(null);
    expect(linkAt(timeline, 'cms-primary', at(50))).to.deep.include({
      target: 'cm',
      state: 'DATA_TRANSFER',
      attempt: 1,
      cycle: 1,
      atNs: at(10).toString(),
    });
    expect(linkAt(timeline, 'cms-primary', at(95))?.target).to.equal('ess');
  });

  it('builds spans from any on/off predicate', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.alarm('cms-secondary', 10, 'DUAL_ACTIVE'),
      make.alarm('cms-secondary', 40, 'DUAL_ACTIVE', false),
      make.alarm('cms-secondary', 50, 'DUAL_ACTIVE'),
    ]);
    const spans = spansOf(timeline.events(), (e) => (e.type === 'alarm' && e.alarm === 'DUAL_ACTIVE' ? e.raised : undefined));
    expect(spans).to.deep.equal([
      { fromNs: at(10), toNs: at(40) },
      { fromNs: at(50), toNs: null },
    ]);
  });

  it('offers named, type-narrowing predicates for events of a type and role changes', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    timeline.add([
      make.role('cms-primary', 0, 'ACTIVE'),
      make.alarm('cms-primary', 5, 'DUAL_ACTIVE'),
      make.role('cms-secondary', 9, 'ACTIVE'),
    ]);
    const alarms = timeline.events(is.type('alarm'));
    expect(alarms.map((e) => e.alarm)).to.deep.equal(['DUAL_ACTIVE']);
    expect(timeline.events(is.type('role', 'cms-secondary')).map((e) => e.role)).to.deep.equal(['ACTIVE']);
    expect(timeline.events(is.role('cms-primary'))).to.have.length(1);
    expect(timeline.events(is.role(undefined, 'ACTIVE'))).to.have.length(2);
    expect(timeline.events(is.role('cms-primary', 'STANDBY'))).to.have.length(0);
  });

  it('reads the protocol meaning the stand-ins put in free-text reasons through named predicates only', () => {
    const make = new EventMaker();
    const link = (ms: number, reason: string, attempt = 1) => ({ ...make.link('cms-primary', ms, 'CONNECTING', 'cm', attempt, 2), reason });
    const timeline = new Timeline();
    timeline.add([
      link(0, 'attempt 1 of cycle 2: cm try 1 of 5'),
      link(5, 'attempt 1 failed: refused'),
      link(10, 'attempt 2 of cycle 2: cm try 2 of 5', 2),
      make.role('cms-secondary', 20, 'ACTIVE', 'STANDBY', 'heartbeat lost: 3 misses'),
      make.role('cms-primary', 30, 'ACTIVE', 'STANDBY', 'auto failback: the secondary took over and is told to go STANDBY'),
      make.role('cms-primary', 40, 'ACTIVE', null, 'no secondary: no heartbeat within misses·interval + timeout'),
      make.ess(50, 'STANDBY', 'RESETTING', 'reset complete'),
    ] as StandinEvent[]);
    const at = (pred: (e: TimelineEvent) => boolean) => timeline.events(pred).map((e) => e.ns - BASE_NS);
    expect(at(is.cycleStart('cms-primary'))).to.deep.equal([0n]);
    expect(at(is.attemptStart())).to.deep.equal([0n, msToNs(10)]);
    expect(at(is.attempt('cms-primary', 2))).to.deep.equal([msToNs(10)]);
    expect(at(is.heartbeatFailover())).to.deep.equal([msToNs(20)]);
    expect(at(is.autoFailback())).to.deep.equal([msToNs(30)]);
    expect(at(is.loneActive())).to.deep.equal([msToNs(40)]);
    expect(at(is.primaryDecided('ACTIVE'))).to.deep.equal([msToNs(30)]);
    expect(at(is.essResetDone())).to.deep.equal([msToNs(50)]);
  });

  it('ends the observation at the later of the last event and the last markObserved', () => {
    const make = new EventMaker();
    const timeline = new Timeline();
    expect(timeline.observedUntilNs).to.equal(null);
    timeline.add([make.log('cm', 10, 'x')]);
    expect(timeline.observedUntilNs).to.equal(at(10));
    timeline.markObserved(at(500));
    expect(timeline.observedUntilNs).to.equal(at(500));
    timeline.markObserved(at(100));
    expect(timeline.observedUntilNs).to.equal(at(500));
  });

  describe('waitFor', () => {
    it('resolves at once with a matching event already present', async () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      const event = make.role('cms-secondary', 10, 'ACTIVE');
      timeline.add([event]);
      const found = await timeline.waitFor((e) => e.type === 'role' && e.role === 'ACTIVE', { deadlineMs: 100, label: 'active' });
      expect(found).to.equal(event);
    });

    it('resolves with an event that arrives later', async () => {
      const timeline = new Timeline();
      const make = new EventMaker();
      const event = make.role('cms-secondary', 10, 'ACTIVE');
      setTimeout(() => timeline.add([event]), 30);
      const found = await timeline.waitFor(is.role('cms-secondary', 'ACTIVE'), { deadlineMs: 2_000, label: 'cms-secondary ACTIVE' });
      expect(found.role).to.equal('ACTIVE');
      const again = await timeline.waitFor((e) => e.node === 'cms-secondary' && e.type === 'role' && e.role === 'ACTIVE', {
        deadlineMs: 2_000,
        label: 'cms-secondary ACTIVE',
      });
      expect(again).to.equal(event);
    });

    it('ignores matching events before afterNs', async () => {
      const make = new EventMaker();
      const timeline = new Timeline();
      timeline.add([make.role('cms-secondary', 10, 'ACTIVE')]);
      const error = await timeline
        .waitFor((e) => e.type === 'role', { deadlineMs: 30, label: 'a later role change', afterNs: at(10) + msToNs(1) })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(HarnessError);
      expect((error as HarnessError).message).to.match(
        /^Timed out waiting for a later role change: .*last observation: no matching event among 1 event; the latest is cms-secondary#1 role ACTIVE \(was none: test\)$/,
      );
    });
  });
});
