// Synthetic evidence, runs, history, a comparison and a sensitivity table for the report's own tests: realistic
// timelines at a CI time scale (scale 0.05: a heartbeat every second) and, on request, hostile text everywhere text
// can come from (titles, errors, logs, events, windows, end states, the site, regressions, sensitivity messages).

import type { AcdTarget, CmsName, NodeName, StandinEvent } from '../../images/protocol/index.js';
import {
  type Comparison,
  type ExploreSummary,
  type HarnessEvent,
  type HistoryEntry,
  type Injection,
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type SensitivityTable,
  type TestEvidence,
  type TestRecord,
  type TimedStep,
  type TimelineEvent,
  type Window,
} from '../core/model.js';
import { DEFAULT_SITE, type SiteConfig } from '../core/site-config.js';
import { historyEntry, runStats } from '../core/summary.js';

/** Text that would run, load or restyle something if the report let it through as markup. */
export const HOSTILE = {
  title: `<script>window.__pwned=3</script> & "double" 'single' <b>bold</b>`,
  logScript: '<script>window.__pwned=1</script>',
  logImg: '<img src=x onerror="window.__pwned=2">',
  error: `expected <img src=x onerror="window.__pwned=4"> & 'friends' to be "ACTIVE"`,
  detail: `<svg onload="window.__pwned=5">peer</svg> reset & gone`,
  config: `<iframe src="https://example.com/frame"></iframe>`,
  endState: `ACTIVE<style>body{display:none}</style>`,
  anchor: `first <a href="https://example.com/a">unanswered</a> heartbeat`,
  regression: `<object data="https://example.com/o"></object> regressed`,
  sensitivity: `<link rel="stylesheet" href="https://example.com/s.css"> not caught`,
  eventField: `<form action="https://example.com/f"><input name=q></form>`,
  runId: `<meta http-equiv="refresh" content="0;url=https://example.com/r">`,
} as const;

/** Hostile text in an exploration's summary (apart from HOSTILE: a run's record holds an exploration only when asked). */
export const HOSTILE_FINDING = `<embed src="https://example.com/e"> & 'broke' "it"`;

export const TIME_SCALE = 0.05;
export const RUN_SEED = 4242;
export const REPEATS = 3;
/** The phase of the heartbeat cycle each repeat injects at (the run's seed spreads them over the cycle). */
export const PHASES = [0.37, 0.71, 0.12] as const;
const HEARTBEAT_MS = 1_000;
const HEARTBEAT_TIMEOUT_MS = 250;

const BASE_NS = 5_000_000_000_000n;
const ns = (ms: number): string => (BASE_NS + BigInt(Math.round(ms * 1e6))).toString();

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Builds timeline events with per-node sequence numbers. */
class Events {
  private readonly seqs = new Map<string, number>();
  readonly list: TimelineEvent[] = [];

  private nextSeq(node: string): number {
    const seq = (this.seqs.get(node) ?? 0) + 1;
    this.seqs.set(node, seq);
    return seq;
  }

  add(node: NodeName, atMs: number, body: DistributiveOmit<StandinEvent, 'seq' | 'node' | 'atNs'>): this {
    this.list.push({ ...body, seq: this.nextSeq(node), node, atNs: ns(atMs) } as StandinEvent);
    return this;
  }

  /** An event of a type this version does not know (a newer stand-in): the report must draw it anyway. */
  unknown(node: NodeName, atMs: number, body: Record<string, unknown>): this {
    this.list.push({ ...body, seq: this.nextSeq(node), node, atNs: ns(atMs) } as unknown as StandinEvent);
    return this;
  }

  harness(atMs: number, type: HarnessEvent['type'], subject: HarnessEvent['subject'], detail: string): this {
    this.list.push({ node: 'harness', seq: this.nextSeq('harness'), atNs: ns(atMs), type, subject, detail });
    return this;
  }

  linkUp(node: CmsName, fromMs: number, target: AcdTarget = 'cm', cycle = 1, attempt = 1): this {
    const steps = [
      [0, 'CONNECTING'],
      [40, 'WAITING_ACCEPTANCE'],
      [90, 'TRANSLATION_PUMPUP'],
      [340, 'DATA_TRANSFER'],
    ] as const;
    for (const [offset, state] of steps) this.add(node, fromMs + offset, { type: 'acd-link', target, state, attempt, cycle });
    return this;
  }

  /** Heartbeats every second from `fromMs`; from `lostAtMs` on the primary no longer answers. */
  beats(fromMs: number, toMs: number, lostAtMs: number | null): this {
    let misses = 0;
    for (let t = fromMs, beat = 1; t <= toMs; t += HEARTBEAT_MS, beat += 1) {
      this.add('cms-secondary', t, { type: 'heartbeat', outcome: 'sent', beat, consecutiveMisses: misses });
      if (lostAtMs !== null && t >= lostAtMs) {
        misses += 1;
        this.add('cms-secondary', t + HEARTBEAT_TIMEOUT_MS, { type: 'heartbeat', outcome: 'missed', beat, consecutiveMisses: misses });
      } else {
        this.add('cms-primary', t + 5, {
          type: 'heartbeat',
          outcome: 'received',
          beat,
          consecutiveMisses: 0,
          peerRole: 'STANDBY',
          takenOver: false,
        });
        this.add('cms-secondary', t + 15, { type: 'heartbeat', outcome: 'answered', beat, consecutiveMisses: 0, peerRole: 'ACTIVE' });
      }
    }
    return this;
  }

