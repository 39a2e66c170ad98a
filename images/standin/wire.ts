// The wire protocol between stand-ins: newline-delimited JSON over TCP, one message per line.
// Every link (ACD, ess-cm, heartbeat, admin-sync, client) uses it; `t` names the message.

import { DEFAULT_VERSION, type CmsName, type EssState, type HaRole } from '../protocol/index.js';
import { isVersion } from './version.js';

/** Every message a stand-in sends to another one. */
export type WireMsg =
  // ACD link (CMS -> cm/ess and back).
  | { t: 'hello'; node: CmsName }
  | { t: 'accept' }
  | { t: 'reject'; reason: string }
  | { t: 'data-start' }
  | { t: 'acd'; seq: number }
  // Keep-alive on every persistent link; `role` is carried on admin-sync (DUAL_ACTIVE detection), `ess` from the ESS
  // to the main CM on ess-cm (switch control: the CM is not in control while the ESS says ACTIVE).
  | { t: 'ka'; role?: HaRole; ess?: EssState }
  // ess-cm (ESS -> cm and back). The ESS says its state in its hello and in every keep-alive, and at once on a change.
  | { t: 'ess-hello'; state?: EssState }
  | { t: 'ess-hello-ack' }
  | { t: 'takeover' }
  // heartbeat (cms-secondary -> cms-primary and back). `primaryLost`: the secondary declared the primary lost and has
  // not heard it since (this beat is a return of the primary: its policy applies). `roleSeq`: the secondary's count
  // of its own role changes, so a demand in the answer is about the role the beat was sent in. `epoch`: random per
  // secondary process, so the primary can tell a restarted secondary (beats from 1 again) from stale requests.
  // demandStandby: go STANDBY (failback); resumeActive: an operator cancelled the demand you obeyed, go ACTIVE again.
  | { t: 'hb'; beat: number; fromRole: HaRole; primaryLost: boolean; roleSeq: number; epoch: string }
  | { t: 'hb-ans'; beat: number; role: HaRole; demandStandby?: boolean; resumeActive?: boolean }
  // admin-sync: the primary dials, then both sides use the connection alike. Each says hello with the last change
  // of the other's origin it applied and its software version; each pushes the changes made on it (origin = itself)
  // and acks the other's. A conflict's verdict goes primary -> secondary (`as-resolve`, naming the last change of
  // each side it took into account) and the secondary says when it holds the verdict's value (`as-resolved`).
  | { t: 'as-hello'; node: CmsName; role: HaRole; lastApplied: number; version: string }
  | { t: 'as-change'; origin: CmsName; seq: number; object: string; value: string }
  | { t: 'as-ack'; origin: CmsName; seq: number }
  | { t: 'as-resolve'; object: string; winner: CmsName; value: string; lost: string; primarySeq: number; secondarySeq: number }
  | { t: 'as-resolved'; object: string; primarySeq: number; secondarySeq: number }
  // client logins (supervisor -> cms-*).
  | { t: 'login'; user: string }
  | { t: 'login-ok' }
  | { t: 'login-reject'; reason: string };

export type WireType = WireMsg['t'];

const ROLES = new Set(['ACTIVE', 'STANDBY']);
const CMS = new Set(['cms-primary', 'cms-secondary']);
const ESS_STATES = new Set(['STANDBY', 'NO_SERVICE_TIMING', 'ACTIVE', 'RESETTING']);

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Checks one decoded line. A peer that sends garbage gets its message dropped (returns null), never a crash:
 * a chaos tool such as Toxiproxy's slicer must not take a stand-in down.
 */
