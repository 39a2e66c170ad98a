// Assembles the machines of each kind of stand-in and wires them together: which port feeds which machine,
// which notices go where, what /status shows and what each control action does.

import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import path from 'node:path';
import {
  DEFAULT_VERSION,
  PORTS,
  type AdminView,
  type AlarmName,
  type CmsName,
  type ControlRequest,
  type StandinStatus,
} from '../../protocol/index.js';
import { acdLinkMachine, initialAcdLink } from '../machines/acd-link.js';
import { acdDurableOf, checkAcdDurable, initialAcdData, observeAcd, type AcdDurable } from '../machines/acd-data.js';
import { acdServerMachine, initialAcdServer, linkedCms } from '../machines/acd-server.js';
import {
  adminSyncMachine,
  changeRefusal,
  checkAdminDurable,
  decidedConflicts,
  durableOf,
  initialAdminSync,
  unackedCount,
  unresolvedObjects,
  type AdminDurable,
} from '../machines/admin-sync.js';
import { clientsMachine, initialClients } from '../machines/clients.js';
import { essMachine, initialEss } from '../machines/ess.js';
import { essPeerMachine, forcedTakeoverRefusal, initialEssPeer } from '../machines/ess-peer.js';
import { haMachine, initialHa, manualRefusal } from '../machines/ha.js';
import { initialSupervisor, supervisorMachine } from '../machines/supervisor.js';
import type { LocalConfig } from '../config.js';
import { NO_PLANTS, type Plants } from '../plants.js';
import type { ControlOutcome } from './control-server.js';
import { readJsonFile, writeJsonFileAtomic } from './durable-file.js';
import type { EventLog } from './event-log.js';
import { MachineRunner, msOf, nowNs } from './runner.js';

/** What main.ts needs from a running stand-in. */
export interface Role {
  /** Kind-specific fields of /status (node, kind, version, nowNs, heldConnections, lastEventSeq are added by main). */
  status(): Omit<StandinStatus, 'node' | 'kind' | 'version' | 'nowNs' | 'heldConnections' | 'lastEventSeq'>;
  control(request: ControlRequest): ControlOutcome;
  /** CMS only: GET /admin. */
  admin?(): AdminView;
  /** Handler per nominal listening port. */
  routes: Map<number, (socket: net.Socket) => void>;
  start(): void;
  stop(): void;
}

const ok = (): ControlOutcome => ({ code: 200, body: { ok: true } });
const notForKind = (kind: string, action: string): ControlOutcome => ({
  code: 400,
  error: `action ${action} is not valid for a ${kind} stand-in`,
});

// -----------------------------------------------------------------------------------------------------------
// CMS

/** The Admin-Sync state a CMS saved before its restart (none without a data folder or on a first start). */
function loadAdminSync(file: string | null, node: CmsName, log: EventLog): AdminDurable | undefined {
  if (file === null) return undefined;
  const raw = readJsonFile(file);
  if (raw === undefined) {
    log.push({ type: 'log', message: `admin-sync: no saved state in ${file}, starting afresh` });
    return undefined;
  }
  const saved = checkAdminDurable(raw, node);
  log.push({
    type: 'log',
    message: `admin-sync: state loaded from ${file}: own changes up to ${saved.lastSeq} (acked ${saved.ackedSeq}), peer's applied up to ${saved.peerApplied}`,
  });
  return saved;
}

/** The ACD tracker a CMS saved before its restart (none without a data folder or on a first start). */
function loadAcdData(file: string | null, log: EventLog): AcdDurable | undefined {
  if (file === null) return undefined;
  const raw = readJsonFile(file);
  if (raw === undefined) return undefined;
  const saved = checkAcdDurable(raw);
  log.push({
    type: 'log',
    message: `acd-data: last event before this start was ${saved.source} seq ${saved.lastSeq} at ${saved.lastAtNs} ns`,
  });
  return saved;
}

