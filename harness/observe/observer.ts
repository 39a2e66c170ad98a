// Watches every stand-in through its control port (never through a proxy): polls their events into a Timeline,
// records when a node stops and starts answering, and carries the harness's status reads and control actions.

import type { AdminView, ControlRequest, ControlResponse, EventsResponse, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { nowNs } from '../core/clock.js';
import { HarnessError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import { classify, ControlClient, ControlFailure } from './control-client.js';
import { Timeline } from './timeline.js';

export interface ObserverOptions {
  /** Where events go. Default: a new Timeline (see `observer.timeline`). */
  timeline?: Timeline;
  /** Pause between two polls of one node, counted from the start of the previous poll. Default 50; see pollIntervalFor. */
  pollIntervalMs?: number;
  /** Per-request timeout of event polls and status reads; a paused node shows up as this timeout. Default 1_000. */
  requestTimeoutMs?: number;
  /** Timeout of a control request. Default 5_000. */
  controlTimeoutMs?: number;
  /** Consecutive failed polls before a node is recorded unobservable. Default 1. */
  unobservableAfterFailures?: number;
}

/**
 * The poll interval for a site: a twentieth of its heartbeat interval, 50 ms to 1 s (50 ms at the default timers and
 * scale 0.05, 1 s at real time). Events carry the stand-ins' own instants, so the rate sets only how soon the harness
 * learns of them and how closely it stamps a node that stops answering, and both stay the same fraction of the site's
 * time at every scale. Polling is most of what an idle site costs: at 50 ms, 0.18 of the 0.20 cores a real-time site
 * used (five nodes, 100 requests a second), which at eight sites on two cores made the stand-ins' timers late.
 */
export function pollIntervalFor(heartbeatIntervalMs: number): number {
  return Math.min(1_000, Math.max(50, Math.round(heartbeatIntervalMs / 20)));
}

interface NodeState {
  client: ControlClient;
  lastSeq: number;
  /** The node's life as its last answer gave it (EventsResponse.life); null before the first answer. */
  life: string | null;
  /** When the last answered poll began: the node was alive then. */
  lastAnsweredNs: bigint | null;
  /** null until the first poll finished. */
  observable: boolean | null;
  failures: number;
  firstFailureNs: bigint | null;
  lastFailure: string | null;
  roundsStarted: number;
  roundsDone: number;
}

/**
 * Polls `GET /events?after=<last seq>` of each node every `pollIntervalMs`, each node on its own loop so a hung node
 * never delays the others. A failed poll (timeout, refused, HTTP error) records a harness `unobservable` event about
 * the node, stamped when the first failing request was sent; the next answer records `observable`. An answer from a
 * new life of the stand-in means it restarted, whether or not a poll caught it down: its events are read again from
 * seq 1 (the timeline keeps both lives apart by instant).
 */
export class Observer implements AsyncDisposable {
  readonly timeline: Timeline;
  readonly #nodes = new Map<NodeName, NodeState>();
  readonly #pollIntervalMs: number;
  readonly #requestTimeoutMs: number;
  readonly #controlTimeoutMs: number;
  readonly #unobservableAfter: number;
  #stopController = new AbortController();
  #loops: Promise<void>[] = [];
  #started: Promise<this> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(endpoints: ReadonlyMap<NodeName, string> | Partial<Record<NodeName, string>>, options: ObserverOptions = {}) {
    const entries = endpoints instanceof Map ? [...endpoints.entries()] : (Object.entries(endpoints) as [NodeName, string][]);
    if (entries.length === 0)
      throw new HarnessError('BAD_INPUT', 'Observer: no endpoints given; pass a map of node name to control URL (http://<ip>:7000)');
    for (const [node, url] of entries) {
      this.#nodes.set(node, {
        client: new ControlClient(node, url),
        lastSeq: 0,
        life: null,
        lastAnsweredNs: null,
        observable: null,
        failures: 0,
        firstFailureNs: null,
        lastFailure: null,
        roundsStarted: 0,
        roundsDone: 0,
      });
    }
    this.timeline = options.timeline ?? new Timeline();
    this.#pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 50);
    this.#requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 1_000);
    this.#controlTimeoutMs = positive('controlTimeoutMs', options.controlTimeoutMs ?? 5_000);
    this.#unobservableAfter = positive('unobservableAfterFailures', options.unobservableAfterFailures ?? 1);
  }

  /** The nodes observed. */
  /** How often each node is polled: about the longest the harness takes to see an event. */
  get pollIntervalMs(): number {
    return this.#pollIntervalMs;
  }

  get nodes(): NodeName[] {
    return [...this.#nodes.keys()];
  }

  get running(): boolean {
    return this.#started !== null && this.#stopping === null;
  }

  /** Starts polling; resolves once every node has been polled once (answered or not). Idempotent. */
  start(): Promise<this> {
    if (this.#stopping !== null)
      return Promise.reject(new HarnessError('OBSERVE_FAILED', 'Observer: cannot start again after stop(); create a new Observer'));
    if (this.#started === null) {
      this.#loops = [...this.#nodes.keys()].map((node) => this.#loop(node));
      this.#started = this.#freshRound().then(() => this);
    }
    return this.#started;
  }

  /** Stops polling and waits for in-flight polls to end. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopping === null) {
      this.#stopController.abort();
      this.#stopping = Promise.allSettled(this.#loops).then(() => undefined);
    }
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Whether the node answered its last poll; null before its first poll finished. */
  isObservable(node: NodeName): boolean | null {
    return this.#state(node).observable;
  }

  /**
   * Resolves once every node has finished a poll that started after this call, so the timeline holds everything
   * the stand-ins had recorded by now (or the node is recorded unobservable).
   */
  async flush(): Promise<void> {
    if (!this.running) throw new HarnessError('OBSERVE_FAILED', 'Observer.flush: the observer is not running; call start() first');
    await this.#freshRound();
  }

  async #freshRound(): Promise<void> {
    const targets = [...this.#nodes.entries()].map(([node, state]) => ({ node, state, target: state.roundsStarted + 1 }));
    await waitFor(
      () => {
        const behind = targets.filter((t) => t.state.roundsDone < t.target);
        return behind.length === 0 ? true : undefined;
      },
      {
        deadlineMs: 2 * (this.#pollIntervalMs + this.#requestTimeoutMs) + 1_000,
        label: 'one fresh poll of every node',
        intervalsMs: [5, 10, 20],
      },
    );
  }

  /** GET /status of a node. Rejects with OBSERVE_FAILED when it does not answer in time or answers an error. */
  async status(node: NodeName): Promise<StandinStatus> {
    try {
      return await this.#state(node).client.status({ timeoutMs: this.#requestTimeoutMs });
    } catch (error) {
      throw new HarnessError('OBSERVE_FAILED', `status of ${node} could not be read: ${classify(error)}`, {
        cause: error,
        details: { node },
      });
    }
  }

  /** GET /admin of a CMS. Rejects with OBSERVE_FAILED when it does not answer in time or answers an error. */
  async adminView(node: NodeName): Promise<AdminView> {
    try {
      return await this.#state(node).client.admin({ timeoutMs: this.#requestTimeoutMs });
    } catch (error) {
      throw new HarnessError('OBSERVE_FAILED', `the administration of ${node} could not be read: ${classify(error)}`, {
        cause: error,
        details: { node },
      });
    }
  }

  /**
   * POST /control to a node. On success records an `action` harness event stamped when the stand-in acknowledged.
   * A refusal (4xx) rejects with CONTROL_FAILED carrying the stand-in's reason; so does no answer in time.
   */
  async control(node: NodeName, request: ControlRequest): Promise<ControlResponse> {
    const what = describeRequest(request);
    let body: ControlResponse;
    try {
      body = await this.#state(node).client.control(request, { timeoutMs: this.#controlTimeoutMs });
    } catch (error) {
      const reason = classify(error);
      const status = error instanceof ControlFailure ? error.status : null;
      const refused = status !== null && status >= 400 && status < 500;
      this.timeline.record({
        type: 'note',
        subject: node,
        detail: `${what} on ${node} ${refused ? 'refused' : 'not acknowledged'}: ${reason}`,
      });
      throw new HarnessError(
        'CONTROL_FAILED',
        refused ? `${node} refused ${what}: ${reason} (HTTP ${status})` : `${node} did not acknowledge ${what}: ${reason}`,
        {
          cause: error,
          details: { node, request, status, reason },
        },
      );
    }
    this.timeline.record({
      type: 'action',
      subject: node,
      detail: `${what} on ${node} acknowledged${body.seq === undefined ? '' : ` (seq ${body.seq})`}`,
    });
    return body;
  }

  #state(node: NodeName): NodeState {
    const state = this.#nodes.get(node);
    if (state === undefined) {
      throw new HarnessError('BAD_INPUT', `Observer: ${node} is not observed; observed nodes: ${this.nodes.join(', ')}`, {
        details: { node },
      });
    }
    return state;
  }

  async #loop(node: NodeName): Promise<void> {
    const state = this.#state(node);
    const signal = this.#stopController.signal;
    while (!signal.aborted) {
      const startedNs = nowNs();
      state.roundsStarted += 1;
      await this.#poll(node, state, startedNs, signal);
      state.roundsDone += 1;
      const spentMs = Number(nowNs() - startedNs) / 1e6;
      // The polling cadence, not a wait on a condition: the next poll is due one interval after this one began.
      await pauseUnlessAborted(Math.max(0, this.#pollIntervalMs - spentMs), signal);
    }
  }

  async #poll(node: NodeName, state: NodeState, startedNs: bigint, stop: AbortSignal): Promise<void> {
    let body: EventsResponse;
    try {
      body = await state.client.events(state.lastSeq, { timeoutMs: this.#requestTimeoutMs, stop });
    } catch (error) {
      if (stop.aborted) return;
      this.#failed(node, state, startedNs, classify(error));
      return;
    }

    const restarted = state.life !== null && body.life !== state.life;
    if (state.observable === false) {
      this.timeline.record({ type: 'observable', subject: node, detail: `${node} answers again (was: ${state.lastFailure ?? 'unknown'})` });
    } else if (restarted) {
      // It went down and came back between two polls: what it did since its last answer is not known.
      this.timeline.record({
        type: 'unobservable',
        subject: node,
        detail: `${node} restarted between two polls`,
        atNs: state.lastAnsweredNs ?? startedNs,
      });
      this.timeline.record({ type: 'observable', subject: node, detail: `${node} answers again, as a new life` });
    }
    state.observable = true;
    state.failures = 0;
    state.firstFailureNs = null;
    state.lastAnsweredNs = startedNs;
    state.life = body.life;
    if (restarted) {
      this.timeline.record({
        type: 'note',
        subject: node,
        detail: `${node} restarted (had seen events up to seq ${state.lastSeq} of its previous life); reading its events from the start`,
      });
      state.lastSeq = 0;
      // This answer held only the new life's events past the old count: read the new life whole, now.
      try {
        body = await state.client.events(0, { timeoutMs: this.#requestTimeoutMs, stop });
      } catch (error) {
        if (!stop.aborted) this.#failed(node, state, nowNs(), classify(error));
        return;
      }
    }
    this.timeline.add(body.events);
    for (const event of body.events) if (event.seq > state.lastSeq) state.lastSeq = event.seq;
    this.timeline.markObserved(startedNs, node);
  }

  #failed(node: NodeName, state: NodeState, startedNs: bigint, reason: string): void {
    state.failures += 1;
    state.firstFailureNs ??= startedNs;
    state.lastFailure = reason;
    if (state.observable !== false && state.failures >= this.#unobservableAfter) {
      state.observable = false;
      this.timeline.record({ type: 'unobservable', subject: node, detail: reason, atNs: state.firstFailureNs });
    }
  }
}

function describeRequest(request: ControlRequest): string {
  return request.action === 'admin-change' ? `admin-change "${request.object}"` : request.action;
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new HarnessError('BAD_INPUT', `Observer: option "${option}" must be a positive number, got ${value}`, {
      details: { option, value },
    });
  }
  return value;
}

function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
