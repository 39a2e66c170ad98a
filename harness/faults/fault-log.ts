// Every fault, link or node, is recorded on the shared monotonic clock when it was asked for, when it was in force,
// when its heal was asked for and when the heal was in effect, and handed to whoever listens (the test's evidence).

import { randomBytes } from 'node:crypto';
import { nowNs, toMonoNs } from '../core/clock.js';
import type { FaultDirection, FaultKind, FaultRecord } from '../core/model.js';

/** A fault in force. `remove()` heals it and resolves once the heal is in effect; calling it again is a no-op. */
export interface FaultHandle {
  readonly record: FaultRecord;
  /**
   * The monotonic instant the request to apply the fault was sent. The fault takes effect somewhere during the
   * request (a stand-in may see a cut before Toxiproxy answers), so this, not the answer, anchors fault windows.
   */
  readonly appliedNs: bigint;
  /**
   * Heals the fault; resolves with the instant the heal was asked for, once it is in effect. A node that starts again
   * (after a kill or stop) begins its life once `beginGate` resolves: its start comes first, its protocol at a moment
   * the caller chooses. Other heals ignore it.
   */
  remove(beginGate?: () => Promise<void>): Promise<bigint>;
}

export interface FaultListener {
  applied(record: FaultRecord): void;
  removed(record: FaultRecord): void;
}

/** Keeps the faults of one topology and tells its listeners. */
export class FaultLog {
  readonly records: FaultRecord[] = [];
  readonly #listeners = new Set<FaultListener>();

  listen(listener: FaultListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies a fault (`apply` resolves once it is in force) and returns its handle. */
  async apply(
    fault: { kind: FaultKind; target: string; direction: FaultDirection | null; attributes: FaultRecord['attributes'] },
    apply: () => Promise<void>,
    heal: (beginGate?: () => Promise<void>) => Promise<void>,
  ): Promise<FaultHandle> {
    const appliedNs = nowNs();
    await apply();
    const record: FaultRecord = {
      id: `${fault.kind}-${fault.target}-${randomBytes(2).toString('hex')}`,
      kind: fault.kind,
      target: fault.target as FaultRecord['target'],
      direction: fault.direction,
      attributes: fault.attributes,
      appliedNs: toMonoNs(appliedNs),
      confirmedNs: toMonoNs(nowNs()),
      removedNs: null,
      healedNs: null,
    };
    this.records.push(record);
    for (const listener of this.#listeners) listener.applied(record);
    let removal: Promise<bigint> | undefined;
    return {
      record,
      appliedNs,
      remove: (beginGate) =>
        (removal ??= (async () => {
          // As for applying: the heal can take effect during the request, so its start is the instant recorded.
          const removedNs = nowNs();
          await heal(beginGate);
          record.removedNs = toMonoNs(removedNs);
          record.healedNs = toMonoNs(nowNs());
          for (const listener of this.#listeners) listener.removed(record);
          return removedNs;
        })()),
    };
  }
}
