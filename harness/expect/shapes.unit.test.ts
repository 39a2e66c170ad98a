// The shapes on a site written by hand: an event within its windows (seen inside, seen outside, never seen), a
// condition throughout a span (now, or judged at the end of the scenario), a state now. Each records what it judged.

import { AssertionError, expect } from 'chai';
import * as w from '../check/windows.js';
import { is } from '../observe/site-state.js';
import { Expectations } from './context.js';
import { failure, FakeSite } from '../testing/fake-site.js';
import { eventWithin, holdsThroughout, seenWithin, stateNow } from './shapes.js';

function switched(atMs: number) {
  const site = new FakeSite().sunnyDay();
  site.add(site.make.role('cms-secondary', atMs, 'ACTIVE', 'STANDBY'));
  const x = new Expectations(site);
  const window = w.manualSwitch({ ns: site.at(1000), label: 'the operator asked' });
  const spec = {
    what: 'cms-secondary to become ACTIVE',
    afterNs: site.at(1000),
    windows: [window],
    fact: 'cms-secondary became ACTIVE',
    never: 'cms-secondary never became ACTIVE',
  };
  return { site, x, spec };
}

describe('expectation shapes', () => {
  describe('an event within its windows', () => {
    it('returns the event seen inside its window, measured and recorded, and says how far the site got', async () => {
      const { site, x, spec } = switched(1010);
      const event = await eventWithin(x, is.role('cms-secondary', 'ACTIVE'), spec);
      expect(event.ns).to.equal(site.at(1010));
      expect(site.reachedNs).to.equal(site.at(1010));
      const json = site.evidence.toJSON();
      expect(json.measurements.map((m) => [m.name, Math.round(m.valueMs), m.withinWindow])).to.deep.equal([['manual switch', 10, true]]);
      expect(json.assertions).to.deep.equal([
        {
          text: 'cms-secondary became ACTIVE 10 ms after the operator asked; expected 0–40 ms after the operator asked (during the request = 0 … 0 ms, −1 +40 ms (rounding; a late timer, a busy CPU, one Toxiproxy hop))',
          passed: true,
        },
      ]);
    });

    it('fails an event seen outside its window with the measured sentence', async () => {
      const { x, spec } = switched(1100);
      expect(await failure(eventWithin(x, is.role('cms-secondary', 'ACTIVE'), spec))).to.match(
        /^cms-secondary became ACTIVE 100 ms after the operator asked; expected 0–40 ms/,
      );
    });

    it('fails an event never seen with one sentence naming the window in words, and records the window', async () => {
      const { site, x, spec } = switched(500);
      const message = await failure(eventWithin(x, is.role('cms-secondary', 'ACTIVE'), spec));
      expect(message).to.equal(
        'cms-secondary never became ACTIVE; expected it 0–40 ms after the operator asked (during the request = 0 … 0 ms, −1 +40 ms (rounding; a late timer, a busy CPU, one Toxiproxy hop))',
      );
      expect(site.evidence.toJSON().windows.map((win) => win.name)).to.deep.equal(['manual switch']);
      expect(site.reachedNs, 'the end of the wait').to.equal(site.at(1040));
      const bare = await failure(eventWithin(x, is.role('cms-secondary', 'ACTIVE'), { ...spec, expected: null }));
      expect(bare).to.equal('cms-secondary never became ACTIVE');
    });

    it('leaves the sentences of a seen event to the matcher when asked, and only reports one never seen', async () => {
      const { site, x, spec } = switched(1100);
      const into: Array<{ ok: boolean; text: string }> = [];
      await eventWithin(x, is.role('cms-secondary', 'ACTIVE'), { ...spec, into });
      expect(into.map((s) => s.ok)).to.deep.equal([false]);
      expect(site.evidence.toJSON().assertions, 'not judged yet').to.deep.equal([]);
      const seen = await seenWithin(x, is.alarm('DUAL_ACTIVE'), { ...spec, never: 'no alarm' });
      expect(seen.event).to.equal(undefined);
      expect(seen.sentences.map((s) => s.ok)).to.deep.equal([false]);
    });

    it('adds sentences about the seen event, and waits without a window until a given instant', async () => {
      const { x, spec } = switched(1010);
      const also = (event: { node: string }) => [{ ok: event.node === 'cms-primary', text: `it was ${event.node}` }];
      expect(await failure(eventWithin(x, is.role('cms-secondary', 'ACTIVE'), { ...spec, also }))).to.equal('it was cms-secondary');
      const { site: other, x: y } = switched(500);
      const untilNs = other.at(2000);
      expect(
        await failure(eventWithin(y, is.alarm('DUAL_ACTIVE'), { what: 'an alarm', afterNs: other.at(0), untilNs, never: 'no alarm came' })),
      ).to.equal('no alarm came');
      expect(other.reachedNs).to.equal(untilNs);
    });
  });

  describe('a condition throughout a span', () => {
    it('observes from the fault for the no-failover observation, then judges the span', async () => {
      const site = new FakeSite().fault('cut', 'heartbeat', 0);
      const spans: Array<[number, string]> = [];
      await holdsThroughout(new Expectations(site), {
        judge: (span) => {
          spans.push([Number(span.toNs - span.fromNs) / 1e6, span.label]);
          return [{ ok: true, text: 'held' }];
        },
      });
      expect(spans).to.deep.equal([[6500, 'heartbeat cut']]);
      expect(site.reachedNs).to.equal(site.at(6500));
    });

    it('judges at the end of the scenario when asked, over a span reaching it, failing there', async () => {
      const site = new FakeSite().fault('cut', 'heartbeat', 0);
      let judged: bigint | null = null;
      await holdsThroughout(new Expectations(site), {
        until: 'end',
        lengthMs: 1000,
        judge: (span) => {
          judged = span.toNs;
          return [{ ok: false, text: 'it did not hold' }];
        },
      });
      expect(judged, 'not before the end').to.equal(null);
      const error = await site.runEnd().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AssertionError).with.property('message', 'it did not hold');
      expect(judged! > site.at(50_000)).to.equal(true);
      expect(site.evidence.toJSON().assertions).to.deep.equal([{ text: 'it did not hold', passed: false }]);
    });
  });

  it('judges a state now, once the timeline holds everything up to now', async () => {
    const site = new FakeSite();
    let at = 0n;
    await stateNow(new Expectations(site), (atNs) => {
      at = atNs;
      return [{ ok: true, text: 'fine' }];
    });
    expect(at > site.at(59_000)).to.equal(true);
  });

  it('fails with a sentence and its window, typed never', () => {
    const site = new FakeSite();
    const x = new Expectations(site);
    const window = w.manualSwitch({ ns: site.at(0), label: 'now' });
    const never = (): number => x.fail('it never came', window);
    expect(never).to.throw(AssertionError, 'it never came');
    expect(site.evidence.toJSON().windows).to.have.length(1);
  });
});