export function cmsRole(cfg: LocalConfig, log: EventLog, plants: Plants = NO_PLANTS): Role {
  const node = cfg.node as CmsName;
  const isPrimary = node === 'cms-primary';
  const base = { log, dials: cfg.dials };
  // Beside admin-sync.json, its own small file: it is rewritten at every ACD event, the admin state is not.
  const acdFile = cfg.dataDir === undefined ? null : path.join(cfg.dataDir, 'acd-data.json');
  let acdData = initialAcdData(loadAcdData(acdFile, log));

  const adminFile = cfg.dataDir === undefined ? null : path.join(cfg.dataDir, 'admin-sync.json');
  const adminInitial = initialAdminSync(node, 'STANDBY', loadAdminSync(adminFile, node, log));
  // Written once now so an unwritable folder stops the start, not the first change.
  if (adminFile !== null) writeJsonFileAtomic(adminFile, durableOf(adminInitial));

  const clients = new MachineRunner(clientsMachine({ timers: cfg.timers, plants }), initialClients('STANDBY'), {
    ...base,
    name: 'clients',
  });
  const version = cfg.version ?? DEFAULT_VERSION;
  const adminSync = new MachineRunner(adminSyncMachine({ node, timers: cfg.timers, version, plants }), adminInitial, {
    ...base,
    name: 'admin-sync',
    onNotice: (n) => {
      // Synchronous: the runner carries out the effects after this one only once the state is on disk.
      if (n.type === 'persist') {
        if (adminFile !== null) writeJsonFileAtomic(adminFile, n.durable);
      } else ha.input({ type: 'peer-role', role: n.role, via: n.via });
    },
  });
  const ha = new MachineRunner(haMachine({ node, timers: cfg.timers, policy: cfg.policy, epoch: randomUUID(), plants }), initialHa(), {
    ...base,
    name: 'ha',
    onNotice: (n) => {
      if (n.type === 'contact') return adminSync.input({ type: 'contact', up: n.up });
      clients.input({ type: 'role', role: n.role });
      adminSync.input({ type: 'role', role: n.role });
    },
  });
  const mainLink = isPrimary ? 'acd-primary' : 'acd-secondary';
  const essLink = isPrimary ? 'acd-primary-ess' : 'acd-secondary-ess';
  const acd = new MachineRunner(
    acdLinkMachine({ node, timers: cfg.timers, mainLink, essLink: cfg.dials[essLink] === undefined ? null : essLink }),
    initialAcdLink(),
    {
      ...base,
      name: 'acd',
      onNotice: (n) => {
        const atNs = nowNs();
        const r = observeAcd(acdData, n.source, n.seq, msOf(atNs), cfg.timers);
        acdData = r.state;
        // Every event: a CMS killed at any instant restarts knowing its last one, so its downtime is one exact gap.
        const durable = acdDurableOf(acdData);
        if (acdFile !== null && durable !== null) writeJsonFileAtomic(acdFile, { ...durable, lastAtNs: atNs.toString() });
        for (const e of r.effects) if (e.type === 'emit') log.push(e.event, atNs);
      },
    },
  );

  const routes = new Map<number, (socket: net.Socket) => void>([
    [PORTS.heartbeat, (s) => ha.accept(s, PORTS.heartbeat)],
    [PORTS.client, (s) => clients.accept(s, PORTS.client)],
  ]);
  // The primary dials admin-sync; the secondary accepts.
  if (!isPrimary) routes.set(PORTS.adminSync, (s) => adminSync.accept(s, PORTS.adminSync));

  return {
    routes,
    start() {
      ha.input({ type: 'start' });
      acd.input({ type: 'start' });
      adminSync.input({ type: 'start' });
      if (!isPrimary && cfg.dials.heartbeat === undefined)
        log.push({ type: 'log', message: 'no heartbeat dial: the secondary cannot watch the primary' });
    },
    stop() {
      for (const r of [ha, acd, clients, adminSync]) r.stop();
    },
    status() {
      const h = ha.state;
      const l = acd.state;
      const a = adminSync.state;
      const alarms: AlarmName[] = [];
      if (h.dualActive) alarms.push('DUAL_ACTIVE');
      if (a.lagAlarm) alarms.push('ADMIN_SYNC_LAG');
      if (l.linkDownAlarm) alarms.push('ACD_LINK_DOWN');
      if (h.heartbeatLost) alarms.push('HEARTBEAT_LOST');
      if (h.noActiveCms) alarms.push('NO_ACTIVE_CMS');
      if (a.conflictAlarm) alarms.push('ADMIN_SYNC_CONFLICT');
      if (a.versionAlarm) alarms.push('ADMIN_SYNC_VERSION');
      return {
        role: h.role,
        pending: h.pending,
        acd: { state: l.state, target: l.state === 'IDLE' ? null : l.target, cycle: l.cycle, attempt: l.attempt },
        acdData: { received: acdData.received, lastSeq: acdData.lastSeq, gaps: acdData.gaps, missing: acdData.missing },
        adminSync: { ownLastSeq: a.lastSeq, ownAckedSeq: a.ackedSeq, peerApplied: a.peerApplied, queued: unackedCount(a) },
        heartbeat: { sent: h.sent, answered: h.answered, consecutiveMisses: h.consecutiveMisses },
        alarms,
      };
    },
    admin() {
      const a = adminSync.state;
      return {
        node,
        version,
        objects: structuredClone(a.objects),
        conflicts: decidedConflicts(a).map(({ atMs, ...c }) => ({ ...c, atNs: BigInt(Math.round(atMs * 1e6)).toString() })),
        unresolved: unresolvedObjects(a),
        queued: unackedCount(a),
      };
    },
    control(request) {
      switch (request.action) {
        case 'set-active':
        case 'set-standby': {
          const refusal = manualRefusal(ha.state, request.action);
          if (refusal !== null) return { code: 409, error: `${request.action} refused: ${node} is ${refusal}` };
          ha.input({ type: request.action });
          return ok();
        }
        case 'admin-change': {
          if (ha.state.role !== 'ACTIVE')
            return { code: 409, error: `admin-change refused: ${node} is STANDBY; administration is accepted only on the ACTIVE CMS` };
          const refusal = changeRefusal(adminSync.state, request.object);
          if (refusal !== null) return { code: 409, error: `admin-change refused: ${refusal}` };
          adminSync.input({ type: 'change', object: request.object, value: request.value });
          return { code: 200, body: { ok: true, seq: adminSync.state.lastSeq, origin: node } };
        }
        default:
          return notForKind('cms', request.action);
      }
    },
  };
}