  /** Both CMS ACTIVE/STANDBY as configured, linked to cm; the ESS standing by. */
  sunnyStart(): this {
    this.add('cms-primary', 60, { type: 'role', role: 'ACTIVE', previous: null, reason: 'configured primary' });
    this.add('cms-secondary', 60, { type: 'role', role: 'STANDBY', previous: null, reason: 'configured secondary' });
    this.add('ess', 60, { type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'main CM alive' });
    return this.linkUp('cms-primary', 120).linkUp('cms-secondary', 150);
  }
}

/** The site of every fixture at real time; with `hostile`, a configuration string that is markup. */
export function fixtureSite(hostile: boolean): SiteConfig {
  const site = structuredClone(DEFAULT_SITE) as SiteConfig;
  site.budgets = { supervisorOutageMs: 90_000, dualActiveMs: 10_000 };
  site.wan = { heartbeat: { latencyMs: 20, jitterMs: 5, bandwidthKBps: null } };
  site.images = { standin: hostile ? HOSTILE.config : 'cmsha/standin:dev' };
  return site;
}

function evidenceBase(
  scenario: string,
  hostile: boolean,
  endMs: number,
): Omit<TestEvidence, 'timeline' | 'faults' | 'windows' | 'measurements' | 'assertions' | 'endState' | 'logs' | 'injection'> {
  return { scenario, startNs: ns(0), endNs: ns(endMs), site: fixtureSite(hostile), timeScale: TIME_SCALE, standinOverrides: null };
}

function injectionAt(phase: number, tickMs: number): Injection {
  return { cycle: 'heartbeat', phase, periodMs: HEARTBEAT_MS, tickNs: ns(tickMs), plannedNs: ns(tickMs + phase * HEARTBEAT_MS) };
}

function window(
  kind: Window['kind'],
  name: string,
  description: string,
  anchorLabel: string,
  anchorMs: number,
  fromMs: number,
  toMs: number,
  derivation: string,
): Window {
  return { name, description, kind, anchorLabel, anchorNs: ns(anchorMs), fromMs, toMs, derivation };
}

/**
 * cms-primary killed at a phase of the heartbeat cycle after the tick at 3 s; the secondary takes over after three
 * unanswered heartbeats (the first one sent at 4 s), 0.95 s later than it should when `failing`. Three windows: from
 * the first unanswered heartbeat (protocol), from the kill (fault), and the supervisor's outage budget.
 */
