// The stand-in program end to end on loopback (real processes, sockets and timers, no Docker): sunny day,
// control errors, primary killed, main CM lost and the ESS taking over, forced takeover back to the CM,
// Admin-Sync from an ACTIVE secondary and across restarts, listeners bound before /healthz answers, versions,
// GET /admin and a split brain's conflict through cuttable forwarders.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_ENV, PORTS, type AdminView } from '../../protocol/index.js';
import { FAST_TIMERS, LoopbackSite } from '../test-support/loopback-site.js';

const ALL = ['cm', 'ess', 'cms-primary', 'cms-secondary', 'supervisor'] as const;

describe('stand-in program on loopback', function () {
  this.timeout(30_000);
  let site: LoopbackSite;

  beforeEach(async () => {
    site = new LoopbackSite(LoopbackSite.randomBase());
    for (const n of ALL) site.start(n);
    await site.until('every control port', async () => (await Promise.all(ALL.map((n) => site.status(n)))).length === ALL.length);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      for (const [n, out] of site.output) console.log(`--- ${n}\n${out.join('').split('\n').slice(-30).join('\n')}`);
    await site.stopAll();
  });

  it('reaches the sunny-day state: primary ACTIVE, secondary STANDBY, both on cm, ess STANDBY, supervisor on the primary', async () => {
    await site.until('sunny day', async () => {
      const [p, s, cm, ess, sup] = await Promise.all(ALL.map((n) => site.status(n))).then((x) => [x[2], x[3], x[0], x[1], x[4]]);
      return (
        p?.role === 'ACTIVE' &&
        s?.role === 'STANDBY' &&
        p.acd?.state === 'DATA_TRANSFER' &&
        p.acd.target === 'cm' &&
        s.acd?.state === 'DATA_TRANSFER' &&
        cm?.linkedCms?.length === 2 &&
        ess?.ess?.state === 'STANDBY' &&
        sup?.loggedInTo === 'cms-primary'
      );
    });
    const change = await site.control('cms-primary', { action: 'admin-change', object: 'add vdn 4000', value: 'add vdn 4000' });
    expect(change).to.deep.equal({ code: 200, body: { ok: true, seq: 1, origin: 'cms-primary' } });
    await site.until('change applied on the secondary', async () => (await site.status('cms-secondary')).adminSync?.peerApplied === 1);
    const applied = (await site.events('cms-secondary')).filter((e) => e.type === 'admin');
    expect(applied).to.have.length(1);
    expect(applied[0]).to.include({ action: 'applied', origin: 'cms-primary', changeSeq: 1 });
    await site.until('change acknowledged on the primary', async () => (await site.status('cms-primary')).adminSync?.ownAckedSeq === 1);
    // Identical stream, no gaps on either CMS.
    const [p, s] = [await site.status('cms-primary'), await site.status('cms-secondary')];
    expect(p.acdData?.gaps).to.equal(0);
    expect(s.acdData?.gaps).to.equal(0);
    const hb = (await site.events('cms-secondary')).filter((e) => e.type === 'heartbeat' && e.outcome === 'answered');
    expect(hb.length).to.be.greaterThan(0);
    const ev = await site.events('cms-primary', 2);
    expect(ev[0]?.seq).to.equal(3);
    expect(BigInt(ev[0]?.atNs ?? '0') > 0n).to.equal(true);
  });

  it('answers control errors with 4xx naming the problem', async () => {
    await site.until('primary ACTIVE', async () => (await site.status('cms-primary')).role === 'ACTIVE');
    expect((await site.control('cms-primary', '{nope')).code).to.equal(400);
    const unknown = await site.control('cms-primary', '{"action":"reboot"}');
    expect(unknown.code).to.equal(400);
    expect(unknown.body['error']).to.match(/unknown action "reboot"/);
    expect((await site.control('cms-primary', { action: 'set-active' })).code).to.equal(409);
    const standby = await site.control('cms-secondary', { action: 'admin-change', object: 'x', value: 'x' });
    expect(standby.code).to.equal(409);
    expect(standby.body['error']).to.match(/cms-secondary is STANDBY; administration is accepted only on the ACTIVE CMS/);
    expect((await site.control('cms-primary', '{"action":"admin-change"}')).code).to.equal(400);
    expect((await site.control('ess', { action: 'set-active' })).code).to.equal(400);
    const r = await fetch(`http://127.0.0.1:${site.port('cm', 7000)}/healthz`);
    expect(r.status).to.equal(200);
  });

  it('makes the secondary ACTIVE within the heartbeat window when the primary is killed, and the supervisor follows', async () => {
    await site.until(
      'sunny day',
      async () =>
        (await site.status('supervisor')).loggedInTo === 'cms-primary' && (await site.status('cms-secondary')).heartbeat?.answered !== 0,
    );
    const t0 = process.hrtime.bigint();
    await site.kill('cms-primary');
    const role = await site.until('secondary ACTIVE', async () =>
      (await site.events('cms-secondary')).find((e) => e.type === 'role' && e.role === 'ACTIVE'),
    );
    const detectMs = Number(BigInt(role.atNs) - t0) / 1e6;
    // [(3-1)·300, 3·300 + 100] with a loopback tolerance of 100 ms.
    expect(detectMs).to.be.within(600 - 100, 1_000 + 100);
    await site.until('supervisor on the secondary', async () => (await site.status('supervisor')).loggedInTo === 'cms-secondary');
  });

  it('lets the ESS take over after the no-service timeout when the CM dies, and hands back on a forced takeover', async () => {
    await site.until('both on cm', async () => (await site.status('cm')).linkedCms?.length === 2);
    await site.kill('cm');
    await site.until('ess ACTIVE', async () => (await site.status('ess')).ess?.state === 'ACTIVE', 5_000);
    await site.until(
      'both CMS on the ess',
      async () => {
        const [p, s] = [await site.status('cms-primary'), await site.status('cms-secondary')];
        return p.acd?.target === 'ess' && p.acd.state === 'DATA_TRANSFER' && s.acd?.target === 'ess' && s.acd.state === 'DATA_TRANSFER';
      },
      8_000,
    );
    site.start('cm');
    await site.until('cm back, ess still ACTIVE', async () => (await site.status('cm')).kind === 'cm');
    await site.until('ESS registered', async () => (await site.control('cm', { action: 'forced-takeover' })).code === 200, 5_000);
    await site.until('both CMS back on cm', async () => (await site.status('cm')).linkedCms?.length === 2, 8_000);
    const ess = (await site.events('ess')).filter((e) => e.type === 'ess').map((e) => (e.type === 'ess' ? e.state : ''));
    expect(ess).to.include.members(['NO_SERVICE_TIMING', 'ACTIVE', 'RESETTING']);
    // Never linked to both: every acd-link event sequence of a CMS is one connection at a time by construction.
    const p = await site.status('cms-primary');
    expect(p.acd?.target).to.equal('cm');
  });
});

