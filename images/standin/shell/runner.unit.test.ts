// The runner's clock: events stamped at the instant their machine decided them, on the clock the machine's timers
// run on, and a timer that fires late reported as such (a starved process, not a slow site).

import { expect } from 'chai';
import { LATE_TIMER_MS } from '../../protocol/index.js';
import { emit, type Machine, type NetInput } from '../machines/core.js';
import { EventLog } from './event-log.js';
import { MachineRunner, msOf, nowMs } from './runner.js';

interface Due {
  dueMs: number | null;
  firedMs: number | null;
}

/** A machine with one deadline: on its tick it emits one event and remembers the instant it was handed. */
const oneTimer: Machine<Due, { type: 'arm'; inMs: number }> = {
  step(state, input: { type: 'arm'; inMs: number } | NetInput, now) {
    if (input.type === 'arm') return { state: { dueMs: now + input.inMs, firedMs: null }, effects: [] };
    if (input.type === 'tick' && state.dueMs !== null && now >= state.dueMs)
      return {
        state: { dueMs: null, firedMs: now },
        effects: [emit({ type: 'alarm', alarm: 'DUAL_ACTIVE', raised: true, detail: 'due' })],
      };
    return { state, effects: [] };
  },
  nextWakeMs: (state) => state.dueMs,
};

async function fired(runner: MachineRunner<Due, { type: 'arm'; inMs: number }>): Promise<number> {
  const deadline = nowMs() + 2_000;
  while (runner.state.firedMs === null) {
    if (nowMs() > deadline) throw new Error('the timer never fired');
    await new Promise((resolve) => setImmediate(resolve));
  }
  return runner.state.firedMs;
}

describe('machine runner clock', () => {
  const started = (): { runner: MachineRunner<Due, { type: 'arm'; inMs: number }>; log: EventLog } => {
    const log = new EventLog('cms-primary', () => undefined);
    const runner = new MachineRunner(oneTimer, { dueMs: null, firedMs: null }, { name: 'one-timer', log, dials: {} });
    return { runner, log };
  };

  it('stamps an event at the instant its machine decided it, on the machine clock', async () => {
    const { runner, log } = started();
    runner.input({ type: 'arm', inMs: 5 });
    const firedMs = await fired(runner);
    runner.stop();
    const event = log.after(0).find((e) => e.type === 'alarm');
    expect(msOf(BigInt(event!.atNs))).to.equal(firedMs);
  });

  it('reports a timer that fired late because the process had no CPU, stamped at that instant', async () => {
    const { runner, log } = started();
    runner.input({ type: 'arm', inMs: 5 });
    // Keep the event loop busy well past the deadline, as a starved process is.
    const busyUntil = nowMs() + 5 + LATE_TIMER_MS + 30;
    while (nowMs() < busyUntil);
    const firedMs = await fired(runner);
    runner.stop();
    const [late, alarm] = log.after(0);
    expect(late).to.include({ type: 'late-timer', machine: 'one-timer' });
    const lateMs = (late as { lateMs: number }).lateMs;
    expect(lateMs).to.be.at.least(LATE_TIMER_MS + 30 - 1);
    expect(late!.atNs).to.equal(alarm!.atNs);
    expect(msOf(BigInt(alarm!.atNs))).to.equal(firedMs);
  });
});