export function primaryDownEvidence(options: { phase?: number; failing: boolean; hostile: boolean }): TestEvidence {
  const injection = injectionAt(options.phase ?? PHASES[0], 3_000);
  const killMs = 3_000 + injection.phase * HEARTBEAT_MS + 2;
  const firstMissMs = 4_000;
  const activationMs = firstMissMs + 2 * HEARTBEAT_MS + HEARTBEAT_TIMEOUT_MS + 5 + (options.failing ? 950 : 0);
  const loginMs = activationMs + 420;
  const detail = options.hostile ? HOSTILE.detail : 'connection refused';
  const ev = new Events().sunnyStart();
  ev.add('cms-secondary', 200, { type: 'admin-link', up: true, peer: 'cms-primary', reason: 'hello exchanged' });
  ev.add('cms-primary', 900, { type: 'admin', action: 'changed', origin: 'cms-primary', changeSeq: 1 });
  ev.add('cms-primary', 902, { type: 'admin', action: 'sent', origin: 'cms-primary', changeSeq: 1 });
  ev.add('cms-secondary', 910, { type: 'admin', action: 'applied', origin: 'cms-primary', changeSeq: 1 });
  ev.add('cms-primary', 915, { type: 'admin', action: 'acked', origin: 'cms-primary', changeSeq: 1 });
  ev.add('supervisor', 300, { type: 'client', action: 'logged-in', target: 'cms-primary' });
  ev.beats(1_000, 8_000, firstMissMs);
  ev.harness(killMs + 80, 'unobservable', 'cms-primary', detail);
  ev.add('cms-secondary', killMs + 110, { type: 'admin-link', up: false, peer: 'cms-primary', reason: detail });
  ev.add('supervisor', killMs + 120, { type: 'client', action: 'lost', target: null });
  ev.add('cms-secondary', activationMs - 5, { type: 'alarm', alarm: 'HEARTBEAT_LOST', raised: true, detail: '3 heartbeats unanswered' });
  ev.add('cms-secondary', activationMs, {
    type: 'role',
    role: 'ACTIVE',
    previous: 'STANDBY',
    reason: options.hostile ? HOSTILE.detail : '3 heartbeats missed',
  });
  ev.add('supervisor', loginMs, { type: 'client', action: 'logged-in', target: 'cms-secondary' });
  ev.harness(activationMs + 400, 'note', 'cms-secondary', 'checked exactly one ACTIVE among observable nodes');
  ev.add('cm', 400, { type: 'log', message: 'channel 5001 accepted' });

  const anchor = options.hostile ? HOSTILE.anchor : 'first unanswered heartbeat';
  const windows = [
    window(
      'protocol',
      'detection',
      'cms-secondary becomes ACTIVE after the first unanswered heartbeat',
      anchor,
      firstMissMs,
      2_220,
      2_290,
      '(3-1)·1000 + 250 = 2250 ms, −30/+40 ms (scheduling)',
    ),
    window(
      'fault',
      'activation',
      'cms-secondary becomes ACTIVE after cms-primary is killed',
      'cms-primary killed',
      killMs,
      2_220,
      3_290,
      '(3-1)·1000 + 250 … 3·1000 + 250 ms, −1 +40 ms',
    ),
    window(
      'budget',
      'supervisor-outage',
      'the supervisor is logged in again',
      'cms-primary killed',
      killMs,
      0,
      4_500,
      'budgets.supervisorOutageMs 90 000 · 0.05',
    ),
  ];
  const at = [activationMs, activationMs, loginMs];
  const measurements = windows.map((w, i) => {
    const valueMs = at[i]! - Number(BigInt(w.anchorNs) - BASE_NS) / 1e6;
    return {
      name: w.name,
      description: w.description,
      valueMs,
      anchorNs: w.anchorNs,
      atNs: ns(at[i]!),
      window: w.name,
      withinWindow: valueMs >= w.fromMs && valueMs <= w.toMs,
    };
  });
  return {
    ...evidenceBase('primary-down/kill', options.hostile, 9_000),
    injection,
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'kill',
        target: 'cms-primary',
        direction: null,
        attributes: { signal: 'SIGKILL' },
        appliedNs: ns(killMs),
        confirmedNs: ns(killMs + 30),
        removedNs: null,
        healedNs: null,
      },
    ],
    windows,
    measurements,
    assertions: [
      {
        text: `cms-secondary became ACTIVE ${(measurements[0]!.valueMs / 1000).toFixed(3)} s after the ${anchor}; expected 2220–2290 ms`,
        passed: measurements[0]!.withinWindow,
      },
      { text: 'exactly one CMS is ACTIVE after the failover', passed: true },
      { text: 'no ACD data gap on cms-secondary', passed: true },
    ],
    endState: { 'cms-primary': 'DOWN', 'cms-secondary': options.hostile ? HOSTILE.endState : 'ACTIVE', supervisor: 'on cms-secondary' },
    logs: {
      'cms-primary': ['heartbeat responder listening on 6000', 'ACD link DATA_TRANSFER with cm'],
      'cms-secondary': options.hostile
        ? ['heartbeat 4 missed (1 in a row)', HOSTILE.logScript, HOSTILE.logImg, 'role ACTIVE: 3 heartbeats missed']
        : ['heartbeat 4 missed (1 in a row)', 'role ACTIVE: 3 heartbeats missed'],
      cm: ['listening on 5001, 5002, 5010'],
      toxiproxy: ['proxy heartbeat created', 'proxy acd-primary created'],
    },
  };
}

/**
 * `acd-primary` reset at a phase after the tick at 1 s and healed 3 s later (a heal planned 1 ms before, in the cycle of
 * the tick at 4 s): the secondary stays STANDBY.
 */