describe('stand-in program on loopback: admin changes and restarts', function () {
  this.timeout(30_000);
  let site: LoopbackSite;
  const dirs: string[] = [];

  beforeEach(() => {
    site = new LoopbackSite(LoopbackSite.randomBase());
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      for (const [n, out] of site.output) console.log(`--- ${n}\n${out.join('').split('\n').slice(-30).join('\n')}`);
    await site.stopAll();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  const dataDir = (node: 'cms-primary' | 'cms-secondary') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cmsha-${node}-`));
    dirs.push(dir);
    return { ...site.config(node), dataDir: dir };
  };
  const applied = async (node: 'cms-primary' | 'cms-secondary') =>
    (await site.events(node)).flatMap((e) => (e.type === 'admin' && e.action === 'applied' ? [[e.origin, e.changeSeq]] : []));

  it('accepts changes on the secondary ACTIVE after a failover and pushes them to the returning primary, which holds STANDBY', async () => {
    for (const n of ['cm', 'cms-primary', 'cms-secondary'] as const) site.start(n);
    await site.until('heartbeat answered', async () => ((await site.status('cms-secondary')).heartbeat?.answered ?? 0) > 0);
    await site.kill('cms-primary');
    await site.until('secondary ACTIVE', async () => (await site.status('cms-secondary')).role === 'ACTIVE');
    const made = await site.control('cms-secondary', { action: 'admin-change', object: 'add skill 7', value: 'add skill 7' });
    expect(made).to.deep.equal({ code: 200, body: { ok: true, seq: 1, origin: 'cms-secondary' } });
    await site.until('ADMIN_SYNC_LAG on the secondary', async () => (await site.status('cms-secondary')).alarms.includes('ADMIN_SYNC_LAG'));
    site.start('cms-primary');
    await site.until('change applied on the primary', async () => (await site.status('cms-primary')).adminSync?.peerApplied === 1);
    expect(await applied('cms-primary')).to.deep.equal([['cms-secondary', 1]]);
    await site.until('lag cleared', async () => !(await site.status('cms-secondary')).alarms.includes('ADMIN_SYNC_LAG'));
    const role = await site.until('the return policy decided', async () =>
      (await site.events('cms-primary')).find((e) => e.type === 'role' && e.previous !== null),
    );
    expect(role).to.include({ role: 'STANDBY', reason: 'returning primary holds STANDBY: secondary is ACTIVE' });
    const events = await site.events('cms-primary');
    expect(events.find((e) => e.type === 'heartbeat' && e.outcome === 'received')).to.include({ peerRole: 'ACTIVE', takenOver: true });
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'y', value: 'y' })).code).to.equal(409);
  });

  it('keeps the Admin-Sync queue and numbering on disk across restarts of both CMS: nothing lost, nothing applied twice', async () => {
    const primary = dataDir('cms-primary');
    const secondary = dataDir('cms-secondary');
    site.start('cm');
    site.start('cms-primary', primary);
    site.start('cms-secondary', secondary);
    await site.until('primary ACTIVE', async () => (await site.status('cms-primary')).role === 'ACTIVE');
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'a', value: 'a' })).body).to.include({ seq: 1 });
    await site.until('a applied', async () => (await site.status('cms-secondary')).adminSync?.peerApplied === 1);
    await site.kill('cms-secondary');
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'b', value: 'b' })).body).to.include({ seq: 2 });
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'c', value: 'c' })).body).to.include({ seq: 3 });
    await site.kill('cms-primary');
    site.start('cms-primary', primary);
    site.start('cms-secondary', secondary);
    await site.until('queue drained', async () => (await site.status('cms-primary')).adminSync?.ownAckedSeq === 3);
    expect(await applied('cms-secondary'), 'only b and c, in order, by the restarted secondary').to.deep.equal([
      ['cms-primary', 2],
      ['cms-primary', 3],
    ]);
    await site.until('primary ACTIVE again', async () => (await site.status('cms-primary')).role === 'ACTIVE');
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'd', value: 'd' })).body).to.include({ seq: 4 });
    await site.until('d applied', async () => (await site.status('cms-secondary')).adminSync?.peerApplied === 4);
    const saved = JSON.parse(fs.readFileSync(path.join(primary.dataDir, 'admin-sync.json'), 'utf8')) as { lastSeq: number };
    expect(saved.lastSeq).to.equal(4);
  });
});

describe('stand-in program on loopback: listeners before health', function () {
  this.timeout(30_000);

  it('answers /healthz only once every data listener is bound', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    try {
      site.start('cms-secondary');
      const health = `http://127.0.0.1:${site.port('cms-secondary', 7000)}/healthz`;
      await site.until('healthz', async () => (await fetch(health)).status === 200);
      for (const nominal of [6001, 6002]) {
        const port = site.port('cms-secondary', nominal);
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port }, () => {
            socket.destroy();
            resolve();
          });
          socket.once('error', (error) =>
            reject(new Error(`port ${nominal} (${port}) not bound when /healthz answered: ${error.message}`)),
          );
        });
      }
    } finally {
      await site.stopAll();
    }
  });

  it('never answers /healthz when a data port cannot be bound: exits 1 naming the port', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    const busy = net.createServer();
    const port = site.port('cms-primary', 6000);
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const child = site.start('cms-primary');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let healthy = false;
      let done = false;
      void exited.then(() => (done = true));
      const health = `http://127.0.0.1:${site.port('cms-primary', 7000)}/healthz`;
      while (!done) {
        healthy ||= await fetch(health).then(
          (r) => r.status === 200,
          () => false,
        );
      }
      expect(await exited).to.equal(1);
      expect(healthy, '/healthz answered although the heartbeat port was never bound').to.equal(false);
      expect(site.output.get('cms-primary')?.join('')).to.match(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
    } finally {
      busy.close();
      await site.stopAll();
    }
  });
});

