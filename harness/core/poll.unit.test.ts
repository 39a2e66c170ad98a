// Unit tests of the polling helpers: deadline, back-off, the last observation in the timeout, hung probes, settling.
// Real but small durations; nothing asserts on speed beyond "the deadline was honoured".

import { expect } from 'chai';
import { HarnessError, isHarnessError } from './errors.js';
import { elapsedMs, msToNs, nowNs } from './clock.js';
import { allSettledOrThrow, notYet, waitFor } from './poll.js';

async function rejection(promise: Promise<unknown>): Promise<HarnessError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('waitFor', () => {
  it('resolves with the first value the probe answers, with attempts and instant', async () => {
    let calls = 0;
    const before = nowNs();
    const result = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), { deadlineMs: 2_000, label: 'ready' });
    expect(result.value).to.equal('ready after 3');
    expect(result.attempts).to.equal(3);
    expect(result.atNs > before).to.equal(true);
    expect(result.elapsedMs).to.be.at.least(0);
  });

  it('treats false and notYet(...) as "not yet" and accepts 0 and empty string as answers', async () => {
    let calls = 0;
    const result = await waitFor<number>(
      () => {
        calls += 1;
        if (calls === 1) return false;
        if (calls === 2) return notYet('still booting');
        return 0;
      },
      { deadlineMs: 2_000, label: 'zero' },
    );
    expect(result.value).to.equal(0);
    expect(result.attempts).to.equal(3);
  });

  it('awaits asynchronous probes', async () => {
    let calls = 0;
    const result = await waitFor(async () => (++calls === 2 ? 'async' : undefined), { deadlineMs: 2_000, label: 'async' });
    expect(result.value).to.equal('async');
  });

  it('rejects at the deadline with TIMEOUT naming the label, the deadline and the last observation', async () => {
    let calls = 0;
    const start = nowNs();
    const error = await rejection(waitFor(() => notYet(`saw ${++calls} times STANDBY`), { deadlineMs: 60, label: 'cms-secondary ACTIVE' }));
    expect(elapsedMs(start)).to.be.at.least(59);
    expect(error.code).to.equal('TIMEOUT');
    expect(error.message).to.match(
      /^Timed out waiting for cms-secondary ACTIVE: deadline 60 ms passed after \d+ attempts \(\d+ ms waited\); last observation: saw \d+ times STANDBY$/,
    );
    expect(error.message).to.contain(`saw ${calls} times STANDBY`);
    expect(error.details).to.include({ label: 'cms-secondary ACTIVE', deadlineMs: 60, attempts: calls });
  });

  it('says what a probe without a description answered', async () => {
    const error = await rejection(waitFor(() => undefined, { deadlineMs: 30, label: 'nothing' }));
    expect(error.message).to.match(/last observation: the probe answered undefined$/);
  });

  it('backs off between attempts following intervalsMs, repeating the last', async () => {
    const stamps: bigint[] = [];
    await rejection(
      waitFor(
        () => {
          stamps.push(nowNs());
          return undefined;
        },
        { deadlineMs: 200, label: 'backoff', intervalsMs: [10, 40] },
      ),
    );
    const gaps = stamps.slice(1).map((at, i) => Number(at - (stamps[i] ?? at)) / 1e6);
    expect(gaps.length).to.be.at.least(3);
    // Timers never fire early; only lower bounds are meaningful on a busy machine.
    expect(gaps[0]).to.be.at.least(9);
    // The pauses near the deadline are clipped to it; the second and third are not.
    expect(gaps[1]).to.be.at.least(39);
    expect(gaps[2]).to.be.at.least(39);
  });

  it('races a hung probe against the deadline and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const start = nowNs();
    const error = await rejection(
      waitFor(
        (context) => {
          signal = context.signal;
          return new Promise<string>(() => undefined);
        },
        { deadlineMs: 50, label: 'hung probe' },
      ),
    );
    expect(elapsedMs(start)).to.be.below(5_000);
    expect(error.code).to.equal('TIMEOUT');
    expect(error.message).to.contain('last observation: attempt 1 was still running at the deadline');
    expect(signal?.aborted).to.equal(true);
  });

  it('keeps polling when a probe throws and reports the error as the last observation and cause', async () => {
    const error = await rejection(
      waitFor(
        () => {
          throw new Error('ECONNREFUSED');
        },
        { deadlineMs: 40, label: 'throwing probe' },
      ),
    );
    expect(error.message).to.match(/last observation: attempt \d+ threw: ECONNREFUSED$/);
    expect((error.cause as Error).message).to.equal('ECONNREFUSED');
  });

  it('counts the deadline from anchorNs when given', async () => {
    const anchor = nowNs() - msToNs(1_000);
    const error = await rejection(waitFor(() => undefined, { deadlineMs: 500, label: 'anchored', anchorNs: anchor }));
    expect(error.details['attempts']).to.equal(1);
    expect(error.message).to.contain('deadline 500 ms after the anchor passed');
  });

  it('rejects bad options up front, naming the option', async () => {
    const bad = await rejection(waitFor(() => 1, { deadlineMs: -1, label: 'x' }));
    expect(isHarnessError(bad, 'BAD_INPUT')).to.equal(true);
    expect(bad.message).to.contain('"deadlineMs"');
    const noLabel = await rejection(waitFor(() => 1, { deadlineMs: 10, label: '' }));
    expect(noLabel.message).to.contain('"label"');
    const badIntervals = await rejection(waitFor(() => 1, { deadlineMs: 10, label: 'x', intervalsMs: [] }));
    expect(badIntervals.message).to.contain('"intervalsMs"');
  });
});

describe('allSettledOrThrow', () => {
  it('rejects with the first error only once every promise has settled', async () => {
    let slowDone = false;
    const slow = new Promise<number>((resolve) => setTimeout(() => ((slowDone = true), resolve(2)), 20));
    const error = await allSettledOrThrow([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))]).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).to.equal('first');
    expect(slowDone).to.equal(true);
    expect(await allSettledOrThrow([Promise.resolve(1), slow])).to.deep.equal([1, 2]);
  });
});
