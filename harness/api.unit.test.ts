// What a suite can name through the public API: the wait primitive, the timeline's events, fault handles and the types
// of the expectations' and the site's options. Types are checked by compiling; values by using them.

import { expect as chaiExpect } from 'chai';
import * as api from './index.js';
import type {
  DualActiveStretch,
  FaultHandle,
  FromFault,
  HealTiming,
  InjectTiming,
  ObserveOptions,
  RestartOptions,
  Stamped,
  TimelineEvent,
  WaitOptions,
} from './index.js';

describe('the public API', () => {
  it('offers the one wait primitive, with its options and the not-yet observation', async () => {
    const options: WaitOptions = { deadlineMs: 1_000, label: 'the third attempt', intervalsMs: [1] };
    const result = await api.waitFor(({ attempt }) => (attempt >= 3 ? attempt : api.notYet(`attempt ${attempt}`)), options);
    chaiExpect(result.value).to.equal(3);
  });

  it('names the timeline events, fault handles and every option the expectations and the site take', () => {
    const event: TimelineEvent = { node: 'harness', seq: 1, atNs: '1', type: 'note', subject: null, detail: 'x' };
    const stamped = (e: Stamped): bigint => e.ns;
    const from = (handle: FaultHandle): FromFault => ({ from: handle });
    const observe: ObserveOptions = { from: 'now', until: 'end' };
    const timings: Array<HealTiming | InjectTiming> = ['seeded', 'now', { held: 3 }, { phase: 0.25 }];
    const restart: RestartOptions = { graceful: true };
    const stretch: DualActiveStretch = { fromNs: 1n, toNs: null, lengthMs: null };
    chaiExpect([event.type, typeof stamped, typeof from, observe.until, timings.length, restart.graceful, stretch.toNs]).to.deep.equal([
      'note',
      'function',
      'function',
      'end',
      4,
      true,
      null,
    ]);
  });
});