export function cmLinkEvidence(options: { phase?: number } = {}): TestEvidence {
  const injection = injectionAt(options.phase ?? PHASES[0], 1_000);
  const cutMs = 1_000 + injection.phase * HEARTBEAT_MS + 1;
  const healMs = cutMs + 3_000;
  const heal: TimedStep = {
    ...injectionAt((healMs - 1 - 4_000) / HEARTBEAT_MS, 4_000),
    step: 'heal 1: reset-peer acd-primary',
    madeNs: ns(healMs),
    late: false,
    reachedNs: ns(healMs - 1_200),
  };
  const ev = new Events().sunnyStart();
  ev.beats(1_000, 7_000, null);
  ev.add('cms-primary', cutMs + 30, { type: 'alarm', alarm: 'ACD_LINK_DOWN', raised: true, detail: 'peer reset' });
  ev.add('cms-primary', cutMs + 30, {
    type: 'acd-link',
    target: 'cm',
    state: 'CONNECTING',
    attempt: 1,
    cycle: 1,
    reason: 'connection reset',
  });
  ev.add('cms-primary', cutMs + 1_530, { type: 'acd-link', target: 'cm', state: 'CONNECTING', attempt: 2, cycle: 1 });
  ev.linkUp('cms-primary', healMs + 30, 'cm', 1, 3);
  ev.add('cms-primary', healMs + 380, {
    type: 'acd-gap',
    source: 'cm',
    cause: 'sequence',
    fromSeq: 31,
    toSeq: 60,
    missing: 30,
    silentMs: 3_350,
  });
  ev.add('cms-primary', healMs + 380, { type: 'alarm', alarm: 'ACD_LINK_DOWN', raised: false, detail: 'link restored' });
  ev.harness(6_000, 'action', 'cms-primary', 'set-standby acknowledged');
  ev.add('cms-primary', 6_010, { type: 'role', role: 'STANDBY', previous: 'ACTIVE', reason: 'operator' });
  ev.harness(6_050, 'action', 'cms-secondary', 'set-active acknowledged');
  ev.add('cms-secondary', 6_060, { type: 'role', role: 'ACTIVE', previous: 'STANDBY', reason: 'operator' });
  return {
    ...evidenceBase('cm-link/reset', false, 7_500),
    injection,
    steps: [heal],
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'reset-peer',
        target: 'acd-primary',
        direction: 'both',
        attributes: { timeout: 0 },
        appliedNs: ns(cutMs),
        confirmedNs: ns(cutMs + 12),
        removedNs: ns(healMs),
        healedNs: ns(healMs + 15),
      },
    ],
    windows: [
      window(
        'fault',
        'observation',
        'cms-secondary stays STANDBY while the ACD link of the primary is cut',
        'acd-primary cut',
        cutMs,
        0,
        3_000,
        '3 heartbeat intervals',
      ),
    ],
    measurements: [],
    assertions: [
      { text: 'heartbeat kept answering during the cut (3 of 3 answered)', passed: true },
      { text: 'cms-secondary stayed STANDBY for the whole observation window (3.0 s)', passed: true },
      { text: 'after the manual procedure exactly one CMS is ACTIVE: cms-secondary', passed: true },
    ],
    endState: { 'cms-primary': 'STANDBY', 'cms-secondary': 'ACTIVE' },
    logs: { 'cms-primary': ['ACD link lost: connection reset', 'ACD link DATA_TRANSFER with cm (attempt 3)'] },
  };
}

/** cm stopped: the ESS goes ACTIVE after the no-service timeout and the CMS follows; one event of an unknown type. */
export function essTakeoverEvidence(options: { hostile: boolean }): TestEvidence {
  const stopMs = 1_000;
  const ev = new Events();
  ev.add('ess', 30, { type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'main CM alive' });
  ev.linkUp('cms-primary', 100);
  ev.harness(stopMs + 40, 'unobservable', 'cm', 'stopped');
  ev.add('ess', stopMs + 60, { type: 'ess', state: 'NO_SERVICE_TIMING', previous: 'STANDBY', reason: 'main CM unreachable' });
  for (let attempt = 1; attempt <= 5; attempt += 1)
    ev.add('cms-primary', stopMs + 50 + (attempt - 1) * 1_500, { type: 'acd-link', target: 'cm', state: 'CONNECTING', attempt, cycle: 1 });
  ev.add('cms-primary', stopMs + 7_550, { type: 'acd-link', target: 'ess', state: 'CONNECTING', attempt: 1, cycle: 1 });
  ev.unknown('ess', stopMs + 9_000, {
    type: 'ipsi-request',
    port: 'PN 01',
    note: options.hostile ? HOSTILE.eventField : 'asks for service',
  });
  ev.add('ess', stopMs + 15_060, { type: 'ess', state: 'ACTIVE', previous: 'NO_SERVICE_TIMING', reason: 'no-service timeout' });
  ev.linkUp('cms-primary', stopMs + 16_550, 'ess', 2, 1);
  ev.add('cms-primary', stopMs + 16_900, {
    type: 'acd-gap',
    source: 'ess',
    cause: 'source-switch',
    fromSeq: 120,
    toSeq: 279,
    missing: 160,
    silentMs: 15_950,
  });
  const essActive = window(
    'fault',
    'ess-active',
    'ESS goes ACTIVE after the no-service timeout',
    'cm stopped',
    stopMs,
    14_500,
    16_000,
    'essNoServiceTimeoutMs · 0.05 ± 500 ms',
  );
  return {
    ...evidenceBase('ess-takeover', options.hostile, 20_000),
    injection: null,
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'stop',
        target: 'cm',
        direction: null,
        attributes: {},
        appliedNs: ns(stopMs),
        confirmedNs: ns(stopMs + 400),
        removedNs: null,
        healedNs: null,
      },
    ],
    windows: [essActive],
    measurements: [
      {
        name: 'ess-active',
        description: 'ess became ACTIVE',
        valueMs: 15_060,
        anchorNs: essActive.anchorNs,
        atNs: ns(stopMs + 15_060),
        window: 'ess-active',
        withinWindow: true,
      },
    ],
    assertions: [
      { text: 'ess became ACTIVE 15.1 s after cm stopped; expected 14.5–16.0 s', passed: true },
      { text: 'cms-primary was never linked to cm and ess at once', passed: true },
    ],
    endState: { 'cms-primary': 'DATA_TRANSFER ess', ess: 'ACTIVE' },
    logs: {},
  };
}

/**
 * The heartbeat path cut while the stand-ins run a wrong site on purpose (heartbeatMisses 4 instead of 3): the
 * secondary goes ACTIVE a heartbeat late and the dual-active span is measured with no window.
 */