describe('stand-in program on loopback: split brain', function () {
  this.timeout(30_000);

  it('raises DUAL_ACTIVE on both CMS through admin-sync when the heartbeat path is cut from the start', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    try {
      for (const n of ['cm', 'cms-primary'] as const) site.start(n);
      // The secondary's heartbeat dials a port nobody listens on: every beat is refused.
      const cfg = site.config('cms-secondary');
      cfg.dials.heartbeat = { host: '127.0.0.1', port: site.port('supervisor', 6000) };
      site.start('cms-secondary', cfg);
      await site.until(
        'DUAL_ACTIVE on both',
        async () => {
          const [p, s] = [await site.status('cms-primary'), await site.status('cms-secondary')];
          return p.alarms.includes('DUAL_ACTIVE') && s.alarms.includes('DUAL_ACTIVE') && p.role === 'ACTIVE' && s.role === 'ACTIVE';
        },
        5_000,
      );
      expect((await site.status('cms-secondary')).alarms).to.include('HEARTBEAT_LOST');
      // The manual way out: the secondary goes STANDBY; both clear the alarm.
      expect((await site.control('cms-secondary', { action: 'set-standby' })).code).to.equal(200);
      await site.until(
        'alarm cleared on the primary',
        async () => !(await site.status('cms-primary')).alarms.includes('DUAL_ACTIVE'),
        3_000,
      );
    } finally {
      await site.stopAll();
    }
  });
});

