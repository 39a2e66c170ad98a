// Unit tests of the chai plugin on synthetic timelines: every assertion passing and failing, with the exact
// sentence of the failure and what is recorded into the Evidence.

import * as chai from 'chai';
import { expect } from 'chai';
import { Evidence, expectedWindow } from '../observe/evidence.js';
import { at, EventMaker } from '../observe/test-events.js';
import { Timeline } from '../observe/timeline.js';
import { HarnessError } from '../core/errors.js';
import { cmshaChai } from './plugin.js';

chai.use(cmshaChai);

const DERIVATION = '(3-1)·20000 … 3·20000 + 5000 ms, ±250 ms tolerance';
const KILLED_MS = 1_000;

function detectionWindow(): ReturnType<typeof expectedWindow> {
  return expectedWindow(
    'primary-down detection',
    { fromMs: 40_000, toMs: 65_000, derivation: DERIVATION },
    { anchorNs: at(KILLED_MS), anchorLabel: 'cms-primary killed' },
  );
}

/** A failover: primary ACTIVE and secondary STANDBY from the start, the secondary ACTIVE `afterKillMs` after the kill. */
function failover(afterKillMs: number | null, endMs = KILLED_MS + 80_000): Evidence {
  const evidence = new Evidence('primary-down', null, { startNs: at(0) });
  const make = new EventMaker();
  evidence.timeline.add([make.role('cms-primary', 0, 'ACTIVE'), make.role('cms-secondary', 0, 'STANDBY')]);
  if (afterKillMs !== null) evidence.timeline.add([make.role('cms-secondary', KILLED_MS + afterKillMs, 'ACTIVE', 'STANDBY')]);
  evidence.timeline.markObserved(at(endMs));
  return evidence;
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof chai.AssertionError) return error.message;
    throw error;
  }
  throw new Error('expected the assertion to fail');
}

