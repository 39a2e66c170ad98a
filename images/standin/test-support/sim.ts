// A fake clock for the pure machines: feeds inputs at a chosen instant and ticks at every wake-up the machine
// asks for, recording every effect with its time. Used only by the unit tests.

import type { Effect, EventBody, Machine } from '../machines/core.js';

export interface Logged<N> {
  atMs: number;
  effect: Effect | N;
}

export class Sim<S, I extends { type: string }, N extends { type: string } = never> {
  nowMs: number;
  state: S;
  readonly log: Array<Logged<N>> = [];

  constructor(
    private readonly machine: Machine<S, I | { type: 'tick' }, N>,
    initial: S,
    startMs = 0,
  ) {
    this.state = initial;
    this.nowMs = startMs;
  }

  /** Feeds one input now; returns its effects. */
  input(input: I | { type: 'tick' }): Array<Effect | N> {
    const r = this.machine.step(this.state, input, this.nowMs);
    this.state = r.state;
    for (const effect of r.effects) this.log.push({ atMs: this.nowMs, effect });
    return r.effects;
  }

  /** Moves the clock to `ms`, ticking at every wake-up on the way (and at `ms` itself). */
  advanceTo(ms: number): Array<Effect | N> {
    const out: Array<Effect | N> = [];
    for (let guard = 0; guard < 100_000; guard++) {
      const wake = this.machine.nextWakeMs(this.state);
      if (wake === null || wake > ms) break;
      this.nowMs = Math.max(this.nowMs, wake);
      out.push(...this.input({ type: 'tick' }));
    }
    this.nowMs = ms;
    out.push(...this.input({ type: 'tick' }));
    return out;
  }

  advanceBy(ms: number): Array<Effect | N> {
    return this.advanceTo(this.nowMs + ms);
  }

  /** Emitted events (optionally of one type) with their time. */
  events<T extends EventBody['type']>(type?: T, sinceMs = -Infinity): Array<Extract<EventBody, { type: T }> & { atMs: number }> {
    const out: Array<Extract<EventBody, { type: T }> & { atMs: number }> = [];
    for (const l of this.log) {
      if (l.atMs < sinceMs || l.effect.type !== 'emit') continue;
      const e = (l.effect as Extract<Effect, { type: 'emit' }>).event;
      if (type === undefined || e.type === type) out.push({ ...(e as Extract<EventBody, { type: T }>), atMs: l.atMs });
    }
    return out;
  }

  /** Logged effects of one type with their time. */
  effects<T extends (Effect | N)['type']>(type: T, sinceMs = -Infinity): Array<Extract<Effect | N, { type: T }> & { atMs: number }> {
    return this.log
      .filter((l) => l.effect.type === type && l.atMs >= sinceMs)
      .map((l) => ({ ...(l.effect as Extract<Effect | N, { type: T }>), atMs: l.atMs }));
  }
}

/** Effects of one type out of a list returned by `input` / `advanceTo`. */
export function only<E extends { type: string }, T extends E['type']>(effects: E[], type: T): Array<Extract<E, { type: T }>> {
  return effects.filter((e): e is Extract<E, { type: T }> => e.type === type);
}
