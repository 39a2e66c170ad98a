// The checks that need no waiting, each on a timeline written by hand: the sentence when it holds, the sentence when
// it does not, and the instant in words. No site, no evidence, no clock: only the timeline.

import { expect } from 'chai';
import type { StandinEvent, StandinStatus } from '../../images/protocol/index.js';
import { toMonoNs } from '../core/clock.js';
import { DEFAULT_SITE, scaleSite } from '../core/site-config.js';
import { at, EventMaker } from '../testing/events.js';
import { Timeline } from '../observe/timeline.js';
import * as c from './timeline-checks.js';

const SITE = scaleSite(DEFAULT_SITE, 0.05); // heartbeat 1 s, timeout 250 ms, keep-alive 500 ms, retry 1.5 s, 10 events/s
const START = at(0);

function story(...events: StandinEvent[]): Timeline {
  const timeline = new Timeline();
  timeline.add(events);
  return timeline;
}

const span = (fromMs: number, toMs: number, label = 'cms-primary killed'): c.ObservedSpan => ({
  fromNs: at(fromMs),
  toNs: at(toMs),
  ns: at(fromMs),
  label,
});

const ok = (sentences: c.Sentence | c.Sentence[]) => [sentences].flat().map((s) => s.ok);

describe('timeline checks', () => {
  const make = new EventMaker();
  const sunny = () => [make.role('cms-primary', -50, 'ACTIVE'), make.role('cms-secondary', -50, 'STANDBY')];

  describe('roles', () => {
    it('keeps roles through a span with no change, and names the change and its instant when there is one', () => {
      const roles = { 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' } as const;
      expect(c.keptRoles(story(...sunny()), roles, span(0, 6500), START).map((s) => s.text)).to.deep.equal([
        'cms-primary stayed ACTIVE throughout the observation 6.5 s long after cms-primary killed',
        'cms-secondary stayed STANDBY throughout the observation 6.5 s long after cms-primary killed',
      ]);
      const changed = c.keptRoles(story(...sunny(), make.role('cms-secondary', 4000, 'ACTIVE', 'STANDBY')), roles, span(0, 6500), START);
      expect(ok(changed)).to.deep.equal([true, false]);
      expect(changed[1]!.text).to.equal(
        'cms-secondary became ACTIVE 4.0 s after cms-primary killed; expected STANDBY throughout the observation 6.5 s long after cms-primary killed',
      );
      const after = c.keptRoles(story(...sunny(), make.role('cms-secondary', 7000, 'ACTIVE', 'STANDBY')), roles, span(0, 6500), START);
      expect(ok(after), 'a change after the span is not in it').to.deep.equal([true, true]);
      const wrongStart = c.keptRoles(story(...sunny()), { 'cms-primary': 'STANDBY' }, span(0, 6500), START);
      expect(wrongStart[0]!.text).to.match(/^cms-primary was ACTIVE at the start of the observation/);
    });

    it('holds a decision for a round, and names a flip', () => {
      const tl = story(...sunny(), make.role('cms-primary', 300, 'STANDBY', 'ACTIVE'));
      const anchor = { ns: at(0), label: 'the heartbeat' };
      const held = c.heldRoles(tl, { 'cms-primary': 'ACTIVE', 'cms-secondary': 'STANDBY' }, at(0), at(1000), anchor, START);
      expect(held.map((s) => s.text)).to.deep.equal([
        'cms-primary flipped to STANDBY 300 ms after the heartbeat',
        'cms-secondary held STANDBY for a heartbeat round after the decision',
      ]);
      expect(c.roleAtInstant(tl, 'cms-primary', 'ACTIVE', at(200), anchor, START)).to.deep.equal({
        ok: true,
        text: 'cms-primary was ACTIVE 200 ms after the heartbeat; expected ACTIVE',
      });
    });

    it('counts only observable CMS for exactly one ACTIVE', () => {
      const tl = story(...sunny(), make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'));
      expect(c.exactlyOneActive(tl, at(4000), START)).to.deep.equal({
        ok: false,
        text: 'cms-primary and cms-secondary were ACTIVE 4.0 s into the test; expected exactly one',
      });
      tl.record({ type: 'unobservable', subject: 'cms-primary', detail: 'timeout', atNs: at(1000) });
      expect(c.exactlyOneActive(tl, at(4000), START, 'cms-secondary')).to.deep.equal({
        ok: true,
        text: 'cms-secondary was ACTIVE 4.0 s into the test (cms-primary unobservable, not counted); expected exactly one: cms-secondary',
      });
    });
  });

  describe('heartbeats', () => {
    const beats = (missFromBeat: number) =>
      story(
        ...Array.from({ length: 7 }, (_, i) => [
          make.heartbeat('cms-secondary', i * 1000, 'sent', i + 1),
          make.heartbeat('cms-secondary', i * 1000 + 2, i + 1 >= missFromBeat ? 'missed' : 'answered', i + 1),
        ]).flat(),
      );

    it('wants every heartbeat of the span answered, one per interval', () => {
      expect(c.answeredHeartbeats(beats(99), span(0, 6500), 1000)).to.deep.equal({
        ok: true,
        text: '7 heartbeats answered and 0 missed during the observation after cms-primary killed; expected at least 5 answered (one per 1.0 s) and none missed',
      });
      expect(c.answeredHeartbeats(beats(6), span(0, 6500), 1000).ok).to.equal(false);
    });

    it('counts the heartbeats sent in a span', () => {
      const { sent, count } = c.beatsSent(beats(99), span(0, 6500), 1000);
      expect(sent.map((e) => e.beat)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      expect(count).to.deep.equal({ ok: true, text: '7 heartbeats sent in 6.5 s; expected at least 6' });
      expect(c.beatsSent(beats(99), span(0, 9500), 1000).count.ok).to.equal(false);
    });
  });

  describe('dual-active', () => {
    const split = () =>
      story(
        ...sunny(),
        make.role('cms-secondary', 3000, 'ACTIVE', 'STANDBY'),
        make.role('cms-primary', 5500, 'STANDBY', 'ACTIVE'),
        make.role('cms-primary', 9000, 'ACTIVE', 'STANDBY'),
      );

    it('returns the stretches after an instant, cut to start there, an open one with no end or length', () => {
      expect(c.dualActiveAfter(split(), at(4000))).to.deep.equal([
        { fromNs: at(4000), toNs: at(5500), lengthMs: 1500 },
        { fromNs: at(9000), toNs: null, lengthMs: null },
      ]);
      expect(c.dualActiveAfter(split(), at(6000))).to.have.length(1);
    });

    it('words the first stretch and how many more, and fails with none', () => {
      const stretches = c.dualActiveAfter(split(), at(0));
      expect(c.showedDualActive(stretches, at(0), START)).to.deep.equal({
        ok: true,
        text: 'cms-primary and cms-secondary were both ACTIVE from 3.0 s into the test, for 2.5 s, and in 1 more stretch(es)',
      });
      expect(c.showedDualActive([], at(0), START)).to.deep.equal({
        ok: false,
        text: 'cms-primary and cms-secondary were never both ACTIVE after 0 ms into the test; expected a dual-active stretch',
      });
      expect(c.showedDualActive(stretches.slice(1), at(0), START).text).to.contain('still so when checked');
    });

    it('forbids any stretch between two instants', () => {
      expect(c.noDualActive(story(...sunny()), START, at(10_000))).to.deep.equal({
        ok: true,
        text: 'cms-primary and cms-secondary were never both ACTIVE',
      });
      expect(c.noDualActive(split(), START, at(10_000)).text).to.equal(
        'cms-primary and cms-secondary were both ACTIVE for 2.5 s from 3.0 s into the test; expected never',
      );
    });

    it('wants DUAL_ACTIVE raised at an instant, and no alarm of a name at all', () => {
      const tl = story(...sunny(), make.alarm('cms-primary', 100, 'DUAL_ACTIVE'));
      const anchor = { ns: at(0), label: 'the heartbeat' };
      expect(ok(c.dualActiveRaisedAt(tl, 'cms-primary', at(150), anchor, START))).to.deep.equal([true]);
      expect(c.dualActiveRaisedAt(tl, 'cms-primary', at(50), anchor, START).text).to.equal(
        'cms-primary had no DUAL_ACTIVE raised 50 ms after the heartbeat, staying ACTIVE beside the ACTIVE secondary',
      );
      expect(c.notRaised(tl, 'DUAL_ACTIVE', START).text).to.equal(
        'cms-primary raised DUAL_ACTIVE 100 ms into the test; expected no DUAL_ACTIVE',
      );
      expect(c.notRaised(tl, 'NO_ACTIVE_CMS', START)).to.deep.equal({ ok: true, text: 'no node raised NO_ACTIVE_CMS' });
    });
  });

  describe('ACD links and data', () => {
    const linked = () => [make.link('cms-primary', -40, 'DATA_TRANSFER'), make.link('cms-secondary', -40, 'DATA_TRANSFER')];

    it('keeps a link in data transfer with no gap, and names a change or a gap', () => {
      expect(c.keptAcdLink(story(...linked()), 'cms-secondary', span(0, 6500), START).text).to.equal(
        'cms-secondary stayed in data transfer with cm, with no data gap (observation of 6.5 s after cms-primary killed); expected data transfer with cm throughout, no gap',
      );
      const lost = story(...linked(), make.link('cms-secondary', 2000, 'CONNECTING'));
      expect(c.keptAcdLink(lost, 'cms-secondary', span(0, 6500), START).text).to.match(
        /^cms-secondary's ACD link went CONNECTING 2\.0 s after cms-primary killed/,
      );
      const gap = story(...linked(), make.gap('cms-secondary', 3000, 4));
      expect(c.keptAcdLink(gap, 'cms-secondary', span(0, 6500), START).text).to.match(/^cms-secondary had an ACD data gap 3\.0 s after/);
    });

    it('wants no gap at all, and names the first with its count', () => {
      expect(c.noAcdGap(story(...linked()), 'cms-primary', START)).to.deep.equal({ ok: true, text: 'cms-primary had no ACD data gap' });
      const tl = story(...linked(), make.gap('cms-primary', 3000, 4), make.gap('cms-primary', 5000, 2));
      expect(c.noAcdGap(tl, 'cms-primary', START).text).to.equal(
        'cms-primary had 2 ACD data gap(s), 6 event(s) missing, the first 3.0 s into the test (sequence); expected none',
      );
    });

    it('counts one source-switch gap as long as the silence while moving to the ESS', () => {
      const fault = { ns: at(0), label: 'cm stopped' };
      const moved = story(make.link('cms-primary', 18_000, 'DATA_TRANSFER', 'ess', 6, 2)).last(() => true)!;
      const counted = story(make.gap('cms-primary', 18_080, 180, 'ess', 'source-switch', 18_070));
      expect(c.countedOneGapWhileMoving(counted, 'cms-primary', fault, moved, 10)).to.deep.equal({
        ok: true,
        text: 'cms-primary counted 1 gap(s) after the fault, the first 180 event(s) over 18.1 s (source-switch); expected one source-switch gap of at least the 18.0 s without data',
      });
      const short = story(make.gap('cms-primary', 18_080, 100, 'ess', 'source-switch', 10_000));
      expect(c.countedOneGapWhileMoving(short, 'cms-primary', fault, moved, 10).ok).to.equal(false);
      expect(c.countedOneGapWhileMoving(story(), 'cms-primary', fault, moved, 10).text).to.equal(
        'cms-primary counted no data gap after the fault; expected one for the 18.0 s without data while it moved to the ESS',
      );
    });

    it('counts one gap whose missing is the silence from the fault to the resumed data transfer times the rate', () => {
      const fault = { ns: at(0), label: 'acd-primary cut', requestMs: 5, mode: 'refused' as const };
      const resumed = story(make.link('cms-primary', 4000, 'DATA_TRANSFER')).last(() => true)!;
      // 4 s at 10 events/s: 39 missing, ± 1 + ⌈10·(40 + 5 + 200)/1000⌉ = 4.
      const gap = (missing: number) => story(make.gap('cms-primary', 4050, missing, 'cm', 'sequence', 4040));
      const right = c.countedGap(gap(41), 'cms-primary', fault, resumed, SITE);
      expect(right.ok).to.equal(true);
      expect(right.text).to.equal(
        'cms-primary counted 1 gap(s) after acd-primary cut, the first 41 event(s) missing over 4.0 s (sequence); expected one gap of 39 ± 4 event(s) (4000 ms of silence × 10/s − 1, ± 1 + 10/s × (40 + 205) ms)',
      );
      expect(c.countedGap(gap(20), 'cms-primary', fault, resumed, SITE).ok, 'half the events').to.equal(false);
      expect(c.countedGap(story(), 'cms-primary', fault, resumed, SITE).text).to.match(
        /^cms-primary counted no data gap after acd-primary cut/,
      );
      const twice = story(make.gap('cms-primary', 2050, 19), make.gap('cms-primary', 4050, 20));
      expect(c.countedGap(twice, 'cms-primary', fault, resumed, SITE).ok, 'two gaps for one silence').to.equal(false);
    });

    it('shows a link down now, with its alarm', () => {
      const tl = story(make.link('cms-secondary', 100, 'CONNECTING'), make.alarm('cms-secondary', 1600, 'ACD_LINK_DOWN'));
      expect(c.acdLinkDown(tl, 'cms-secondary', at(2000), START)).to.deep.equal([
        { ok: true, text: "cms-secondary's ACD link was CONNECTING; expected it down" },
        { ok: true, text: 'cms-secondary raised ACD_LINK_DOWN 1.6 s into the test' },
      ]);
      expect(ok(c.acdLinkDown(story(...linked()), 'cms-secondary', at(2000), START))).to.deep.equal([false, false]);
    });

    it('wants both CMS fed the same stream, a status round trip apart', () => {
      const status = (received: number, lastSeq: number) => ({ acdData: { received, lastSeq, gaps: 0, missing: 0 } }) as StandinStatus;
      expect(c.sameData(status(500, 900), status(498, 896), 10)).to.deep.equal({
        ok: true,
        text: 'cms-primary received 500 events up to 900, cms-secondary 498 up to 896; expected both fed, within 6 events of each other',
      });
      expect(c.sameData(status(500, 900), status(0, 0), 10).ok).to.equal(false);
    });
  });

  describe('the ESS', () => {
    const session = (server: 'cm' | 'ess', ms: number, phase: 'data' | 'ended', seq: number): StandinEvent => ({
      seq,
      node: server,
      atNs: toMonoNs(at(ms)),
      type: 'acd-session',
      cms: 'cms-primary',
      phase,
      reason: 'test',
    });

    it('never links a CMS to both switches, by the servers’ own sessions', () => {
      const apart = story(session('cm', 0, 'data', 1), session('cm', 1000, 'ended', 2), session('ess', 2000, 'data', 1));
      expect(ok(c.neverLinkedBoth(apart, START))).to.deep.equal([true, true]);
      const both = story(session('cm', 0, 'data', 1), session('ess', 2000, 'data', 1));
      expect(c.neverLinkedBoth(both, START)[0]!.text).to.equal(
        'cms-primary had a session with cm and one with ess at once, from 2.0 s into the test',
      );
    });

    it('reads the ESS state and whom it serves from its status', () => {
      const ess = { ess: { state: 'ACTIVE' }, linkedCms: ['cms-secondary', 'cms-primary'] } as StandinStatus;
      expect(c.essShows(ess, 'ACTIVE', ['cms-primary', 'cms-secondary']).ok).to.equal(true);
      expect(c.essShows(ess, 'STANDBY', []).text).to.equal(
        'the ESS was ACTIVE serving cms-primary, cms-secondary; expected STANDBY serving no CMS',
      );
    });

    it('keeps the ESS ACTIVE past its schedule while the CM is down', () => {
      const tl = story(make.ess(0, 'ACTIVE', 'NO_SERVICE_TIMING'), make.ess(5000, 'RESETTING', 'ACTIVE'));
      expect(c.stayedEssActive(tl, at(0), at(4000), 3000, START)).to.deep.equal({
        ok: true,
        text: 'the ESS stayed ACTIVE 4.0 s after going ACTIVE, past its scheduled return at 3.0 s, while the main CM was down',
      });
      expect(c.stayedEssActive(tl, at(0), at(6000), 3000, START).text).to.equal(
        'the ESS went RESETTING 5.0 s after it went ACTIVE while the main CM was still down; expected it to wait for the CM',
      );
    });

    it('keeps a CMS on the ESS while its ESS link is up: no pre-emptive return, but leaving is fine once the ESS dropped it', () => {
      const onEss = [make.ess(-500, 'ACTIVE', 'NO_SERVICE_TIMING'), make.link('cms-primary', -100, 'DATA_TRANSFER', 'ess', 6, 2)];
      const back = span(0, 11_000, 'cm back');
      expect(c.stayedOnEss(story(...onEss), 'cms-primary', back, START)).to.deep.equal({
        ok: true,
        text: 'cms-primary stayed in data transfer with the ESS throughout the observation 11.0 s long after cm back',
      });
      const preempted = story(...onEss, make.link('cms-primary', 3000, 'CONNECTING', 'cm', 1, 3));
      expect(c.stayedOnEss(preempted, 'cms-primary', back, START)).to.deep.equal({
        ok: false,
        text: 'cms-primary left the ESS (CONNECTING with cm) 3.0 s after cm back while the ESS was still ACTIVE; expected it to stay there while its ESS link is up (no pre-emptive return) throughout the observation 11.0 s long after cm back',
      });
      const dropped = story(...onEss, make.ess(2990, 'RESETTING', 'ACTIVE'), make.link('cms-primary', 3000, 'CONNECTING', 'cm', 1, 3));
      expect(c.stayedOnEss(dropped, 'cms-primary', back, START).text).to.equal(
        'cms-primary stayed on the ESS until the ESS dropped its link (RESETTING)',
      );
      expect(c.stayedOnEss(story(...linked()), 'cms-primary', back, START).ok, 'not on the ESS to begin with').to.equal(false);
    });

    function linked() {
      return [make.link('cms-primary', -40, 'DATA_TRANSFER')];
    }
  });

  describe('Admin-Sync', () => {
    const change = (seq: number) => ({ origin: 'cms-primary' as const, seq, changedNs: at(seq * 100) });
    const applied = (...seqs: number[]) =>
      story(...seqs.map((seq, i) => make.admin('cms-secondary', 1000 + i, 'applied', 'cms-primary', seq)));

    it('wants each change applied once, and names one applied twice', () => {
      expect(c.appliedEachOnce(applied(1, 2, 1), [change(1), change(2)])).to.deep.equal([
        { ok: false, text: 'change 1 of cms-primary was applied 2 time(s) on cms-secondary; expected once' },
        { ok: true, text: 'change 2 of cms-primary was applied 1 time(s) on cms-secondary; expected once' },
      ]);
    });

    it('wants held changes kept from the peer, and then applied in order', () => {
      expect(c.heldAdminChanges(applied(), [change(1), change(2)]).text).to.equal(
        'none of 2 change(s) reached cms-secondary while the link was down',
      );
      expect(c.heldAdminChanges(applied(2), [change(1), change(2)]).ok).to.equal(false);
      expect(c.appliedInOrder(applied(1, 2, 3), 'cms-primary').ok).to.equal(true);
      expect(c.appliedInOrder(applied(1, 3, 2), 'cms-primary')).to.deep.equal({
        ok: false,
        text: 'cms-secondary applied the changes of cms-primary in the order 1, 3, 2; expected each once, in order',
      });
    });

    it('words an alarm cleared after a heal, or not', () => {
      const cleared = story(make.alarm('cms-primary', 1300, 'ADMIN_SYNC_LAG', false)).last(() => true);
      const heal = { ns: at(1000), label: 'the heal' };
      expect(c.clearedAfter('cms-primary', 'ADMIN_SYNC_LAG', cleared, heal, START).text).to.equal(
        'cms-primary cleared ADMIN_SYNC_LAG 300 ms after the heal',
      );
      expect(c.clearedAfter('cms-primary', 'ADMIN_SYNC_LAG', undefined, heal, START)).to.deep.equal({
        ok: false,
        text: 'cms-primary never cleared ADMIN_SYNC_LAG after the drain',
      });
    });
  });
});
