// Reads and checks the stand-in configuration (CMSHA_CONFIG). A bad configuration is reported with every
// problem found, naming the field and the value given, so the harness owner can fix the topology at once.

import { LINK_NAMES, NODE_NAMES, PORTS, type LinkName, type StandinConfig, type StandinKind } from '../protocol/index.js';
import { isVersion } from './version.js';

/**
 * What the stand-in accepts besides the shared StandinConfig. Both fields are for running several stand-ins on
 * one loopback host (local smoke tests); the harness does not use them.
 */
export interface LocalConfig extends StandinConfig {
  /** Nominal port (as a string key, e.g. "7000", "5001") -> the port actually listened on. Default: none. */
  portOverrides?: Record<string, number>;
  /** Address every listener binds. Default '0.0.0.0'. */
  bindHost?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid ${'CMSHA_CONFIG'}:\n  - ${problems.join('\n  - ')}`);
  }
}

const KINDS: StandinKind[] = ['cms', 'cm', 'ess', 'supervisor', 'echo'];

/** Ports each kind may listen on (besides the control port); `echo` takes any. */
export const KIND_PORTS: Record<Exclude<StandinKind, 'echo'>, number[]> = {
  cms: [PORTS.heartbeat, PORTS.adminSync, PORTS.client],
  cm: [PORTS.acdPrimary, PORTS.acdSecondary, PORTS.essCm],
  ess: [PORTS.acdPrimary, PORTS.acdSecondary],
  supervisor: [],
};

const TIMER_FIELDS = [
  ['heartbeatIntervalMs', 1],
  ['heartbeatTimeoutMs', 1],
  ['heartbeatMisses', 1],
  ['linkRetryMs', 1],
  ['mainAttempts', 1],
  ['essAttempts', 0],
  ['keepaliveIntervalMs', 1],
  ['keepaliveMisses', 1],
  ['pumpupMs', 0],
  ['essNoServiceTimeoutMs', 0],
  ['essResetMs', 0],
  ['acdEventRateHz', 0],
] as const;
const COUNT_FIELDS = new Set(['heartbeatMisses', 'mainAttempts', 'essAttempts', 'keepaliveMisses']);

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65_536;
}

/** Parses and checks the JSON text; throws ConfigError listing every problem. */
export function parseConfig(text: string | undefined): LocalConfig {
  if (text === undefined || text.trim() === '') throw new ConfigError(['CMSHA_CONFIG is not set: pass the StandinConfig JSON in it']);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`CMSHA_CONFIG is not JSON: ${(error as Error).message}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(['CMSHA_CONFIG must be a JSON object']);
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];

  if (!NODE_NAMES.includes(c['node'] as never)) problems.push(`node: ${JSON.stringify(c['node'])} is not one of ${NODE_NAMES.join(', ')}`);
  if (!KINDS.includes(c['kind'] as never)) problems.push(`kind: ${JSON.stringify(c['kind'])} is not one of ${KINDS.join(', ')}`);
  const kind = c['kind'] as StandinKind;
  const node = c['node'];
  if (kind === 'cms' && node !== 'cms-primary' && node !== 'cms-secondary')
    problems.push(`node: kind cms needs node cms-primary or cms-secondary, got ${JSON.stringify(node)}`);

  const timers = c['timers'];
  if (typeof timers !== 'object' || timers === null)
    problems.push('timers: missing (an object with every field of Timers, already scaled)');
  else {
    const t = timers as Record<string, unknown>;
    for (const [field, min] of TIMER_FIELDS) {
      const v = t[field];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
        problems.push(`timers.${field}: ${JSON.stringify(v)} must be a number >= ${min}`);
      else if (COUNT_FIELDS.has(field) && !Number.isInteger(v)) problems.push(`timers.${field}: ${v} must be an integer`);
    }
  }

  const policy = c['policy'];
  if (typeof policy !== 'object' || policy === null)
    problems.push('policy: missing (autoFailover, autoFailback, returningPrimary, essAutoReturnMs)');
  else {
    const p = policy as Record<string, unknown>;
    if (typeof p['autoFailover'] !== 'boolean')
      problems.push(`policy.autoFailover: ${JSON.stringify(p['autoFailover'])} must be a boolean`);
    if (typeof p['autoFailback'] !== 'boolean')
      problems.push(`policy.autoFailback: ${JSON.stringify(p['autoFailback'])} must be a boolean`);
    if (p['returningPrimary'] !== 'hold-standby' && p['returningPrimary'] !== 'stay-active') {
      problems.push(`policy.returningPrimary: ${JSON.stringify(p['returningPrimary'])} must be 'hold-standby' or 'stay-active'`);
    }
    const r = p['essAutoReturnMs'];
    if (r !== null && (typeof r !== 'number' || !Number.isFinite(r) || r < 0))
      problems.push(`policy.essAutoReturnMs: ${JSON.stringify(r)} must be null or a number >= 0`);
  }

  const dials = c['dials'];
  if (typeof dials !== 'object' || dials === null || Array.isArray(dials))
    problems.push('dials: missing (an object: link name -> { host, port })');
  else {
    for (const [link, d] of Object.entries(dials as Record<string, unknown>)) {
      if (!LINK_NAMES.includes(link as LinkName)) problems.push(`dials.${link}: not a link name (${LINK_NAMES.join(', ')})`);
      const dd = d as Record<string, unknown> | null;
      if (typeof dd !== 'object' || dd === null || typeof dd['host'] !== 'string' || dd['host'] === '' || !isPort(dd['port'])) {
        problems.push(`dials.${link}: ${JSON.stringify(d)} must be { host: string, port: 1..65535 }`);
      }
    }
  }

  const listens = c['listens'];
  if (!Array.isArray(listens) || !listens.every(isPort)) problems.push(`listens: ${JSON.stringify(listens)} must be an array of ports`);
  else if (KINDS.includes(kind) && kind !== 'echo') {
    for (const port of listens) {
      if (!KIND_PORTS[kind].includes(port))
        problems.push(`listens: port ${port} has no meaning for kind ${kind} (allowed: ${KIND_PORTS[kind].join(', ') || 'none'})`);
    }
  }

  const overrides = c['portOverrides'];
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null)
      problems.push('portOverrides: must be an object { "nominal port": actual port }');
    else
      for (const [k, v] of Object.entries(overrides))
        if (!isPort(Number(k)) || !isPort(v)) problems.push(`portOverrides.${k}: ${JSON.stringify(v)} must map a port to a port`);
  }
  if (c['bindHost'] !== undefined && typeof c['bindHost'] !== 'string') problems.push('bindHost: must be a string');
  if (c['awaitBegin'] !== undefined && typeof c['awaitBegin'] !== 'boolean') problems.push('awaitBegin: must be true or false');
  const dataDir = c['dataDir'];
  if (dataDir !== undefined) {
    if (typeof dataDir !== 'string' || dataDir === '') problems.push(`dataDir: ${JSON.stringify(dataDir)} must be a non-empty path`);
    else if (kind !== 'cms') problems.push(`dataDir: only a cms keeps state on disk, not kind ${kind}`);
  }

  const version = c['version'];
  if (version !== undefined && !isVersion(version))
    problems.push(`version: ${JSON.stringify(version)} must be dot-separated numbers, e.g. "16.4.0"`);

  // Dials a kind cannot work without.
  const d = (typeof dials === 'object' && dials !== null ? dials : {}) as Record<string, unknown>;
  if (kind === 'cms' && (node === 'cms-primary' || node === 'cms-secondary')) {
    const main = node === 'cms-primary' ? 'acd-primary' : 'acd-secondary';
    if (d[main] === undefined) problems.push(`dials.${main}: ${node} needs its ACD link to the main CM`);
  }
  if (kind === 'ess' && d['ess-cm'] === undefined) problems.push('dials.ess-cm: the ESS needs its link to the main CM');
  if (kind === 'supervisor' && d['client-primary'] === undefined && d['client-secondary'] === undefined) {
    problems.push('dials: the supervisor needs client-primary and/or client-secondary');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return c as unknown as LocalConfig;
}

/** The port actually listened on for a nominal one. */
export function actualPort(cfg: LocalConfig, nominal: number): number {
  return cfg.portOverrides?.[String(nominal)] ?? nominal;
}
