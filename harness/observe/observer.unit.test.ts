// Unit tests of the Observer against fake stand-ins: small HTTP servers on 127.0.0.1 serving /events, /status
// and /control, one of which stops answering (hangs), goes away (refused) or restarts with a fresh event sequence.

import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlRequest, NodeName, StandinEvent, StandinStatus } from '../../images/protocol/index.js';
import { HarnessError, isHarnessError } from '../core/errors.js';
import type { HarnessEvent } from '../core/model.js';
import { nowNs } from '../core/clock.js';
import { Observer, pollIntervalFor } from './observer.js';
import { is, isObservableAt } from './site-state.js';
import type { Stamped } from './timeline.js';

type Mode = 'answer' | 'hang';

class FakeStandin {
  readonly node: NodeName;
  events: StandinEvent[] = [];
  /** Which life of the stand-in answers (EventsResponse.life); a restart starts a new one. */
  life = '1';
  mode: Mode = 'answer';
  readonly controls: ControlRequest[] = [];
  #server: http.Server | null = null;
  #port = 0;

  constructor(node: NodeName) {
    this.node = node;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  role(role: 'ACTIVE' | 'STANDBY'): StandinEvent {
    const event: StandinEvent = {
      seq: this.events.length + 1,
      node: this.node,
      atNs: nowNs().toString(),
      type: 'role',
      role,
      previous: null,
      reason: 'fake',
    };
    this.events.push(event);
    return event;
  }

  async listen(port = this.#port): Promise<void> {
    const server = http.createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.mode === 'hang') return; // like a paused container: the connection stays open, nothing comes back
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/events') {
      const after = Number(url.searchParams.get('after') ?? '0');
      json(200, { events: this.events.filter((e) => e.seq > after), life: this.life });
    } else if (req.method === 'GET' && url.pathname === '/status') {
      const status: StandinStatus = {
        node: this.node,
        kind: 'cms',
        version: '16.4.0',
        nowNs: nowNs().toString(),
        heldConnections: 0,
        alarms: [],
        lastEventSeq: this.events.at(-1)?.seq ?? 0,
      };
      json(200, status);
    } else if (req.method === 'POST' && url.pathname === '/control') {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const request = JSON.parse(text) as ControlRequest;
        this.controls.push(request);
        if (request.action === 'forced-takeover') json(400, { error: `forced-takeover is for cm, not ${this.node}` });
        else if (request.action === 'admin-change') json(200, { ok: true, seq: 7 });
        else json(200, { ok: true });
      });
    } else {
      json(404, { error: 'not found' });
    }
  }
}

function harnessEvents(observer: Observer, node: NodeName): Array<Stamped<HarnessEvent>> {
  return observer.timeline.events().filter((e): e is Stamped<HarnessEvent> => e.node === 'harness' && e.subject === node);
}

