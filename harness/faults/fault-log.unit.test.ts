// Unit tests of the fault log: the four instants of a fault on the monotonic clock, in order around the requests that
// apply and heal it, the listeners told once each, and a heal that happens once however often it is asked for.

import { expect } from 'chai';
import { nowNs } from '../core/clock.js';
import type { FaultRecord } from '../core/model.js';
import { FaultLog } from './fault-log.js';

const FAULT = { kind: 'cut' as const, target: 'heartbeat', direction: 'both' as const, attributes: {} };

/** A request that takes a few ms, noting when it began and ended. */
function request(spans: Array<{ start: bigint; end: bigint }>) {
  return async () => {
    const start = nowNs();
    await new Promise((resolve) => setTimeout(resolve, 3));
    spans.push({ start, end: nowNs() });
  };
}

describe('FaultLog', () => {
  it('records appliedNs before the apply request began and confirmedNs after it ended', async () => {
    const applies: Array<{ start: bigint; end: bigint }> = [];
    const handle = await new FaultLog().apply(FAULT, request(applies), async () => undefined);
    const { appliedNs, confirmedNs } = handle.record;
    expect(BigInt(appliedNs) <= applies[0]!.start).to.equal(true);
    expect(BigInt(confirmedNs) >= applies[0]!.end).to.equal(true);
    expect(BigInt(appliedNs) <= BigInt(confirmedNs)).to.equal(true);
    expect(handle.appliedNs).to.equal(BigInt(appliedNs));
  });

  it('records removedNs before the heal request began and healedNs after it ended', async () => {
    const heals: Array<{ start: bigint; end: bigint }> = [];
    const handle = await new FaultLog().apply(FAULT, async () => undefined, request(heals));
    expect(handle.record.removedNs).to.equal(null);
    expect(handle.record.healedNs).to.equal(null);
    const removedAt = await handle.remove();
    const { removedNs, healedNs } = handle.record;
    expect(BigInt(removedNs!) <= heals[0]!.start).to.equal(true);
    expect(BigInt(healedNs!) >= heals[0]!.end).to.equal(true);
    expect(BigInt(removedNs!) <= BigInt(healedNs!)).to.equal(true);
    expect(removedAt).to.equal(BigInt(removedNs!));
    expect(BigInt(handle.record.confirmedNs) <= BigInt(removedNs!)).to.equal(true);
  });

  it('keeps the record with its kind, target, direction and attributes, under an id naming the fault', async () => {
    const log = new FaultLog();
    const handle = await log.apply(
      { kind: 'latency', target: 'acd-primary', direction: 'upstream', attributes: { latency: 40 } },
      async () => undefined,
      async () => undefined,
    );
    expect(handle.record).to.deep.include({ kind: 'latency', target: 'acd-primary', direction: 'upstream', attributes: { latency: 40 } });
    expect(handle.record.id).to.match(/^latency-acd-primary-[0-9a-f]{4}$/);
    expect(log.records).to.deep.equal([handle.record]);
  });

  it('tells every listener once when a fault is in force and once when it is healed', async () => {
    const log = new FaultLog();
    const seen: string[] = [];
    log.listen({ applied: (r) => seen.push(`a1 ${r.kind}`), removed: (r) => seen.push(`r1 ${r.kind} ${r.healedNs !== null}`) });
    log.listen({ applied: (r) => seen.push(`a2 ${r.kind}`), removed: (r) => seen.push(`r2 ${r.kind}`) });
    const handle = await log.apply(
      FAULT,
      async () => undefined,
      async () => undefined,
    );
    expect(seen).to.deep.equal(['a1 cut', 'a2 cut']);
    await handle.remove();
    expect(seen).to.deep.equal(['a1 cut', 'a2 cut', 'r1 cut true', 'r2 cut']);
  });

  it('tells a listener nothing once it stopped listening', async () => {
    const log = new FaultLog();
    const seen: FaultRecord[] = [];
    const stop = log.listen({ applied: (r) => seen.push(r), removed: (r) => seen.push(r) });
    stop();
    await (
      await log.apply(
        FAULT,
        async () => undefined,
        async () => undefined,
      )
    ).remove();
    expect(seen).to.deep.equal([]);
  });

  it('heals once when remove() is called twice, both calls answering the same instant', async () => {
    const log = new FaultLog();
    let heals = 0;
    let removedTold = 0;
    log.listen({ applied: () => undefined, removed: () => (removedTold += 1) });
    const handle = await log.apply(
      FAULT,
      async () => undefined,
      async () => void (heals += 1),
    );
    const [first, second] = await Promise.all([handle.remove(), handle.remove()]);
    const third = await handle.remove();
    expect(heals).to.equal(1);
    expect(removedTold).to.equal(1);
    expect(second).to.equal(first);
    expect(third).to.equal(first);
  });

  it('records nothing and tells no listener when the fault could not be applied', async () => {
    const log = new FaultLog();
    let told = 0;
    log.listen({ applied: () => (told += 1), removed: () => (told += 1) });
    let error: unknown;
    await log
      .apply(
        FAULT,
        async () => {
          throw new Error('toxiproxy said no');
        },
        async () => undefined,
      )
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('toxiproxy said no');
    expect(log.records).to.deep.equal([]);
    expect(told).to.equal(0);
  });
});
