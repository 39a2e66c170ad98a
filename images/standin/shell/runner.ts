// Runs one pure machine against real sockets and a real clock: turns effects into dials, writes and closes,
// socket events into inputs, and the machine's next wake-up into one timer.

import net from 'node:net';
import { LATE_TIMER_MS, type Dial, type LinkName } from '../../protocol/index.js';
import type { ConnId, Effect, Machine, NetInput } from '../machines/core.js';
import { encodeWire, LineSplitter, parseWire } from '../wire.js';
import type { EventLog } from './event-log.js';

/**
 * The shared monotonic clock (the host kernel's, as the harness reads it): nanoseconds for the event stamps and the
 * same instant in milliseconds for the machines, so an event is stamped at the instant its machine decided it, and
 * a timing measured between two stamps is the machine's own, however long the process then waited for the CPU.
 */
export const nowNs = (): bigint => process.hrtime.bigint();
export const msOf = (ns: bigint): number => Number(ns) / 1e6;
export const nowMs = (): number => msOf(nowNs());

let acceptedIds = 0;

/** Why a connection ended, in the machines' words. */
function reasonOf(error: NodeJS.ErrnoException | null): string {
  if (error === null) return 'closed by peer';
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return error.code ?? error.message;
  }
}

export interface RunnerOptions<N> {
  name: string;
  log: EventLog;
  dials: Partial<Record<LinkName, Dial>>;
  /** Effects that are not I/O (notices to other machines). */
  onNotice?: (notice: N) => void;
}

export class MachineRunner<S, I, N extends { type: string } = never> {
  private stateValue: S;
  private readonly sockets = new Map<ConnId, net.Socket>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly machine: Machine<S, I | NetInput, N>,
    initial: S,
    private readonly options: RunnerOptions<N>,
  ) {
    this.stateValue = initial;
  }

  get state(): S {
    return this.stateValue;
  }

  /** Feeds one input at the current instant; a tick says when it was due, and a late one is reported. */
  input(input: I | NetInput, dueMs?: number): void {
    if (this.stopped) return;
    const atNs = nowNs();
    if (dueMs !== undefined && msOf(atNs) - dueMs >= LATE_TIMER_MS) {
      const lateMs = Math.round(msOf(atNs) - dueMs);
      this.options.log.push({ type: 'late-timer', machine: this.options.name, lateMs }, atNs);
    }
    const r = this.machine.step(this.stateValue, input, msOf(atNs));
    // The state is stored before the effects run: a notice may feed another machine that feeds this one back.
    this.stateValue = r.state;
    for (const effect of r.effects) this.apply(effect, atNs);
    this.schedule();
  }

  /** Hands an accepted socket to the machine. */
  accept(socket: net.Socket, port: number): void {
    const conn = -++acceptedIds;
    this.track(conn, socket);
    this.input({ type: 'accepted', conn, port });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.machine.nextWakeMs(this.stateValue);
    if (wake === null || this.stopped) return;
    // setTimeout may fire a little early on some platforms: the machine ignores a tick before its deadline and
    // asks again, so we never busy-loop on a past deadline either (delay >= 1 ms when not yet due).
    const setMs = nowMs();
    const delay = Math.max(0, Math.ceil(wake - setMs));
    // A deadline already past when the timer was set is due now: only the timer's own delay counts as late.
    const dueMs = Math.max(wake, setMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.input({ type: 'tick' }, dueMs);
    }, delay);
  }

  private apply(effect: Effect | N, atNs: bigint): void {
    switch (effect.type) {
      case 'emit':
        this.options.log.push((effect as Extract<Effect, { type: 'emit' }>).event, atNs);
        return;
      case 'dial': {
        const e = effect as Extract<Effect, { type: 'dial' }>;
        this.dial(e.conn, e.link);
        return;
      }
      case 'send': {
        const e = effect as Extract<Effect, { type: 'send' }>;
        const socket = this.sockets.get(e.conn);
        if (socket !== undefined && !socket.destroyed && socket.writable) socket.write(encodeWire(e.msg));
        return;
      }
      case 'close': {
        const e = effect as Extract<Effect, { type: 'close' }>;
        const socket = this.sockets.get(e.conn);
        this.sockets.delete(e.conn);
        socket?.destroy();
        return;
      }
      default:
        this.options.onNotice?.(effect as N);
    }
  }

  private dial(conn: ConnId, link: LinkName): void {
    const target = this.options.dials[link];
    if (target === undefined) {
      // No dial configured for this link: report it as refused so the machine follows its failure path.
      this.options.log.push({ type: 'log', message: `${this.options.name}: no dial configured for ${link}` });
      setImmediate(() => this.input({ type: 'closed', conn, reason: `no dial for ${link}` }));
      return;
    }
    const socket = net.connect({ host: target.host, port: target.port });
    this.track(conn, socket);
    socket.once('connect', () => {
      if (this.sockets.get(conn) === socket) this.input({ type: 'connected', conn });
    });
  }

  private track(conn: ConnId, socket: net.Socket): void {
    this.sockets.set(conn, socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const splitter = new LineSplitter();
    let error: NodeJS.ErrnoException | null = null;
    socket.on('data', (chunk: string) => {
      for (const line of splitter.push(chunk)) {
        if (this.sockets.get(conn) !== socket) return;
        const msg = parseWire(line);
        if (msg !== null) this.input({ type: 'message', conn, msg });
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    // A half-closed peer is a closed link: end our side too so 'close' follows.
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      // Only report connections the machine still owns (not ones it closed itself).
      if (this.sockets.get(conn) !== socket) return;
      this.sockets.delete(conn);
      this.input({ type: 'closed', conn, reason: reasonOf(error) });
    });
  }
}