describe('Observer', () => {
  let primary: FakeStandin;
  let secondary: FakeStandin;
  let observer: Observer | null = null;

  beforeEach(async () => {
    primary = new FakeStandin('cms-primary');
    secondary = new FakeStandin('cms-secondary');
    await primary.listen();
    await secondary.listen();
  });

  afterEach(async () => {
    await observer?.stop();
    observer = null;
    await primary.close();
    await secondary.close();
  });

  function observe(): Observer {
    observer = new Observer(
      new Map<NodeName, string>([
        ['cms-primary', primary.url],
        ['cms-secondary', `${secondary.url}/`],
      ]),
      { pollIntervalMs: 20, requestTimeoutMs: 500 },
    );
    return observer;
  }

  it('merges the events of every node into its timeline, including events that appear later', async () => {
    primary.role('ACTIVE');
    secondary.role('STANDBY');
    const started = await observe().start();
    expect(started).to.equal(observer);
    expect(started.timeline.events((e) => e.node !== 'harness').map((e) => e.node)).to.have.members(['cms-primary', 'cms-secondary']);
    expect(started.isObservable('cms-primary')).to.equal(true);

    secondary.role('ACTIVE');
    const event = await started.timeline.waitFor(is.role('cms-secondary', 'ACTIVE'), { deadlineMs: 2_000, label: 'cms-secondary ACTIVE' });
    expect(event.seq).to.equal(2);
    await started.flush();
    expect(started.timeline.events({ node: 'cms-secondary' })).to.have.length(2);
    expect(started.timeline.observedUntil('cms-secondary')).to.not.equal(null);
  });

  it('records a node that stops answering as unobservable (timeout) and observable again when it answers, while polling the others', async () => {
    const started = await observe().start();
    primary.mode = 'hang';
    const down = await started.timeline.waitFor((e) => e.node === 'harness' && e.type === 'unobservable' && e.subject === 'cms-primary', {
      deadlineMs: 3_000,
      label: 'cms-primary unobservable',
    });
    expect(down.type === 'unobservable' && down.detail).to.equal('timeout: no answer within 500 ms');
    expect(started.isObservable('cms-primary')).to.equal(false);

    // The other node keeps being observed while the first one hangs.
    secondary.role('STANDBY');
    await started.timeline.waitFor(is.role('cms-secondary', 'STANDBY'), {
      deadlineMs: 2_000,
      label: 'secondary event while primary hangs',
    });

    primary.mode = 'answer';
    primary.role('ACTIVE');
    await started.timeline.waitFor((e) => e.node === 'harness' && e.type === 'observable' && e.subject === 'cms-primary', {
      deadlineMs: 3_000,
      label: 'cms-primary observable again',
    });
    await started.flush();
    expect(started.isObservable('cms-primary')).to.equal(true);
    expect(harnessEvents(started, 'cms-primary').map((e) => e.type)).to.deep.equal(['unobservable', 'observable']);
    expect(isObservableAt(started.timeline, 'cms-primary', nowNs())).to.equal(true);
    expect(started.timeline.events({ node: 'cms-primary' })).to.have.length(1);
  });

  it('records a refused connection and reads a restarted node from seq 1 again', async () => {
    primary.role('ACTIVE');
    primary.role('STANDBY');
    primary.role('ACTIVE');
    const started = await observe().start();
    expect(started.timeline.events({ node: 'cms-primary' })).to.have.length(3);

    await primary.close();
    const down = await started.timeline.waitFor((e) => e.type === 'unobservable' && e.subject === 'cms-primary', {
      deadlineMs: 3_000,
      label: 'refused',
    });
    // A poll in flight when the server went away sees the reset; the ones after it are refused.
    expect(down.type === 'unobservable' && down.detail).to.match(/^(refused: connection refused|reset: connection closed by the node)$/);

    primary.events = [];
    primary.life = '2';
    primary.role('STANDBY');
    await primary.listen();
    await started.timeline.waitFor((e) => e.node === 'cms-primary' && e.seq === 1 && e.type === 'role' && e.role === 'STANDBY', {
      deadlineMs: 3_000,
      label: 'the first event of the restarted primary',
    });
    expect(started.timeline.events({ node: 'cms-primary' })).to.have.length(4);
    expect(harnessEvents(started, 'cms-primary').map((e) => e.type)).to.deep.equal(['unobservable', 'observable', 'note']);
  });

  it('reads a node that restarted between two polls from seq 1 again, unobservable since its last answer', async () => {
    for (let i = 0; i < 4; i += 1) primary.role(i % 2 === 0 ? 'ACTIVE' : 'STANDBY');
    const started = await observe().start();
    await started.flush();
    const lastAnsweredBeforeNs = nowNs();
    // A new life with fewer events than the old one had: the old count would hide them all.
    primary.events = [];
    primary.life = '2';
    const first = primary.role('STANDBY');
    await started.timeline.waitFor((e) => e.node === 'cms-primary' && e.seq === 1 && e.atNs === first.atNs, {
      deadlineMs: 3_000,
      label: 'the first event of the new life',
    });
    const harness = harnessEvents(started, 'cms-primary');
    expect(harness.map((e) => e.type)).to.deep.equal(['unobservable', 'observable', 'note']);
    expect(harness[0]!.ns <= lastAnsweredBeforeNs, 'unobservable from the last answer before the restart').to.equal(true);
    expect(started.timeline.events({ node: 'cms-primary' })).to.have.length(5);
    primary.role('ACTIVE');
    await started.flush();
    expect(started.timeline.events({ node: 'cms-primary' }), 'the new life is then read on from its own count').to.have.length(6);
  });

  it('records a node that never answered as unobservable from its first poll', async () => {
    await secondary.close();
    const started = await observe().start();
    expect(started.isObservable('cms-secondary')).to.equal(false);
    expect(harnessEvents(started, 'cms-secondary').map((e) => e.type)).to.deep.equal(['unobservable']);
  });

  it('reads a node status and rejects with OBSERVE_FAILED when it does not answer', async () => {
    primary.role('ACTIVE');
    const started = await observe().start();
    const status = await started.status('cms-primary');
    expect(status).to.include({ node: 'cms-primary', lastEventSeq: 1 });
    secondary.mode = 'hang';
    const error = await started.status('cms-secondary').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isHarnessError(error, 'OBSERVE_FAILED')).to.equal(true);
    expect((error as HarnessError).message).to.equal('status of cms-secondary could not be read: timeout: no answer within 500 ms');
  });

  it('sends control requests and records the acknowledged action', async () => {
    const started = await observe().start();
    const before = nowNs();
    expect(await started.control('cms-secondary', { action: 'set-active' })).to.deep.equal({ ok: true });
    expect(await started.control('cms-primary', { action: 'admin-change', object: 'vdn 5001', value: 'vdn 5001' })).to.deep.equal({
      ok: true,
      seq: 7,
    });
    expect(secondary.controls).to.deep.equal([{ action: 'set-active' }]);
    const actions = started.timeline.events({ node: 'harness', type: 'action' }) as Array<Stamped<HarnessEvent>>;
    expect(actions.map((e) => [e.subject, e.detail])).to.deep.equal([
      ['cms-secondary', 'set-active on cms-secondary acknowledged'],
      ['cms-primary', 'admin-change "vdn 5001" on cms-primary acknowledged (seq 7)'],
    ]);
    expect(actions.every((e) => e.ns >= before)).to.equal(true);
  });

  it('turns a refused control request into CONTROL_FAILED with the stand-in reason', async () => {
    const started = await observe().start();
    const error = await started.control('cms-primary', { action: 'forced-takeover' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isHarnessError(error, 'CONTROL_FAILED')).to.equal(true);
    expect((error as HarnessError).message).to.equal(
      'cms-primary refused forced-takeover: forced-takeover is for cm, not cms-primary (HTTP 400)',
    );
    expect((error as HarnessError).details).to.include({ node: 'cms-primary', status: 400 });
    expect(started.timeline.events({ node: 'harness', type: 'action' })).to.have.length(0);
  });

  it('rejects unknown nodes and bad endpoints up front', () => {
    const started = observe();
    expect(() => started.isObservable('ess')).to.throw(HarnessError, /ess is not observed/);
    expect(() => new Observer(new Map())).to.throw(HarnessError, /no endpoints/);
    expect(() => new Observer({ cm: 'not a url' })).to.throw(HarnessError, /not a URL/);
    expect(() => new Observer({ cm: 'http://127.0.0.1:1' }, { pollIntervalMs: 0 })).to.throw(HarnessError, /"pollIntervalMs"/);
  });

  it('polls a twentieth of the heartbeat interval, from 50 ms at the default timers at scale 0.05 to 1 s at real time', () => {
    expect(pollIntervalFor(20_000 * 0.05)).to.equal(50);
    expect(pollIntervalFor(20_000 * 0.2)).to.equal(200);
    expect(pollIntervalFor(20_000)).to.equal(1_000);
    expect(pollIntervalFor(60_000), 'a slow heartbeat still notices a silent node within a second').to.equal(1_000);
    expect(pollIntervalFor(200), 'a fast heartbeat never polls more than 20 times a second').to.equal(50);
  });

  it('starts and stops idempotently, disposes, and refuses flush when stopped', async () => {
    const started = observe();
    const [a, b] = await Promise.all([started.start(), started.start()]);
    expect(a).to.equal(b);
    expect(started.running).to.equal(true);
    await Promise.all([started.stop(), started.stop()]);
    expect(started.running).to.equal(false);
    await started[Symbol.asyncDispose]();
    const error = await started.flush().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isHarnessError(error, 'OBSERVE_FAILED')).to.equal(true);
    const restart = await started.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isHarnessError(restart, 'OBSERVE_FAILED')).to.equal(true);
  });
});