export function wrongSiteEvidence(options: { phase: number; hostile: boolean }): TestEvidence {
  const injection = injectionAt(options.phase, 2_000);
  const cutMs = 2_000 + options.phase * HEARTBEAT_MS + 3;
  const activationMs = 3_000 + 3 * HEARTBEAT_MS + HEARTBEAT_TIMEOUT_MS + 5;
  const ev = new Events().sunnyStart();
  ev.beats(1_000, 7_000, 3_000);
  ev.add('cms-secondary', activationMs, { type: 'role', role: 'ACTIVE', previous: 'STANDBY', reason: '4 heartbeats missed' });
  ev.add('cms-secondary', activationMs + 10, {
    type: 'alarm',
    alarm: 'DUAL_ACTIVE',
    raised: true,
    detail: options.hostile ? HOSTILE.detail : 'peer ACTIVE too',
  });
  const detection = window(
    'protocol',
    'detection',
    'cms-secondary becomes ACTIVE after the first unanswered heartbeat',
    'first unanswered heartbeat',
    3_000,
    2_220,
    2_290,
    '(3-1)·1000 + 250 = 2250 ms, −30/+40 ms (scheduling)',
  );
  const valueMs = activationMs - 3_000;
  return {
    ...evidenceBase('heartbeat-path', options.hostile, 8_000),
    standinOverrides: { timers: { heartbeatMisses: 4 } },
    injection,
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'cut',
        target: 'heartbeat',
        direction: 'both',
        attributes: {},
        appliedNs: ns(cutMs),
        confirmedNs: ns(cutMs + 8),
        removedNs: null,
        healedNs: null,
      },
    ],
    windows: [detection],
    measurements: [
      {
        name: 'detection',
        description: detection.description,
        valueMs,
        anchorNs: detection.anchorNs,
        atNs: ns(activationMs),
        window: 'detection',
        withinWindow: false,
      },
      {
        name: 'dual-active',
        description: 'both CMS ACTIVE',
        valueMs: 8_000 - activationMs,
        anchorNs: ns(activationMs),
        atNs: ns(8_000),
        window: null,
        withinWindow: null,
      },
    ],
    assertions: [
      { text: `cms-secondary became ACTIVE ${valueMs} ms after the first unanswered heartbeat; expected 2220–2290 ms`, passed: false },
    ],
    endState: { 'cms-primary': 'ACTIVE', 'cms-secondary': 'ACTIVE' },
    logs: { 'cms-secondary': ['heartbeat 4 missed (4 in a row)', 'role ACTIVE: 4 heartbeats missed'] },
  };
}

function execution(
  title: string,
  path: string[],
  outcome: TestRecord['outcome'],
  evidence: TestEvidence | null,
  extra: Partial<TestRecord> = {},
): TestRecord {
  return {
    title,
    fullTitle: [...path, title].join(' '),
    path,
    file: `suites/${path[0] ?? 'root'}.suite.ts`,
    outcome,
    durationMs: 9_120,
    repeat: 0,
    seed: RUN_SEED,
    error: null,
    evidence,
    ...extra,
  };
}

export const PRIMARY_DOWN_TITLE = 'makes the secondary active within the heartbeat window when the primary is killed';

function primaryDownExecutions(hostile: boolean): TestRecord[] {
  const title = hostile ? `${PRIMARY_DOWN_TITLE} ${HOSTILE.title}` : PRIMARY_DOWN_TITLE;
  return PHASES.map((phase, repeat) => {
    const failing = repeat === 2;
    const evidence = primaryDownEvidence({ phase, failing, hostile });
    const message = `cms-secondary became ACTIVE ${(evidence.measurements[0]!.valueMs / 1000).toFixed(3)} s after the first unanswered heartbeat; expected 2220–2290 ms${hostile ? ` ${HOSTILE.error}` : ''}`;
    const error = failing
      ? { message, stack: `AssertionError: ${message}\n    at Context.<anonymous> (suites/primary-down.suite.ts:42:7)` }
      : null;
    return execution(title, ['primary-down', 'kill'], failing ? 'failed' : 'passed', evidence, { repeat, error });
  });
}

function wrongSiteExecutions(hostile: boolean): TestRecord[] {
  const message = 'cms-secondary became ACTIVE 3255 ms after the first unanswered heartbeat; expected 2220–2290 ms';
  return PHASES.map((phase, repeat) =>
    execution(
      'makes the secondary active after the heartbeat path is cut',
      ['heartbeat-path'],
      'failed',
      wrongSiteEvidence({ phase, hostile }),
      { repeat, error: { message, stack: null }, durationMs: 8_000 },
    ),
  );
}

/**
 * A run of 3 repeats: primary-down flaky (one repeat of three fails), heartbeat-path failing (a wrong site on purpose),
 * cm-link and ess-takeover passing, failback pending. With `hostile`, hostile text everywhere text can come from.
 */