describe('stand-in program on loopback: awaitBegin', function () {
  this.timeout(30_000);

  it('listens but neither dials nor runs timers until the begin action, then behaves, and records when it began', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    try {
      site.start('cm');
      site.start('cms-primary', { ...site.config('cms-primary'), awaitBegin: true });
      await site.until('cms-primary answering', async () => (await site.status('cms-primary').catch(() => undefined)) !== undefined);
      // Waiting for the primary's pending deadline would have made it ACTIVE; gated, it has not even started.
      const timers = site.config('cms-primary').timers;
      const gatedFor = timers.heartbeatMisses * timers.heartbeatIntervalMs + timers.heartbeatTimeoutMs + 200;
      const until = performance.now() + gatedFor;
      await site.until('the gate to have held past the pending deadline', async () => performance.now() >= until, gatedFor + 1_000);
      const gated = await site.status('cms-primary');
      expect(gated.acd?.state).to.equal('IDLE');
      expect((await site.events('cms-primary')).map((e) => e.type)).to.deep.equal(['started']);
      expect((await site.control('cms-primary', { action: 'begin' })).code).to.equal(200);
      await site.until(
        'cms-primary in data transfer with cm',
        async () => (await site.status('cms-primary')).acd?.state === 'DATA_TRANSFER',
      );
      expect((await site.control('cms-primary', { action: 'begin' })).code, 'a second begin is a no-op').to.equal(200);
      const types = (await site.events('cms-primary')).map((e) => e.type);
      expect(types.slice(0, 2), 'the begin is on record, before anything it started').to.deep.equal(['started', 'begun']);
      expect(
        types.filter((t) => t === 'begun'),
        'one begin on record',
      ).to.have.length(1);
    } finally {
      await site.stopAll();
    }
  });

  it('holds a connection accepted before begin unread, and serves it once the site begins, after its start', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    const secondary = new net.Socket();
    try {
      site.start('cms-primary', { ...site.config('cms-primary'), awaitBegin: true });
      await site.until('cms-primary answering', async () => (await site.status('cms-primary').catch(() => undefined)) !== undefined);
      // A secondary that took over heartbeats the returning primary before the harness said begin.
      await new Promise<void>((resolve, reject) => {
        secondary.once('error', reject);
        secondary.connect(site.port('cms-primary', PORTS.heartbeat), '127.0.0.1', () => resolve());
      });
      secondary.write(`${JSON.stringify({ t: 'hb', beat: 9, fromRole: 'ACTIVE', primaryLost: true, roleSeq: 1, epoch: 'e1' })}\n`);
      await site.until('the connection held', async () => (await site.status('cms-primary')).heldConnections === 1);
      expect((await site.events('cms-primary')).map((e) => e.type)).to.deep.equal(['started']);
      await site.control('cms-primary', { action: 'begin' });
      await site.until('the held heartbeat heard', async () =>
        (await site.events('cms-primary')).some((e) => e.type === 'heartbeat' && e.outcome === 'received'),
      );
      const events = (await site.events('cms-primary')).filter((e) => e.type === 'role' || e.type === 'heartbeat');
      // Its start first (waiting for the secondary's first heartbeat), then the held heartbeat.
      expect(events.map((e) => (e.type === 'role' ? `role ${e.role}` : `heartbeat ${e.outcome}`)).slice(0, 2)).to.deep.equal([
        'role STANDBY',
        'heartbeat received',
      ]);
      expect((await site.status('cms-primary')).heldConnections).to.equal(0);
    } finally {
      secondary.destroy();
      await site.stopAll();
    }
  });

  it('resets a connection made before a restarted node began, as a process not yet running refuses it', async () => {
    const site = new LoopbackSite(LoopbackSite.randomBase());
    const secondary = new net.Socket();
    try {
      site.start('cms-primary', { ...site.config('cms-primary'), awaitBegin: true });
      await site.until('cms-primary answering', async () => (await site.status('cms-primary').catch(() => undefined)) !== undefined);
      const closed = new Promise<string>((resolve) => {
        secondary.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        secondary.once('close', () => resolve('closed'));
      });
      await new Promise<void>((resolve) => secondary.connect(site.port('cms-primary', PORTS.heartbeat), '127.0.0.1', () => resolve()));
      // A beat the secondary sent while the restarted primary was up but had not begun: stale by the time it begins.
      secondary.write(`${JSON.stringify({ t: 'hb', beat: 9, fromRole: 'ACTIVE', primaryLost: true, roleSeq: 1, epoch: 'e1' })}\n`);
      await site.until('the connection held', async () => (await site.status('cms-primary')).heldConnections === 1);
      await site.control('cms-primary', { action: 'begin', restart: true });
      expect(await closed).to.equal('ECONNRESET');
      const events = await site.events('cms-primary');
      expect(
        events.some((e) => e.type === 'heartbeat'),
        'the stale beat decided nothing',
      ).to.equal(false);
      expect(events.map((e) => (e.type === 'log' ? e.message : e.type))).to.include(
        'reset 1 connection(s) made before this restarted node began',
      );
      expect((await site.status('cms-primary')).role).to.equal('STANDBY');
    } finally {
      secondary.destroy();
      await site.stopAll();
    }
  });
});

