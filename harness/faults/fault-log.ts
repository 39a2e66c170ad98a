// Every fault, link or node, is recorded when it took effect and when it was removed, on the shared
// monotonic clock, and handed to whoever listens (the test's evidence, the report).

import { randomBytes } from 'node:crypto';
import type { FaultKind, FaultRecord } from '../core/model.js';

export type FaultDirection = 'upstream' | 'downstream' | 'both';

/** A fault in force. `remove()` heals it and resolves with the instant it was healed (ns); calling it again is a no-op. */
export interface FaultHandle {
  readonly record: FaultRecord;
  /**
   * The monotonic instant the request to apply the fault was sent. The fault takes effect somewhere during the
   * request (a stand-in may see a cut before Toxiproxy answers), so this, not the answer, anchors every window.
   */
  readonly appliedNs: bigint;
  remove(): Promise<bigint>;
}

export interface FaultListener {
  applied(record: FaultRecord): void;
  removed(record: FaultRecord): void;
}

/** Keeps the faults of one topology and tells its listeners. */
export class FaultLog {
  readonly records: FaultRecord[] = [];
  private readonly listeners = new Set<FaultListener>();

  listen(listener: FaultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a fault (`apply` resolves once it is in force) and returns its handle. */
  async apply(
    kind: FaultKind,
    target: string,
    direction: FaultDirection | null,
    attributes: FaultRecord['attributes'],
    apply: () => Promise<void>,
    heal: () => Promise<void>,
  ): Promise<FaultHandle> {
    const appliedNs = process.hrtime.bigint();
    await apply();
    const confirmedNs = process.hrtime.bigint();
    const record: FaultRecord = {
      id: `${kind}-${target}-${randomBytes(2).toString('hex')}`,
      kind,
      target: target as FaultRecord['target'],
      direction,
      attributes,
      appliedNs: appliedNs.toString(),
      confirmedNs: confirmedNs.toString(),
      removedNs: null,
    };
    this.records.push(record);
    for (const listener of this.listeners) listener.applied(record);
    let removal: Promise<bigint> | undefined;
    return {
      record,
      appliedNs,
      remove: () =>
        (removal ??= (async () => {
          // As for applying: the heal can take effect during the request, so its start is the instant recorded.
          const removedNs = process.hrtime.bigint();
          await heal();
          record.removedNs = removedNs.toString();
          for (const listener of this.listeners) listener.removed(record);
          return removedNs;
        })()),
    };
  }
}