export function syntheticRunRecord(options: { hostile?: boolean; runId?: string; startedAt?: string } = {}): RunRecord {
  const hostile = options.hostile ?? true;
  const tests = [
    ...PHASES.map((phase, repeat) =>
      execution(
        'keeps the secondary standby when the ACD link of the primary is reset',
        ['cm-link', 'reset'],
        'passed',
        cmLinkEvidence({ phase }),
        { repeat, durationMs: 7_600 },
      ),
    ),
    ...primaryDownExecutions(hostile),
    ...PHASES.map((_, repeat) =>
      execution(
        'links the CMS to the ESS at the Dual-IP step after the ESS goes active',
        ['ess-takeover'],
        'passed',
        essTakeoverEvidence({ hostile }),
        { repeat, durationMs: 20_100 },
      ),
    ),
    ...wrongSiteExecutions(hostile),
    execution('fails back automatically when the policy says so', ['failback'], 'pending', null, { durationMs: 0 }),
  ];
  return {
    schema: RUN_RECORD_SCHEMA,
    runId: options.runId ?? '2026-11-25T21-30-00Z-1a2b',
    startedAt: options.startedAt ?? '2026-11-25T21:30:00.000Z',
    endedAt: '2026-11-25T21:32:41.300Z',
    partial: false,
    partialReason: null,
    timeScale: TIME_SCALE,
    seed: RUN_SEED,
    repeat: REPEATS,
    parallel: 2,
    shard: { index: 1, count: 2 },
    siteFile: hostile ? `lab-${HOSTILE.config}.yaml` : 'lab.yaml',
    site: fixtureSite(hostile),
    environment: {
      node: 'v20.20.2',
      platform: 'linux x64',
      dockerVersion: '26.1.5',
      toxiproxyVersion: '2.12.0',
      images: [
        { name: 'cmsha/standin', tag: 'dev', id: 'sha256:4f1c2d3e4b5a69788796a5b4c3d2e1f0', sizeBytes: 187_000_000 },
        { name: 'ghcr.io/shopify/toxiproxy', tag: '2.12.0', id: null, sizeBytes: null },
      ],
    },
    stats: runStats(tests, 161_300),
    tests,
  };
}

/** The engines a pooled run's record lists: the local one, and one drained mid-run. */
export const POOL_ENGINES = { local: 'unix:///var/run/docker.sock', remote: 'tcp://10.0.0.5:2376' } as const;

/**
 * The same run on a pool of two engines: the remote one died mid-run and was drained, the cm-link execution it was
 * running ran again on the local engine, and the ess-takeover repeat 1 was inconclusive twice (its Toxiproxy stopped).
 */
export function syntheticPoolRunRecord(): RunRecord {
  const record = syntheticRunRecord({ hostile: false, runId: 'pool-run' });
  const { local, remote } = POOL_ENGINES;
  const moved = 'stopped answering: connect ECONNREFUSED 10.0.0.5:2376';
  const cause = "the site's Toxiproxy stopped answering: connect ECONNREFUSED 172.18.0.3:8474";
  const tests = record.tests.map((t): TestRecord => {
    if (t.path[0] === 'cm-link' && t.repeat === 0)
      return {
        ...t,
        engine: local,
        attempts: [
          { engine: remote, attempt: 1, rerun: null, outcome: 'moved', reason: `engine ${remote} was drained: ${moved}` },
          { engine: local, attempt: 2, rerun: `moved from engine ${remote}: ${moved}`, outcome: 'passed', reason: null },
        ],
      };
    if (t.path[0] === 'ess-takeover' && t.repeat === 1)
      return {
        ...t,
        outcome: 'inconclusive',
        error: { message: `inconclusive (harness): ${cause}\nthe failure it spoiled: cms-secondary lost its ACD link`, stack: null },
        harnessFault: { part: 'toxiproxy', cause },
        engine: local,
        attempts: [
          { engine: local, attempt: 1, rerun: null, outcome: 'inconclusive', reason: cause },
          {
            engine: local,
            attempt: 2,
            rerun: `retried after inconclusive on engine ${local}: ${cause}; on ${local} again, the only engine left`,
            outcome: 'inconclusive',
            reason: cause,
          },
        ],
      };
    return {
      ...t,
      engine: local,
      attempts: [{ engine: local, attempt: 1, rerun: null, outcome: t.outcome === 'failed' ? 'failed' : 'passed', reason: null }],
    };
  });
  return {
    ...record,
    shard: null,
    engines: [
      { url: local, capacity: 1, capacityWhy: '--parallel auto: 1 site(s) at once', dockerVersion: '26.1.5', drained: null, attempts: 16 },
      {
        url: remote,
        capacity: 2,
        capacityWhy: 'from its 4 CPUs',
        dockerVersion: '26.1.5',
        drained: { reason: moved, at: '2026-11-25T21:31:02.000Z' },
        attempts: 2,
      },
    ],
    stats: runStats(tests, 161_300),
    tests,
  };
}

