// A TCP connection to an echo (through a proxy or not) that sends one byte at a time and waits for it to come back:
// what a fault does to a link, seen from outside, to the resolution of one round trip.

import { connect, type Socket } from 'node:net';
import { nowNs } from '../core/clock.js';

export type EchoResult = { kind: 'answered'; rttMs: number } | { kind: 'closed' } | { kind: 'timeout' };

export class EchoProbe {
  /** When the connection was closed or reset by the far end (or refused), on the monotonic clock; null while open. */
  closedNs: bigint | null = null;
  #pending: ((result: EchoResult) => void) | null = null;
  #sentNs = 0n;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', () => this.#settle({ kind: 'answered', rttMs: Number(nowNs() - this.#sentNs) / 1e6 }));
    const closed = () => {
      this.closedNs ??= nowNs();
      this.#settle({ kind: 'closed' });
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', closed);
  }

  /** Opens a connection; rejects when it is refused or not made within `timeoutMs`. */
  static open(host: string, port: number, timeoutMs = 2_000): Promise<EchoProbe> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new EchoProbe(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Sends one byte and waits up to `timeoutMs` for it to come back. */
  echo(timeoutMs: number): Promise<EchoResult> {
    if (this.closedNs !== null) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle({ kind: 'timeout' }), timeoutMs);
      this.#pending = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
      this.#sentNs = nowNs();
      this.socket.write('x');
    });
  }

  /** When the last echo() sent its byte. */
  get sentNs(): bigint {
    return this.#sentNs;
  }

  #settle(result: EchoResult): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.(result);
  }

  close(): void {
    this.socket.destroy();
  }
}