// -----------------------------------------------------------------------------------------------------------
// CM

export function cmRole(cfg: LocalConfig, log: EventLog): Role {
  const base = { log, dials: cfg.dials };
  // Serves nobody until its ess-cm side knows whether the ESS is in control (see essPeerMachine).
  const server = new MachineRunner(acdServerMachine({ name: 'cm', timers: cfg.timers }), initialAcdServer(false, true), {
    ...base,
    name: 'acd',
  });
  const essPeer = new MachineRunner(essPeerMachine({ timers: cfg.timers }), initialEssPeer(), {
    ...base,
    name: 'ess-cm',
    onNotice: (n) => server.input({ type: 'set-serving', serving: n.inControl, reason: n.reason }),
  });
  return {
    routes: new Map<number, (socket: net.Socket) => void>([
      [PORTS.acdPrimary, (s) => server.accept(s, PORTS.acdPrimary)],
      [PORTS.acdSecondary, (s) => server.accept(s, PORTS.acdSecondary)],
      [PORTS.essCm, (s) => essPeer.accept(s, PORTS.essCm)],
    ]),
    start() {
      server.input({ type: 'start' });
      essPeer.input({ type: 'start' });
    },
    stop() {
      server.stop();
      essPeer.stop();
    },
    status() {
      return { linkedCms: linkedCms(server.state), inControl: essPeer.state.inControl === true, alarms: [] };
    },
    control(request) {
      if (request.action !== 'forced-takeover') return notForKind('cm', request.action);
      const refusal = forcedTakeoverRefusal(essPeer.state);
      if (refusal !== null) return { code: 409, error: `forced-takeover refused: ${refusal}` };
      essPeer.input({ type: 'forced-takeover' });
      return ok();
    },
  };
}

// -----------------------------------------------------------------------------------------------------------
// ESS

export function essRole(cfg: LocalConfig, log: EventLog): Role {
  const base = { log, dials: cfg.dials };
  const server = new MachineRunner(acdServerMachine({ name: 'ess', timers: cfg.timers }), initialAcdServer(false), {
    ...base,
    name: 'acd',
  });
  const ess = new MachineRunner(essMachine({ timers: cfg.timers, policy: cfg.policy }), initialEss(), {
    ...base,
    name: 'ess',
    onNotice: (n) => server.input({ type: 'set-serving', serving: n.serving, reason: n.reason }),
  });
  return {
    routes: new Map<number, (socket: net.Socket) => void>([
      [PORTS.acdPrimary, (s) => server.accept(s, PORTS.acdPrimary)],
      [PORTS.acdSecondary, (s) => server.accept(s, PORTS.acdSecondary)],
    ]),
    start() {
      server.input({ type: 'start' });
      ess.input({ type: 'start' });
    },
    stop() {
      server.stop();
      ess.stop();
    },
    status() {
      return { ess: { state: ess.state.ess }, linkedCms: linkedCms(server.state), inControl: ess.state.ess === 'ACTIVE', alarms: [] };
    },
    control(request) {
      return notForKind('ess', request.action);
    },
  };
}

// -----------------------------------------------------------------------------------------------------------
// Supervisor

export function supervisorRole(cfg: LocalConfig, log: EventLog): Role {
  const targets: CmsName[] = [];
  if (cfg.dials['client-primary'] !== undefined) targets.push('cms-primary');
  if (cfg.dials['client-secondary'] !== undefined) targets.push('cms-secondary');
  const sup = new MachineRunner(supervisorMachine({ timers: cfg.timers, targets }), initialSupervisor(), {
    log,
    dials: cfg.dials,
    name: 'supervisor',
  });
  return {
    routes: new Map(),
    start() {
      sup.input({ type: 'start' });
    },
    stop() {
      sup.stop();
    },
    status() {
      return { loggedInTo: sup.state.loggedInTo, alarms: [] };
    },
    control(request) {
      return notForKind('supervisor', request.action);
    },
  };
}

// -----------------------------------------------------------------------------------------------------------
// Echo: the foundation's plain TCP echo on every listed port.

export function echoRole(cfg: LocalConfig): Role {
  const sockets = new Set<net.Socket>();
  const echo = (s: net.Socket): void => {
    sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  };
  return {
    routes: new Map(cfg.listens.map((p) => [p, echo])),
    start() {},
    stop() {
      for (const s of sockets) s.destroy();
    },
    status() {
      return { alarms: [] };
    },
    control(request) {
      return notForKind('echo', request.action);
    },
  };
}