export function parseWire(line: string): WireMsg | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  switch (m['t']) {
    case 'hello':
      return CMS.has(m['node'] as string) ? { t: 'hello', node: m['node'] as CmsName } : null;
    case 'ess-hello':
      if (m['state'] === undefined) return { t: 'ess-hello' };
      return ESS_STATES.has(m['state'] as string) ? { t: 'ess-hello', state: m['state'] as EssState } : null;
    case 'accept':
    case 'data-start':
    case 'ess-hello-ack':
    case 'takeover':
    case 'login-ok':
      return { t: m['t'] };
    case 'reject':
    case 'login-reject':
      return { t: m['t'], reason: typeof m['reason'] === 'string' ? m['reason'] : '' };
    case 'acd':
      return isInt(m['seq']) ? { t: 'acd', seq: m['seq'] } : null;
    case 'ka': {
      if (m['role'] !== undefined && !ROLES.has(m['role'] as string)) return null;
      if (m['ess'] !== undefined && !ESS_STATES.has(m['ess'] as string)) return null;
      return {
        t: 'ka',
        ...(m['role'] !== undefined ? { role: m['role'] as HaRole } : {}),
        ...(m['ess'] !== undefined ? { ess: m['ess'] as EssState } : {}),
      };
    }
    case 'hb':
      return isInt(m['beat']) &&
        ROLES.has(m['fromRole'] as string) &&
        typeof m['primaryLost'] === 'boolean' &&
        isInt(m['roleSeq']) &&
        isText(m['epoch'])
        ? {
            t: 'hb',
            beat: m['beat'],
            fromRole: m['fromRole'] as HaRole,
            primaryLost: m['primaryLost'],
            roleSeq: m['roleSeq'],
            epoch: m['epoch'],
          }
        : null;
    case 'hb-ans':
      return isInt(m['beat']) && ROLES.has(m['role'] as string)
        ? {
            t: 'hb-ans',
            beat: m['beat'],
            role: m['role'] as HaRole,
            ...(m['demandStandby'] === true ? { demandStandby: true } : {}),
            ...(m['resumeActive'] === true ? { resumeActive: true } : {}),
          }
        : null;
    case 'as-hello':
      // A hello without a version comes from a stand-in older than versions: it counts as the default one.
      return CMS.has(m['node'] as string) &&
        ROLES.has(m['role'] as string) &&
        isInt(m['lastApplied']) &&
        (m['version'] === undefined || isVersion(m['version']))
        ? {
            t: 'as-hello',
            node: m['node'] as CmsName,
            role: m['role'] as HaRole,
            lastApplied: m['lastApplied'],
            version: (m['version'] as string | undefined) ?? DEFAULT_VERSION,
          }
        : null;
    case 'as-change':
      return CMS.has(m['origin'] as string) && isInt(m['seq']) && isText(m['object']) && typeof m['value'] === 'string'
        ? { t: 'as-change', origin: m['origin'] as CmsName, seq: m['seq'], object: m['object'], value: m['value'] }
        : null;
    case 'as-resolve':
      return isText(m['object']) &&
        CMS.has(m['winner'] as string) &&
        typeof m['value'] === 'string' &&
        typeof m['lost'] === 'string' &&
        isInt(m['primarySeq']) &&
        isInt(m['secondarySeq'])
        ? {
            t: 'as-resolve',
            object: m['object'],
            winner: m['winner'] as CmsName,
            value: m['value'],
            lost: m['lost'],
            primarySeq: m['primarySeq'],
            secondarySeq: m['secondarySeq'],
          }
        : null;
    case 'as-resolved':
      return isText(m['object']) && isInt(m['primarySeq']) && isInt(m['secondarySeq'])
        ? { t: 'as-resolved', object: m['object'], primarySeq: m['primarySeq'], secondarySeq: m['secondarySeq'] }
        : null;
    case 'as-ack':
      return CMS.has(m['origin'] as string) && isInt(m['seq']) ? { t: 'as-ack', origin: m['origin'] as CmsName, seq: m['seq'] } : null;
    case 'login':
      return typeof m['user'] === 'string' ? { t: 'login', user: m['user'] } : null;
    default:
      return null;
  }
}

export function encodeWire(msg: WireMsg): string {
  return `${JSON.stringify(msg)}\n`;
}

/** Splits a byte stream into lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';
  /** A peer that never sends a newline must not grow memory without bound. */
  static readonly MAX_LINE = 64 * 1024;

  push(chunk: string): string[] {
    const parts = (this.tail + chunk).split('\n');
    this.tail = parts.pop() ?? '';
    if (this.tail.length > LineSplitter.MAX_LINE) this.tail = '';
    return parts.filter((p) => p.length > 0);
  }
}