describe('stand-in program on loopback: a primary waiting for the secondary', function () {
  this.timeout(20_000);

  it('says it is pending while it holds STANDBY for the first heartbeat, and not once it decided on one', async () => {
    // Slow heartbeat timers: the no-secondary deadline (3 · 5 s + 1 s) must not pass while the test looks.
    const site = new LoopbackSite(LoopbackSite.randomBase(), { ...FAST_TIMERS, heartbeatIntervalMs: 5_000, heartbeatTimeoutMs: 1_000 });
    const secondary = new net.Socket();
    try {
      site.start('cms-primary', site.config('cms-primary'));
      await site.until('cms-primary answering', async () => (await site.status('cms-primary').catch(() => undefined)) !== undefined);
      const waiting = await site.status('cms-primary');
      expect([waiting.role, waiting.pending]).to.deep.equal(['STANDBY', true]);
      await new Promise<void>((resolve, reject) => {
        secondary.once('error', reject);
        secondary.connect(site.port('cms-primary', PORTS.heartbeat), '127.0.0.1', () => resolve());
      });
      secondary.write(`${JSON.stringify({ t: 'hb', beat: 1, fromRole: 'STANDBY', primaryLost: false, roleSeq: 0, epoch: 'e1' })}\n`);
      await site.until('the primary decided', async () => (await site.status('cms-primary')).pending === false);
      expect((await site.status('cms-primary')).role, 'a STANDBY secondary leaves the primary ACTIVE').to.equal('ACTIVE');
    } finally {
      secondary.destroy();
      await site.stopAll();
    }
  });
});

