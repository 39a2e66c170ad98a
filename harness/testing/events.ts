// Builders of synthetic stand-in events for unit tests of the timeline, the assertions and the report:
// instants are given in ms after a fixed base so expected messages are exact.

import type { AlarmName, AcdLinkState, AcdTarget, CmsName, EssState, HaRole, NodeName, StandinEvent } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';

/** A fixed, realistic monotonic base (about 3 h after boot), so instants look like real ones. */
export const BASE_NS = 10_000_000_000_000n;

/** The instant `ms` after BASE_NS. */
export function at(ms: number): bigint {
  return BASE_NS + msToNs(ms);
}

/** Numbers events per node in call order, like a stand-in does. */
export class EventMaker {
  readonly #seq = new Map<NodeName, number>();

  #base(node: NodeName, ms: number): { seq: number; node: NodeName; atNs: string } {
    const seq = (this.#seq.get(node) ?? 0) + 1;
    this.#seq.set(node, seq);
    return { seq, node, atNs: at(ms).toString() };
  }

  role(node: NodeName, ms: number, role: HaRole, previous: HaRole | null = null, reason = 'test'): StandinEvent {
    return { ...this.#base(node, ms), type: 'role', role, previous, reason };
  }

  link(node: NodeName, ms: number, state: AcdLinkState, target: AcdTarget = 'cm', attempt = 1, cycle = 1): StandinEvent {
    return { ...this.#base(node, ms), type: 'acd-link', target, state, attempt, cycle };
  }

  /** A stand-in's timer that fired `lateMs` late. */
  lateTimer(node: NodeName, ms: number, lateMs: number, machine = 'ha'): StandinEvent {
    return { ...this.#base(node, ms), type: 'late-timer', machine, lateMs };
  }

  alarm(node: NodeName, ms: number, alarm: AlarmName, raised = true, detail = 'test'): StandinEvent {
    return { ...this.#base(node, ms), type: 'alarm', alarm, raised, detail };
  }

  gap(
    node: NodeName,
    ms: number,
    missing: number,
    source: AcdTarget = 'cm',
    cause: 'sequence' | 'source-switch' | 'source-restart' = 'sequence',
    silentMs = 0,
  ): StandinEvent {
    return { ...this.#base(node, ms), type: 'acd-gap', source, cause, fromSeq: 100, toSeq: 100 + missing, missing, silentMs };
  }

  heartbeat(node: NodeName, ms: number, outcome: 'sent' | 'answered' | 'missed', beat = 1, consecutiveMisses = 0): StandinEvent {
    return { ...this.#base(node, ms), type: 'heartbeat', outcome, beat, consecutiveMisses };
  }

  /** A heartbeat request the primary received from the secondary. */
  received(ms: number, beat: number, peerRole: HaRole, takenOver: boolean): StandinEvent {
    return { ...this.#base('cms-primary', ms), type: 'heartbeat', outcome: 'received', beat, consecutiveMisses: 0, peerRole, takenOver };
  }

  ess(ms: number, state: EssState, previous: EssState, reason = 'test'): StandinEvent {
    return { ...this.#base('ess', ms), type: 'ess', state, previous, reason };
  }

  client(ms: number, action: 'logged-in' | 'lost', target: CmsName | null): StandinEvent {
    return { ...this.#base('supervisor', ms), type: 'client', action, target };
  }

  admin(
    node: CmsName,
    ms: number,
    action: 'changed' | 'queued' | 'sent' | 'applied' | 'duplicate-ignored' | 'acked',
    origin: CmsName,
    changeSeq: number,
  ): StandinEvent {
    return { ...this.#base(node, ms), type: 'admin', action, origin, changeSeq };
  }

  adminLink(node: CmsName, ms: number, up: boolean, peer: CmsName): StandinEvent {
    return { ...this.#base(node, ms), type: 'admin-link', up, peer, reason: 'test' };
  }

  log(node: NodeName, ms: number, message: string): StandinEvent {
    return { ...this.#base(node, ms), type: 'log', message };
  }
}
