// The stand-in's event log: every event a machine emits, numbered from 1 and stamped with the shared
// monotonic clock (containers share the host kernel, so the harness compares the stamps directly).

import type { NodeName, StandinEvent } from '../../protocol/index.js';
import type { EventBody } from '../machines/core.js';

export class EventLog {
  private readonly events: StandinEvent[] = [];
  /** This process's life, as GET /events reports it (see EventsResponse.life). */
  readonly life = process.hrtime.bigint().toString();

  constructor(
    readonly node: NodeName,
    /** Mirrors each event as one JSON line (container logs); default: stdout. */
    private readonly echo: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Records an event stamped `atNs`: the instant its machine decided it (default: now). */
  push(body: EventBody, atNs: bigint = process.hrtime.bigint()): StandinEvent {
    const event = { ...body, seq: this.events.length + 1, node: this.node, atNs: atNs.toString() } as StandinEvent;
    this.events.push(event);
    this.echo(JSON.stringify(event));
    return event;
  }

  /** Events with seq > after (all of them: they are small and a run is short). */
  after(after: number): StandinEvent[] {
    return after <= 0 ? [...this.events] : this.events.slice(after);
  }

  get lastSeq(): number {
    return this.events.length;
  }
}