describe('stand-in program configuration', () => {
  const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

  it('exits 2 with a clear message naming the field when the configuration is invalid', () => {
    const r = spawnSync(process.execPath, [MAIN], {
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify({ node: 'cm', kind: 'nope' }) },
      encoding: 'utf8',
    });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/kind: "nope" is not one of/);
    expect(r.stderr).to.match(/timers: missing/);
  });

  it('exits 2 when CMSHA_CONFIG is missing', () => {
    const env = { ...process.env };
    delete env[CONFIG_ENV];
    const r = spawnSync(process.execPath, [MAIN], { env, encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/CMSHA_CONFIG is not set/);
  });
});

/** A TCP forwarder in the test process standing in for one link's proxy: cut resets every connection and refuses new ones. */
class LoopbackLink {
  private readonly server = net.createServer((down) => this.accept(down));
  private readonly sockets = new Set<net.Socket>();
  private isCut = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  cut(isCut: boolean): void {
    this.isCut = isCut;
    if (isCut) for (const s of this.sockets) s.resetAndDestroy();
  }

  close(): void {
    this.cut(true);
    this.server.close();
  }

  private accept(down: net.Socket): void {
    if (this.isCut) return void down.resetAndDestroy();
    const up = net.connect({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [down, up]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  }
}

describe('stand-in program on loopback: versions, administration and a split brain', function () {
  this.timeout(30_000);
  let site: LoopbackSite;
  const links: LoopbackLink[] = [];

  beforeEach(() => {
    site = new LoopbackSite(LoopbackSite.randomBase());
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      for (const [n, out] of site.output)
        console.log(
          `--- ${n}\n${out
            .join('')
            .split('\n')
            .filter((l) => !l.includes('"heartbeat"'))
            .slice(-40)
            .join('\n')}`,
        );
    for (const l of links.splice(0)) l.close();
    await site.stopAll();
  });

  const admin = async (node: 'cms-primary' | 'cms-secondary'): Promise<AdminView> =>
    (await (await fetch(`http://127.0.0.1:${site.port(node, PORTS.control)}/admin`)).json()) as AdminView;

  it('reports its version in /status and GET /admin: the configured one, else the image’s default', async () => {
    site.start('cm');
    site.start('cms-primary', { ...site.config('cms-primary'), version: '16.5.1' });
    site.start('cms-secondary');
    await site.until('every node answering', async () =>
      (await Promise.all((['cm', 'cms-primary', 'cms-secondary'] as const).map((n) => site.status(n).catch(() => undefined)))).every(
        (x) => x !== undefined,
      ),
    );
    expect((await site.status('cms-primary')).version).to.equal('16.5.1');
    expect((await site.status('cms-secondary')).version).to.equal('16.4.0');
    expect((await site.status('cm')).version).to.equal('16.4.0');
    expect(await admin('cms-primary')).to.deep.include({ node: 'cms-primary', version: '16.5.1', objects: {}, conflicts: [], queued: 0 });
    const cm = await fetch(`http://127.0.0.1:${site.port('cm', PORTS.control)}/admin`);
    expect(cm.status).to.equal(404);
    // The newer primary holds its changes for the older secondary.
    await site.until('primary ACTIVE', async () => (await site.status('cms-primary')).role === 'ACTIVE');
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'vdn 1', value: 'skill 1' })).code).to.equal(200);
    await site.until('ADMIN_SYNC_VERSION on the primary', async () =>
      (await site.status('cms-primary')).alarms.includes('ADMIN_SYNC_VERSION'),
    );
    expect((await admin('cms-secondary')).objects).to.deep.equal({});
  });

  it('shows in GET /admin, on both CMS, the objects and one conflict record after a split brain healed, converged on the ACTIVE CMS’s value', async () => {
    const heartbeat = await new LoopbackLink(site.port('cms-primary', PORTS.heartbeat)).listen();
    const adminSync = await new LoopbackLink(site.port('cms-secondary', PORTS.adminSync)).listen();
    links.push(heartbeat, adminSync);
    const primary = site.config('cms-primary');
    primary.dials['admin-sync'] = { host: '127.0.0.1', port: adminSync.port };
    const secondary = site.config('cms-secondary');
    secondary.dials.heartbeat = { host: '127.0.0.1', port: heartbeat.port };
    site.start('cm');
    site.start('cms-primary', primary);
    site.start('cms-secondary', secondary);
    await site.until('primary ACTIVE', async () => (await site.status('cms-primary')).role === 'ACTIVE');
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'vdn 4001', value: 'skill 0' })).code).to.equal(200);
    await site.until(
      'the first value on the secondary',
      async () => (await admin('cms-secondary')).objects['vdn 4001']?.value === 'skill 0',
    );

    // Partition: heartbeat and Admin-Sync cut together; the secondary takes over, both are ACTIVE.
    heartbeat.cut(true);
    adminSync.cut(true);
    await site.until('secondary ACTIVE', async () => (await site.status('cms-secondary')).role === 'ACTIVE', 5_000);
    expect((await site.control('cms-primary', { action: 'admin-change', object: 'vdn 4001', value: 'skill 1' })).code).to.equal(200);
    expect((await site.control('cms-secondary', { action: 'admin-change', object: 'vdn 4001', value: 'skill 2' })).code).to.equal(200);
    expect((await site.control('cms-secondary', { action: 'admin-change', object: 'vdn 4002', value: 'skill 9' })).code).to.equal(200);

    heartbeat.cut(false);
    adminSync.cut(false);
    // hold-standby: the returning primary goes STANDBY, so the secondary's value wins.
    await site.until(
      'converged, alarms cleared',
      async () => {
        const [p, s] = [await admin('cms-primary'), await admin('cms-secondary')];
        const [ps, ss] = [await site.status('cms-primary'), await site.status('cms-secondary')];
        return (
          p.conflicts.length === 1 &&
          s.conflicts.length === 1 &&
          !ps.alarms.includes('ADMIN_SYNC_CONFLICT') &&
          !ss.alarms.includes('ADMIN_SYNC_CONFLICT') &&
          p.queued === 0 &&
          s.queued === 0
        );
      },
      8_000,
    );
    expect((await site.status('cms-primary')).role).to.equal('STANDBY');
    for (const node of ['cms-primary', 'cms-secondary'] as const) {
      const view = await admin(node);
      expect(view.objects, node).to.deep.equal({
        'vdn 4001': { value: 'skill 2', origin: 'cms-secondary', changeSeq: 1 },
        'vdn 4002': { value: 'skill 9', origin: 'cms-secondary', changeSeq: 2 },
      });
      expect(
        view.conflicts.map(({ atNs: _atNs, ...c }) => c),
        node,
      ).to.deep.equal([{ object: 'vdn 4001', value: 'skill 2', lost: 'skill 1', winner: 'cms-secondary', loser: 'cms-primary' }]);
      expect(view.unresolved).to.deep.equal([]);
      const alarm = (await site.events(node)).filter((e) => e.type === 'alarm' && e.alarm === 'ADMIN_SYNC_CONFLICT');
      expect(
        alarm.map((e) => e.type === 'alarm' && e.raised),
        node,
      ).to.deep.equal([true, false]);
    }
  });
});