/** Four earlier nights: the same scenarios, primary-down passing every repeat and creeping later, one run with a hostile id. */
export function syntheticHistory(options: { hostile?: boolean } = {}): HistoryEntry[] {
  const hostile = options.hostile ?? true;
  return [0, 1, 2, 3].map((night) => {
    const runId = night === 1 && hostile ? HOSTILE.runId : `2026-11-2${1 + night}T21-30-00Z-00${night}f`;
    const record = syntheticRunRecord({ hostile, runId, startedAt: `2026-11-2${1 + night}T21:30:00.000Z` });
    const onTime = (t: TestRecord): TestRecord => ({
      ...t,
      outcome: 'passed',
      error: null,
      evidence: later(primaryDownEvidence({ phase: PHASES[t.repeat], failing: false, hostile }), night * 8),
    });
    const tests = record.tests.map((t) => (t.path[0] === 'primary-down' ? onTime(t) : t));
    return historyEntry({ ...record, tests, stats: runStats(tests, record.stats.durationMs) });
  });
}

/** The same evidence with every measured timing `byMs` later. */
function later(evidence: TestEvidence, byMs: number): TestEvidence {
  return { ...evidence, measurements: evidence.measurements.map((m) => ({ ...m, valueMs: m.valueMs + byMs })) };
}

/** This run against the night before: primary-down turned flaky and slower, heartbeat-path beyond its budget. */
export function syntheticComparison(options: { hostile?: boolean } = {}): Comparison {
  const hostile = options.hostile ?? true;
  const primaryDown = `primary-down kill ${PRIMARY_DOWN_TITLE}${hostile ? ` ${HOSTILE.title}` : ''}`;
  const budgetRegression = hostile
    ? `heartbeat-path: dual-active 1.7 s beyond its budget of 500 ms ${HOSTILE.regression}`
    : 'heartbeat-path: dual-active 1.7 s beyond its budget of 500 ms';
  const same = { n: 3, min: 2_250, p50: 2_255, p95: 2_257, max: 2_257 };
  return {
    baseline: { runId: '2026-11-24T21-30-00Z-003f', siteFile: 'lab.yaml', timeScale: TIME_SCALE, executions: 13 },
    candidate: { runId: '2026-11-25T21-30-00Z-1a2b', siteFile: 'lab.yaml', timeScale: TIME_SCALE, executions: 13 },
    toleranceMs: 50,
    alpha: 0.05,
    scenarios: [
      {
        fullTitle: primaryDown,
        outcome: { baseline: 'passed', candidate: 'flaky' },
        endState: {
          baseline: 'cms-primary DOWN · cms-secondary ACTIVE · supervisor on cms-secondary',
          candidate: 'cms-primary DOWN · cms-secondary ACTIVE · supervisor on cms-secondary',
        },
        timings: [
          {
            name: 'detection',
            baseline: same,
            candidate: { n: 3, min: 2_255, p50: 2_255, p95: 3_115, max: 3_205 },
            shiftMs: 0,
            pValue: 0.66,
            shifted: false,
            verdict: 'inconclusive',
            design: 'paired',
            n: { baseline: 3, candidate: 3 },
            marginMs: 50,
            interval: { lowMs: -5, highMs: 950, confidence: 0.9 },
            smallestDetectableShiftMs: Infinity,
            why: 'the interval [-5 ms, +950 ms] reaches past the margin of 50 ms',
          },
          {
            name: 'activation',
            baseline: { n: 3, min: 2_500, p50: 2_650, p95: 2_790, max: 2_800 },
            candidate: { n: 3, min: 2_540, p50: 3_063, p95: 3_830, max: 3_913 },
            shiftMs: 413,
            pValue: 0.012,
            shifted: true,
            verdict: 'regression',
            design: 'paired',
            n: { baseline: 3, candidate: 3 },
            marginMs: 50,
            interval: { lowMs: 40, highMs: Infinity, confidence: 0.9 },
            why: 'the interval lies beyond the margin of 50 ms on the later side',
          },
        ],
        budgetViolations: [],
        regressions: [`${primaryDown}: outcome passed → flaky`, `${primaryDown}: activation p50 +413 ms (p = 0.012)`],
      },
      {
        fullTitle: 'cm-link reset keeps the secondary standby when the ACD link of the primary is reset',
        outcome: { baseline: 'passed', candidate: 'passed' },
        endState: { baseline: 'cms-primary STANDBY · cms-secondary ACTIVE', candidate: 'cms-primary STANDBY · cms-secondary ACTIVE' },
        timings: [],
        budgetViolations: [],
        regressions: [],
      },
      {
        fullTitle: 'heartbeat-path makes the secondary active after the heartbeat path is cut',
        outcome: { baseline: 'failed', candidate: 'failed' },
        endState: {
          baseline: 'cms-primary STANDBY · cms-secondary ACTIVE',
          candidate: hostile ? HOSTILE.endState : 'cms-primary ACTIVE · cms-secondary ACTIVE',
        },
        timings: [
          {
            name: 'dual-active',
            baseline: { n: 1, min: 400, p50: 400, p95: 400, max: 400 },
            candidate: { n: 3, min: 2_200, p50: 2_200, p95: 2_200, max: 2_200 },
            shiftMs: 1_800,
            pValue: null,
            shifted: true,
          },
        ],
        budgetViolations: [{ name: 'dual-active', budgetMs: 500, worstMs: 2_200 }],
        regressions: [budgetRegression],
      },
    ],
    regressions: [`${primaryDown}: outcome passed → flaky`, `${primaryDown}: activation p50 +413 ms (p = 0.012)`, budgetRegression],
  };
}

