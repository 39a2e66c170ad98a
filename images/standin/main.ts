// The one stand-in program for every node of the CMS HA site: reads StandinConfig from CMSHA_CONFIG and
// behaves as a CMS, the main CM, the ESS, the supervisor or a plain echo, with HTTP status/control on 7000.

import net from 'node:net';
import { CONFIG_ENV, PORTS, type ControlRequest, type StandinStatus } from '../protocol/index.js';
import { actualPort, ConfigError, parseConfig, type LocalConfig } from './config.js';
import { startControlServer, type ControlOutcome } from './shell/control-server.js';
import { EventLog } from './shell/event-log.js';
import { cmRole, cmsRole, echoRole, essRole, supervisorRole, type Role } from './shell/roles.js';
import { readPlants, type Plants } from './plants.js';
import { effectiveVersion } from './version.js';

function roleFor(cfg: LocalConfig, log: EventLog, plants: Plants): Role {
  switch (cfg.kind) {
    case 'cms':
      return cmsRole(cfg, log, plants);
    case 'cm':
      return cmRole(cfg, log);
    case 'ess':
      return essRole(cfg, log);
    case 'supervisor':
      return supervisorRole(cfg, log);
    case 'echo':
      return echoRole(cfg);
  }
}

function listen(port: number, host: string, onSocket: (s: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ noDelay: true }, (socket) => {
    // A peer vanishing must never crash the process; the runner reports the close to its machine.
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void =>
      reject(new Error(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve(server);
    });
  });
}

async function main(): Promise<void> {
  let cfg: LocalConfig;
  let plants: Plants;
  try {
    cfg = parseConfig(process.env[CONFIG_ENV]);
    cfg = { ...cfg, version: effectiveVersion(cfg.version) };
    plants = readPlants();
  } catch (error) {
    process.stderr.write(`cmsha standin: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const host = cfg.bindHost ?? '0.0.0.0';
  const log = new EventLog(cfg.node);
  const role = roleFor(cfg, log, plants);
  if (plants.size > 0) log.push({ type: 'log', message: `planted defects (CMSHA_PLANT): ${[...plants].join(', ')}` });
  const servers: net.Server[] = [];

  // Before `begin`, an accepted connection waits unread, as in the listen backlog of a server still booting: the
  // machines hear a peer only after they started (a restarted CMS decides on the first heartbeat after its start).
  const held = new Map<net.Socket, (socket: net.Socket) => void>();
  const status = (): StandinStatus => ({
    node: cfg.node,
    kind: cfg.kind,
    version: cfg.version ?? '',
    ...(plants.size > 0 ? { plants: [...plants] } : {}),
    nowNs: process.hrtime.bigint().toString(),
    heldConnections: held.size,
    ...role.status(),
    lastEventSeq: log.lastSeq,
  });
  let begun = false;
  const begin = (restart: boolean): void => {
    if (begun) return;
    begun = true;
    // The instant the node's protocol life begins: what a restart's timings count from.
    log.push({ type: 'begun' });
    role.start();
    const early = [...held].filter(([socket]) => !socket.destroyed);
    held.clear();
    // After a restart the harness started the process ahead of its begin; a peer that dialled in between would have
    // been refused by a process not yet running (a stale heartbeat must not decide the returning primary's role).
    if (restart && early.length > 0)
      log.push({ type: 'log', message: `reset ${early.length} connection(s) made before this restarted node began` });
    for (const [socket, route] of early) {
      if (restart) {
        socket.resetAndDestroy();
        continue;
      }
      route(socket);
      socket.resume();
    }
  };
  const routeAfterBegin =
    (route: (socket: net.Socket) => void) =>
    (socket: net.Socket): void => {
      if (begun) return route(socket);
      socket.pause();
      held.set(socket, route);
    };
  const control = (r: ControlRequest): ControlOutcome => {
    if (r.action !== 'begin') return role.control(r);
    begin(r.restart === true);
    return { code: 200, body: { ok: true } };
  };
  for (const port of cfg.kind === 'echo' ? cfg.listens : cfg.listens.filter((p) => role.routes.has(p))) {
    const route = role.routes.get(port);
    if (route !== undefined) servers.push(await listen(actualPort(cfg, port), host, routeAfterBegin(route)));
  }
  // Last: the harness takes a healthy /healthz to mean every listener above is bound.
  const admin = role.admin?.bind(role);
  servers.push(await startControlServer({ log, status, control, ...(admin ? { admin } : {}) }, actualPort(cfg, PORTS.control), host));
  log.push({ type: 'started', kind: cfg.kind });
  // With awaitBegin the harness says when the whole site is up (see StandinConfig.awaitBegin).
  if (!cfg.awaitBegin) begin(false);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.push({ type: 'log', message: `stopping on ${signal}` });
    role.stop();
    for (const s of servers) s.close();
    // Open HTTP keep-alive connections would hold close() up; exit once the logs are flushed.
    setImmediate(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`cmsha standin: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
