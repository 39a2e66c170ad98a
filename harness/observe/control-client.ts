// The one client of a stand-in's control port (GET /healthz, /status, /events; POST /control), reached directly
// from the host over the control network, never through a proxy: a fault must never blind the observer.

import type { AdminView, ControlRequest, ControlResponse, EventsResponse, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';

/** Why a request got no usable answer, in the words a timeline note and a failure message use. */
export class ControlFailure extends Error {
  override readonly name = 'ControlFailure';
  constructor(
    readonly reason: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export class ControlClient {
  readonly baseUrl: string;

  constructor(
    readonly node: NodeName,
    url: string,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new HarnessError('BAD_INPUT', `control endpoint of ${node} is not a URL: ${JSON.stringify(url)}`, {
        cause,
        details: { node, url },
      });
    }
    if (parsed.protocol !== 'http:')
      throw new HarnessError('BAD_INPUT', `control endpoint of ${node} must be http://, got ${JSON.stringify(url)}`, {
        details: { node, url },
      });
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** GET /status; rejects with ControlFailure. */
  async status(options: RequestOptions): Promise<StandinStatus> {
    return (await this.#request('/status', options)) as StandinStatus;
  }

  /** GET /admin of a CMS: its administered objects, conflict records and queue; rejects with ControlFailure. */
  async admin(options: RequestOptions): Promise<AdminView> {
    return (await this.#request('/admin', options)) as AdminView;
  }

  /** GET /events?after=N; rejects with ControlFailure. */
  async events(after: number, options: RequestOptions): Promise<EventsResponse> {
    const body = (await this.#request(`/events?after=${after}`, options)) as EventsResponse;
    if (!Array.isArray(body?.events)) throw new ControlFailure('error: the answer has no events list');
    if (typeof body.life !== 'string') throw new ControlFailure('error: the answer does not say which life of the node it is from');
    return body;
  }

  /** POST /control; a refusal (4xx) rejects with ControlFailure carrying the stand-in's reason and the status. */
  async control(request: ControlRequest, options: RequestOptions): Promise<ControlResponse> {
    return (await this.#request('/control', options, request)) as ControlResponse;
  }

  /** Waits until /healthz answers (the stand-in answers it only once every listener is bound). */
  async waitHealthy(deadlineMs: number): Promise<void> {
    await waitFor(
      () =>
        this.#request('/healthz', { timeoutMs: 1_000 }).then(
          () => true,
          () => undefined,
        ),
      { deadlineMs, label: `${this.node} control port at ${this.baseUrl}` },
    );
  }

  /** Lets an awaitBegin stand-in start behaving; `restart` resets the connections it got before (see ControlRequest). */
  async begin(options: { restart?: boolean } = {}): Promise<void> {
    try {
      await this.control(options.restart ? { action: 'begin', restart: true } : { action: 'begin' }, { timeoutMs: 5_000 });
    } catch (error) {
      throw new HarnessError('START_FAILED', `${this.node} refused to begin: ${(error as Error).message}`, {
        cause: error,
        details: { node: this.node },
      });
    }
  }

  /**
   * One request with its own timeout. A plain controller and timer, not AbortSignal.any(): on Node 20 a combined
   * signal can lose a timeout signal nothing else references, and a request to a paused node then hangs for good.
   */
  async #request(path: string, options: RequestOptions, body?: ControlRequest): Promise<unknown> {
    const controller = new AbortController();
    const onStop = () => controller.abort(options.stop?.reason);
    options.stop?.addEventListener('abort', onStop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          signal: controller.signal,
          ...(body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new ControlFailure(timedOut ? `timeout: no answer within ${options.timeoutMs} ms` : classify(error), null, { cause: error });
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        const reason =
          body === undefined
            ? `error: HTTP ${response.status}`
            : (parseError(text) ?? (text.trim() === '' ? `HTTP ${response.status}` : text.trim()));
        throw new ControlFailure(reason, response.status);
      }
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new ControlFailure(`error: the answer is not JSON (${(error as Error).message})`, response.status, { cause: error });
      }
    } finally {
      clearTimeout(timer);
      options.stop?.removeEventListener('abort', onStop);
    }
  }
}

export interface RequestOptions {
  /** No answer within this long is a failure ("timeout: no answer within N ms"). */
  timeoutMs: number;
  /** Aborts the request when the caller stops (the observer's own stop). */
  stop?: AbortSignal;
}

/** "refused: …", "reset: …" or "error: …", from a failed fetch. */
export function classify(error: unknown): string {
  if (error instanceof ControlFailure) return error.reason;
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'refused: connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'reset: connection closed by the node';
  if (code !== undefined) return `error: ${code}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseError(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}