/** Two wrong sites at three phases: one caught every time, one missed at a phase; the correct site passed. */
export function syntheticSensitivity(options: { hostile?: boolean } = {}): SensitivityTable {
  const hostile = options.hostile ?? true;
  return {
    seed: RUN_SEED,
    timeScale: TIME_SCALE,
    phases: 3,
    rows: [
      {
        setting: 'timers.heartbeatMisses',
        change: 'heartbeatMisses 3 → 4',
        scenario: 'primary-down/kill',
        phases: 3,
        caught: 3,
        messages: PHASES.map(
          (p) => `cms-secondary became ACTIVE 3255 ms after the first unanswered heartbeat; expected 2220–2290 ms (phase ${p})`,
        ),
      },
      {
        setting: 'timers.heartbeatTimeoutMs',
        change: 'heartbeatTimeoutMs 5000 → 5500',
        scenario: 'primary-down/kill',
        phases: 3,
        caught: 2,
        messages: [
          'cms-secondary became ACTIVE 2301 ms after the first unanswered heartbeat; expected 2220–2290 ms',
          null,
          hostile ? HOSTILE.sensitivity : 'cms-secondary became ACTIVE 2300 ms after the first unanswered heartbeat',
        ],
      },
    ],
    correct: { runs: 6, passed: 6 },
  };
}

/**
 * An exploration's summary: one finding (its schedules, its last failing run's timeline and verdicts), a coverage
 * table and its executions. With `hostile`, hostile text wherever a schedule, a verdict or an error can put text.
 */
export function syntheticExplored(options: { hostile?: boolean } = {}): ExploreSummary {
  const hostile = options.hostile ?? true;
  const text = (plain: string) => (hostile ? `${plain} ${HOSTILE_FINDING}` : plain);
  const evidence = primaryDownEvidence({ phase: PHASES[0], failing: true, hostile });
  const violation = {
    invariant: 'I4' as const,
    key: text('I4 no ACTIVE CMS'),
    message: text('no CMS was ACTIVE for 2.1 s after the kill'),
    fromNs: ns(3_000),
    atNs: ns(5_100),
    events: [],
    void: null,
  };
  const minimal = {
    schedule: 1 as const,
    title: text('explore seed 7, schedule 12, shrunk'),
    steps: [
      { fault: 'f1', kind: 'kill' as const, target: 'cms-primary' as const, at: { phase: 0.25 } },
      { admin: { node: 'cms-secondary' as const, object: text('agent 12'), value: text('skill 3') }, at: { phase: 0.5 } },
      { heal: 'f1', at: { phase: 0.75 } },
    ],
  };
  return {
    seed: 7,
    timeScale: TIME_SCALE,
    budgetMs: 600_000,
    elapsedMs: 412_000,
    parallel: 2,
    shrinkRule: { runs: 3, needed: 2 },
    executions: [
      { id: 's1', title: 's1', purpose: 'explore', verdict: 'passed', keys: [], durationMs: 9_100, error: null },
      { id: 's2', title: 's2', purpose: 'explore', verdict: 'failed', keys: [violation.key], durationMs: 11_200, error: null },
      {
        id: 's2-shrink-1.1',
        title: 's2',
        purpose: 'shrink',
        verdict: 'inconclusive',
        keys: [],
        durationMs: 800,
        error: text('start failed'),
      },
    ],
    coverage: [
      { kind: 'kill', target: 'cms-primary', stratum: '¼–½', policy: text('hold-standby'), during: 'steady', count: 2 },
      { kind: 'cut', target: 'heartbeat', stratum: 'failover', policy: 'hold-standby', during: text('failing over'), count: 1 },
    ],
    invariants: [
      { invariant: 'I1', name: text('at most one ACTIVE CMS outside the dual-active window'), judged: 3, violated: 0, void: 0 },
      { invariant: 'I4', name: 'some CMS ACTIVE within the failover window', judged: 3, violated: 1, void: 0 },
    ],
    findings: [
      {
        key: violation.key,
        invariant: 'I4',
        message: violation.message,
        foundBy: text('s2'),
        original: { ...minimal, steps: [...minimal.steps, { wait: { cycles: 2 } }] },
        minimal,
        faults: 1,
        shrinkSteps: 2,
        shrinkRuns: 5,
        status: 'minimal',
        files: { schedule: text('explored/I4-1.yaml'), scenario: text('explored/I4-1.scenario.ts') },
        scenarioForm: text("scenario('kills the primary', { faults: [kill('cms-primary')] })"),
        replay: text('npx cmsha replay explored/I4-1.yaml'),
        evidence: { ...evidence, invariants: [{ invariant: 'I4', name: 'some CMS ACTIVE', violations: [violation] }] },
      },
    ],
    partial: null,
  };
}