describe('cmshaChai plugin', () => {
  describe('showActivation(node).within(window)', () => {
    it('passes inside the window and records the measurement, the window and the sentence', () => {
      const evidence = failover(47_200);
      expect(evidence).to.showActivation('cms-secondary').within(detectionWindow());
      const json = evidence.toJSON();
      expect(json.windows).to.deep.equal([detectionWindow()]);
      expect(json.measurements).to.deep.equal([
        {
          name: 'primary-down detection',
          description: 'cms-secondary became ACTIVE after cms-primary killed',
          valueMs: 47_200,
          anchorNs: at(KILLED_MS).toString(),
          atNs: at(KILLED_MS + 47_200).toString(),
          window: 'primary-down detection',
          withinWindow: true,
        },
      ]);
      expect(json.assertions).to.deep.equal([
        { text: `cms-secondary became ACTIVE 47.2 s after cms-primary killed; expected 40.0–65.0 s (${DERIVATION})`, passed: true },
      ]);
    });

    it('fails after the window with the measured value and the expected window in words', () => {
      const evidence = failover(71_300);
      const message = failure(() => expect(evidence.timeline).to.showActivation('cms-secondary').within(detectionWindow()));
      expect(message).to.equal(`cms-secondary became ACTIVE 71.3 s after cms-primary killed; expected 40.0–65.0 s (${DERIVATION})`);
      expect(evidence.toJSON().measurements[0]?.withinWindow).to.equal(false);
      expect(evidence.toJSON().assertions).to.deep.equal([{ text: message, passed: false }]);
    });

    it('fails before the window too', () => {
      const message = failure(() => expect(failover(850)).to.showActivation('cms-secondary').within(detectionWindow()));
      expect(message).to.equal(`cms-secondary became ACTIVE 850 ms after cms-primary killed; expected 40.0–65.0 s (${DERIVATION})`);
    });

    it('fails when the node never became ACTIVE, saying when the observation ended', () => {
      const evidence = failover(null, KILLED_MS + 12_000);
      const window = expectedWindow(
        'heartbeat-path detection',
        { fromMs: 2_000, toMs: 3_500, derivation: '' },
        { anchorNs: at(KILLED_MS), anchorLabel: 'cms-primary killed' },
      );
      const message = failure(() => expect(evidence).to.showActivation('cms-secondary').within(window));
      expect(message).to.equal(
        'cms-secondary never became ACTIVE within the observation (ended 12.0 s after cms-primary killed); expected 2.0–3.5 s',
      );
      expect(evidence.toJSON().measurements).to.deep.equal([]);
      expect(evidence.toJSON().assertions[0]?.passed).to.equal(false);
    });

    it('ignores an ACTIVE role event before the anchor', () => {
      const evidence = failover(null);
      const message = failure(() => expect(evidence).to.showActivation('cms-primary').within(detectionWindow()));
      expect(message).to.match(/^cms-primary never became ACTIVE within the observation \(ended 80\.0 s after cms-primary killed\)/);
    });

    it('supports .not (no activation inside the window)', () => {
      expect(failover(20_000)).to.not.showActivation('cms-secondary').within(detectionWindow());
      const message = failure(() => expect(failover(47_200)).to.not.showActivation('cms-secondary').within(detectionWindow()));
      expect(message).to.equal(
        `cms-secondary became ACTIVE 47.2 s after cms-primary killed; expected not within 40.0–65.0 s (${DERIVATION})`,
      );
    });

    it("leaves chai's numeric within(start, finish) alone", () => {
      expect(5).to.be.within(1, 10);
      expect(() => expect(50).to.be.within(1, 10)).to.throw(chai.AssertionError);
    });

    it('rejects within(window) without a selected event and a non-timeline subject', () => {
      expect(() => expect(new Timeline()).to.within(detectionWindow())).to.throw(HarnessError, /needs showActivation/);
      expect(() => expect({}).to.showActivation('cms-secondary').within(detectionWindow())).to.throw(
        HarnessError,
        /need a Timeline or an Evidence/,
      );
    });
  });

  describe('showEvent(matcher, description).within(window)', () => {
    const essWindow = expectedWindow(
      'ess takeover',
      { fromMs: 14_000, toMs: 16_000, derivation: 'no-service timeout ± 1000 ms' },
      { anchorNs: at(0), anchorLabel: 'cm stopped' },
    );

    function essTimeline(activeMs: number): Timeline {
      const timeline = new Timeline();
      const seq = { n: 0 };
      timeline.add([
        {
          seq: ++seq.n,
          node: 'ess',
          atNs: at(100).toString(),
          type: 'ess',
          state: 'NO_SERVICE_TIMING',
          previous: 'STANDBY',
          reason: 'cm lost',
        },
        {
          seq: ++seq.n,
          node: 'ess',
          atNs: at(activeMs).toString(),
          type: 'ess',
          state: 'ACTIVE',
          previous: 'NO_SERVICE_TIMING',
          reason: 'timeout',
        },
      ]);
      return timeline;
    }

    it('passes with a field matcher inside the window', () => {
      expect(essTimeline(15_000)).to.showEvent({ node: 'ess', type: 'ess', state: 'ACTIVE' }, 'ess ACTIVE').within(essWindow);
    });

    it('fails with a predicate outside the window, naming the description', () => {
      const message = failure(() =>
        expect(essTimeline(17_500))
          .to.showEvent((e) => e.type === 'ess' && e.state === 'ACTIVE', 'ess ACTIVE')
          .within(essWindow),
      );
      expect(message).to.equal('ess ACTIVE: first seen 17.5 s after cm stopped; expected 14.0–16.0 s (no-service timeout ± 1000 ms)');
    });

    it('fails when never seen, describing a field matcher by its fields', () => {
      const message = failure(() => expect(essTimeline(15_000)).to.showEvent({ node: 'ess', state: 'RESETTING' }).within(essWindow));
      expect(message).to.equal(
        'event node=ess state=RESETTING: never seen within the observation (ended 15.0 s after cm stopped); expected 14.0–16.0 s (no-service timeout ± 1000 ms)',
      );
    });
  });

  describe('haveNoDualActive / showDualActive', () => {
    function splitBrain(): Evidence {
      const evidence = new Evidence('heartbeat-path', null, { startNs: at(0) });
      const make = new EventMaker();
      evidence.timeline.add([
        make.role('cms-primary', 0, 'ACTIVE'),
        make.role('cms-secondary', 0, 'STANDBY'),
        make.role('cms-secondary', 45_100, 'ACTIVE', 'STANDBY'),
        make.role('cms-primary', 57_400, 'STANDBY', 'ACTIVE'),
      ]);
      evidence.timeline.markObserved(at(90_000));
      return evidence;
    }

    it('passes on a sunny day and records the sentence', () => {
      const evidence = failover(null);
      expect(evidence).to.haveNoDualActive();
      expect(evidence.toJSON().assertions).to.deep.equal([
        { text: 'cms-primary and cms-secondary were never both ACTIVE during the observation', passed: true },
      ]);
    });

    it('fails with the length and start of the dual-ACTIVE stretch', () => {
      const message = failure(() => expect(splitBrain()).to.haveNoDualActive());
      expect(message).to.equal(
        'cms-primary and cms-secondary were both ACTIVE for 12.3 s from 45.1 s into the test; expected never both ACTIVE during the observation',
      );
    });

    it('says when both are still ACTIVE at the end of the observation', () => {
      const message = failure(() => expect(failover(47_200)).to.haveNoDualActive());
      expect(message).to.equal(
        'cms-primary and cms-secondary were both ACTIVE from 48.2 s into the test until the end of the observation (32.8 s); expected never both ACTIVE during the observation',
      );
    });

    it('checks only a span with haveNoDualActive.during(span), during(span).haveNoDualActive() or haveNoDualActive(span)', () => {
      const evidence = splitBrain();
      const after = evidence.timeline.span(at(60_000), at(90_000), {
        label: 'the time after the manual fix',
        anchorNs: at(57_400),
        anchorLabel: 'cms-primary set STANDBY',
      });
      expect(evidence).to.haveNoDualActive.during(after);
      expect(evidence).during(after).to.haveNoDualActive();
      expect(evidence).to.haveNoDualActive(after);
      const before = evidence.timeline.span(at(40_000), at(50_000), {
        label: 'the detection span',
        anchorNs: at(40_000),
        anchorLabel: 'heartbeat cut',
      });
      const message = failure(() => expect(evidence).to.haveNoDualActive.during(before));
      expect(message).to.equal(
        'cms-primary and cms-secondary were both ACTIVE for 4.9 s from 5.1 s after heartbeat cut; expected never both ACTIVE during the detection span (0.0–10.0 s after heartbeat cut)',
      );
      expect(evidence.toJSON().assertions.map((a) => a.passed)).to.deep.equal([true, true, true, false]);
    });

    it('counts an unobservable CMS by its last role unless observableOnly', () => {
      const evidence = failover(47_200);
      evidence.timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'refused', atNs: at(KILLED_MS + 10) });
      expect(() => expect(evidence).to.haveNoDualActive()).to.throw(chai.AssertionError);
      expect(evidence).to.haveNoDualActive({ observableOnly: true });
      expect(evidence.toJSON().assertions.at(-1)).to.deep.equal({
        text: 'cms-primary and cms-secondary were never both ACTIVE during the observation (counting a CMS only while observable)',
        passed: true,
      });
      const message = failure(() => expect(evidence).to.showDualActive({ observableOnly: true }));
      expect(message).to.equal(
        'cms-primary and cms-secondary were never both ACTIVE during the observation (counting a CMS only while observable); expected a dual-ACTIVE stretch',
      );
    });

    it('showDualActive returns and records the measured stretch', () => {
      const evidence = splitBrain();
      const stretch = expect(evidence).to.showDualActive();
      expect(stretch).to.deep.equal({ fromNs: at(45_100), toNs: at(57_400), durationMs: 12_300, stretches: 1 });
      const json = evidence.toJSON();
      expect(json.measurements).to.deep.equal([
        {
          name: 'dual-active window',
          description: 'cms-primary and cms-secondary both ACTIVE',
          valueMs: 12_300,
          anchorNs: at(45_100).toString(),
          atNs: at(57_400).toString(),
          window: null,
          withinWindow: null,
        },
      ]);
      expect(json.assertions).to.deep.equal([
        { text: 'cms-primary and cms-secondary were both ACTIVE for 12.3 s from 45.1 s into the test', passed: true },
      ]);
    });

    it('showDualActive fails when there was none', () => {
      const message = failure(() => expect(failover(null)).to.showDualActive());
      expect(message).to.equal(
        'cms-primary and cms-secondary were never both ACTIVE during the observation; expected a dual-ACTIVE stretch',
      );
    });
  });

  describe('keepRole(node, role).throughout(span)', () => {
    function cmLink(changeMs: number | null): Evidence {
      const evidence = new Evidence('cm-link', null, { startNs: at(0) });
      const make = new EventMaker();
      evidence.timeline.add([make.role('cms-primary', 0, 'ACTIVE'), make.role('cms-secondary', 0, 'STANDBY')]);
      if (changeMs !== null) evidence.timeline.add([make.role('cms-secondary', changeMs, 'ACTIVE', 'STANDBY')]);
      evidence.timeline.markObserved(at(40_000));
      return evidence;
    }
    const window = (evidence: Evidence, toMs = 35_000): ReturnType<Timeline['span']> =>
      evidence.timeline.span(at(5_000), at(toMs), { label: 'the observation window', anchorLabel: 'acd-primary cut' });

    it('passes when the role held from start to end', () => {
      const evidence = cmLink(null);
      expect(evidence).to.keepRole('cms-secondary', 'STANDBY').throughout(window(evidence));
      expect(evidence.toJSON().assertions).to.deep.equal([
        { text: 'cms-secondary stayed STANDBY throughout the observation window (0.0–30.0 s after acd-primary cut)', passed: true },
      ]);
    });

    it('fails on a role change inside the span', () => {
      const evidence = cmLink(17_000);
      const message = failure(() => expect(evidence).to.keepRole('cms-secondary', 'STANDBY').throughout(window(evidence)));
      expect(message).to.equal(
        'cms-secondary became ACTIVE 12.0 s after acd-primary cut, inside the observation window (0.0–30.0 s after acd-primary cut); expected STANDBY throughout',
      );
    });

    it('fails when the role at the start is another', () => {
      const evidence = cmLink(null);
      const message = failure(() => expect(evidence).to.keepRole('cms-primary', 'STANDBY').throughout(window(evidence)));
      expect(message).to.equal(
        'cms-primary was ACTIVE at the start of the observation window (0.0–30.0 s after acd-primary cut); expected STANDBY throughout',
      );
      const unknown = failure(() => expect(evidence).to.keepRole('cm', 'STANDBY').throughout(window(evidence)));
      expect(unknown).to.match(/^cm had no known role at the start of/);
    });

    it('fails when the observation does not reach the end of the span', () => {
      const evidence = cmLink(null);
      const message = failure(() => expect(evidence).to.keepRole('cms-secondary', 'STANDBY').throughout(window(evidence, 45_000)));
      expect(message).to.equal(
        'the observation of cms-secondary ended 35.0 s after acd-primary cut, before the end of the observation window (0.0–40.0 s after acd-primary cut); ' +
          'cannot tell whether cms-secondary stayed STANDBY throughout (let the span end and the observer catch up before asserting)',
      );
    });

    it('ignores a change just after the span, and a span given through during()', () => {
      const evidence = cmLink(35_001);
      expect(evidence).to.keepRole('cms-secondary', 'STANDBY').throughout(window(evidence));
      expect(evidence).to.keepRole('cms-secondary', 'STANDBY').during(window(evidence));
    });

    it('rejects throughout() without keepRole()', () => {
      const evidence = cmLink(null);
      expect(() => expect(evidence).to.throughout(window(evidence))).to.throw(HarnessError, /needs keepRole/);
      expect(() =>
        expect(evidence)
          .to.keepRole('cms-secondary', 'STANDBY')
          .throughout({} as never),
      ).to.throw(HarnessError, /needs a Span/);
    });
  });

  describe('haveNoAcdGap(node)', () => {
    function withGaps(): Evidence {
      const evidence = new Evidence('primary-down', null, { startNs: at(0) });
      const make = new EventMaker();
      evidence.timeline.add([
        make.gap('cms-primary', 3_000, 4),
        make.gap('cms-secondary', 20_000, 12),
        make.gap('cms-secondary', 30_000, 3),
      ]);
      return evidence;
    }

    it('passes for a node without gaps', () => {
      const evidence = withGaps();
      expect(evidence).to.haveNoAcdGap('cms-primary', evidence.timeline.span(at(5_000), at(40_000)));
      expect(evidence).to.haveNoAcdGap('cm');
      expect(evidence.toJSON().assertions[1]).to.deep.equal({ text: 'cm had no ACD data gap during the observation', passed: true });
    });

    it('fails with the count, the events missing and the first gap', () => {
      const message = failure(() => expect(withGaps()).to.haveNoAcdGap('cms-secondary'));
      expect(message).to.equal(
        'cms-secondary had 2 ACD data gaps (15 events missing) during the observation, the first 20.0 s into the test (12 missing from cm); expected none',
      );
    });

    it('is scoped by during(span) before or after', () => {
      const evidence = withGaps();
      const late = evidence.timeline.span(at(25_000), at(40_000), { label: 'the late span' });
      const message = failure(() => expect(evidence).during(late).to.haveNoAcdGap('cms-secondary'));
      expect(message).to.equal(
        'cms-secondary had 1 ACD data gap (3 events missing) during the late span (25.0–40.0 s into the test), the first 30.0 s into the test (3 missing from cm); expected none',
      );
      expect(evidence).during(late).to.haveNoAcdGap('cms-primary');
      // After the call, .during re-checks the span (the whole-observation check has already run).
      expect(evidence).to.haveNoAcdGap('cm').during(late);
      expect(evidence.toJSON().assertions.at(-1)).to.deep.equal({
        text: 'cm had no ACD data gap during the late span (25.0–40.0 s into the test)',
        passed: true,
      });
    });
  });

  describe('exactlyOneActive(atNs?)', () => {
    it('passes after a failover, not counting an unobservable node', () => {
      const evidence = failover(47_200);
      evidence.timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'refused', atNs: at(KILLED_MS + 10) });
      expect(evidence).to.exactlyOneActive();
      expect(evidence.toJSON().assertions).to.deep.equal([
        {
          text: 'exactly one CMS was ACTIVE at the end of the observation (81.0 s into the test): cms-secondary (cms-primary unobservable, not counted)',
          passed: true,
        },
      ]);
    });

    it('fails with both ACTIVE, naming them', () => {
      const message = failure(() => expect(failover(47_200)).to.exactlyOneActive());
      expect(message).to.equal(
        '2 CMS were ACTIVE at the end of the observation (81.0 s into the test): cms-primary and cms-secondary; expected exactly one among the observable CMS',
      );
    });

    it('checks a given instant and fails when none is ACTIVE', () => {
      const evidence = failover(47_200);
      expect(evidence).to.exactlyOneActive(at(30_000));
      evidence.timeline.record({ type: 'unobservable', subject: 'cms-primary', detail: 'timeout', atNs: at(2_000) });
      const message = failure(() => expect(evidence).to.exactlyOneActive(at(30_000)));
      expect(message).to.equal(
        'no CMS was ACTIVE at 30.0 s into the test (cms-primary unobservable, not counted); expected exactly one among the observable CMS',
      );
    });
  });

  describe('haveAlarm(node, alarm)', () => {
    it('passes when raised and says when', () => {
      const evidence = new Evidence('heartbeat-path', null, { startNs: at(0) });
      evidence.timeline.add([new EventMaker().alarm('cms-secondary', 46_000, 'DUAL_ACTIVE')]);
      expect(evidence).to.haveAlarm('cms-secondary', 'DUAL_ACTIVE');
      expect(evidence.toJSON().assertions).to.deep.equal([{ text: 'cms-secondary raised DUAL_ACTIVE 46.0 s into the test', passed: true }]);
    });

    it('fails when only cleared or never raised', () => {
      const evidence = new Evidence('heartbeat-path', null, { startNs: at(0) });
      evidence.timeline.add([new EventMaker().alarm('cms-secondary', 46_000, 'DUAL_ACTIVE', false)]);
      const message = failure(() => expect(evidence).to.haveAlarm('cms-secondary', 'DUAL_ACTIVE'));
      expect(message).to.equal('cms-secondary never raised DUAL_ACTIVE during the observation; expected the alarm');
      const negated = failure(
        () =>
          expect(evidence).to.not.haveAlarm('cms-secondary', 'DUAL_ACTIVE') &&
          expect(evidence).to.haveAlarm('cms-primary', 'HEARTBEAT_LOST'),
      );
      expect(negated).to.equal('cms-primary never raised HEARTBEAT_LOST during the observation; expected the alarm');
    });
  });
});
