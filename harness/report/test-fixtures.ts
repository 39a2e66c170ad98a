// Synthetic evidence and run records for the report's own tests: realistic timelines at a CI time scale
// (primary killed, ACD link cut, ESS takeover) and, on request, hostile text in every place text can come from.

import { DEFAULT_POLICY, DEFAULT_TIMERS } from '../../images/protocol/index.js';
import type { AcdLinkState, NodeName, StandinEvent } from '../../images/protocol/index.js';
import { RUN_RECORD_SCHEMA } from '../core/model.js';
import type { HarnessEvent, RunRecord, TestEvidence, TestRecord, TimelineEvent } from '../core/model.js';

export const HOSTILE = {
  title: `<script>window.__pwned=3</script> & "double" 'single' <b>bold</b>`,
  logScript: '<script>window.__pwned=1</script>',
  logImg: '<img src=x onerror="window.__pwned=2">',
  error: `expected <img src=x onerror="window.__pwned=4"> & 'friends' to be "ACTIVE"`,
  detail: `<svg onload="window.__pwned=5">peer</svg> reset & gone`,
} as const;

const BASE_NS = 5_000_000_000_000n;
const ns = (ms: number): string => (BASE_NS + BigInt(Math.round(ms * 1e6))).toString();

/** Builds stand-in events with per-node sequence numbers. */
class Events {
  private readonly seqs = new Map<string, number>();
  readonly list: TimelineEvent[] = [];

  add(node: NodeName, atMs: number, body: DistributiveOmit<StandinEvent, 'seq' | 'node' | 'atNs'>): this {
    const seq = (this.seqs.get(node) ?? 0) + 1;
    this.seqs.set(node, seq);
    this.list.push({ ...body, seq, node, atNs: ns(atMs) } as StandinEvent);
    return this;
  }

  harness(atMs: number, type: HarnessEvent['type'], subject: HarnessEvent['subject'], detail: string): this {
    const seq = (this.seqs.get('harness') ?? 0) + 1;
    this.seqs.set('harness', seq);
    this.list.push({ node: 'harness', seq, atNs: ns(atMs), type, subject, detail });
    return this;
  }

  linkUp(node: 'cms-primary' | 'cms-secondary', fromMs: number, target: 'cm' | 'ess' = 'cm', cycle = 1, attempt = 1): this {
    const steps: Array<[number, AcdLinkState]> = [
      [0, 'CONNECTING'],
      [40, 'WAITING_ACCEPTANCE'],
      [90, 'TRANSLATION_PUMPUP'],
      [340, 'DATA_TRANSFER'],
    ];
    for (const [offset, state] of steps) this.add(node, fromMs + offset, { type: 'acd-link', target, state, attempt, cycle });
    return this;
  }

  beats(fromMs: number, toMs: number, everyMs: number, missAfterMs: number | null): this {
    let beat = 0;
    let misses = 0;
    for (let t = fromMs; t <= toMs; t += everyMs) {
      beat += 1;
      this.add('cms-secondary', t, { type: 'heartbeat', outcome: 'sent', beat, consecutiveMisses: misses });
      if (missAfterMs !== null && t >= missAfterMs) {
        misses += 1;
        this.add('cms-secondary', t + 250, { type: 'heartbeat', outcome: 'missed', beat, consecutiveMisses: misses });
      } else {
        misses = 0;
        this.add('cms-secondary', t + 15, { type: 'heartbeat', outcome: 'answered', beat, consecutiveMisses: 0 });
      }
    }
    return this;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const config = {
  timeScale: 0.05,
  timers: { ...DEFAULT_TIMERS },
  policy: { ...DEFAULT_POLICY },
};

/** Primary killed at 3 s; the secondary takes over at `activationMs` (4.1 s after the kill when failing). */
export function primaryDownEvidence(options: { failing: boolean; hostile: boolean }): TestEvidence {
  const killMs = 3_000;
  const activationMs = options.failing ? 7_100 : 6_260;
  const detail = options.hostile ? HOSTILE.detail : 'connection refused';
  const ev = new Events();
  for (const node of ['cms-primary', 'cms-secondary', 'cm', 'ess'] as const)
    ev.add(node, 20, { type: 'started', kind: node.startsWith('cms') ? 'cms' : node === 'cm' ? 'cm' : 'ess' });
  ev.add('cms-primary', 60, { type: 'role', role: 'ACTIVE', previous: null, reason: 'configured primary' });
  ev.add('cms-secondary', 60, { type: 'role', role: 'STANDBY', previous: null, reason: 'configured secondary' });
  ev.add('ess', 60, { type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'main CM alive' });
  ev.linkUp('cms-primary', 120).linkUp('cms-secondary', 150);
  ev.beats(1_000, 7_000, 1_000, killMs);
  ev.harness(killMs, 'fault-applied', 'cms-primary', 'kill cms-primary (SIGKILL)');
  ev.harness(killMs + 80, 'unobservable', 'cms-primary', detail);
  ev.add('cms-secondary', activationMs - 5, { type: 'alarm', alarm: 'HEARTBEAT_LOST', raised: true, detail: '3 heartbeats unanswered' });
  ev.add('cms-secondary', activationMs, {
    type: 'role',
    role: 'ACTIVE',
    previous: 'STANDBY',
    reason: options.hostile ? HOSTILE.detail : '3 heartbeats missed',
  });
  ev.harness(activationMs + 400, 'note', 'cms-secondary', 'checked exactly one ACTIVE among observable nodes');
  ev.add('cm', 400, { type: 'log', message: 'channel 5001 accepted' });

  const anchorNs = ns(killMs);
  const measuredMs = activationMs - killMs;
  const within = measuredMs >= 2_000 && measuredMs <= 3_500;
  return {
    scenario: 'primary-down/kill',
    startNs: ns(0),
    endNs: ns(9_000),
    config,
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'kill',
        target: 'cms-primary',
        direction: null,
        attributes: { signal: 'SIGKILL' },
        appliedNs: anchorNs,
        removedNs: null,
      },
    ],
    windows: [
      {
        name: 'detection',
        description: 'cms-secondary becomes ACTIVE after cms-primary is killed',
        anchorLabel: 'cms-primary killed',
        anchorNs,
        fromMs: 2_000,
        toMs: 3_500,
        derivation: '(3-1)·1000 … 3·1000 + 250 ms, ±250 ms tolerance',
      },
    ],
    measurements: [
      {
        name: 'activation',
        description: 'cms-secondary became ACTIVE',
        valueMs: measuredMs,
        anchorNs,
        atNs: ns(activationMs),
        window: 'detection',
        withinWindow: within,
      },
    ],
    assertions: [
      {
        text: `cms-secondary became ACTIVE ${(measuredMs / 1000).toFixed(1)} s after cms-primary killed; expected 2.0–3.5 s`,
        passed: within,
      },
      { text: 'exactly one CMS is ACTIVE after the failover', passed: true },
      { text: 'no ACD data gap on cms-secondary', passed: true },
    ],
    logs: {
      'cms-primary': ['heartbeat responder listening on 6000', 'ACD link DATA_TRANSFER with cm'],
      'cms-secondary': options.hostile
        ? ['heartbeat 4 missed (1 in a row)', HOSTILE.logScript, HOSTILE.logImg, 'role ACTIVE: 3 heartbeats missed']
        : ['heartbeat 4 missed (1 in a row)', 'heartbeat 6 missed (3 in a row)', 'role ACTIVE: 3 heartbeats missed'],
      cm: ['listening on 5001, 5002, 5010'],
      toxiproxy: ['proxy heartbeat created', 'proxy acd-primary created'],
    },
  };
}

/** `acd-primary` cut at 2 s and restored at 5 s: primary loses its link and reconnects; secondary stays STANDBY. */
export function cmLinkEvidence(): TestEvidence {
  const cutMs = 2_000;
  const ev = new Events();
  ev.add('cms-primary', 60, { type: 'role', role: 'ACTIVE', previous: null, reason: 'configured primary' });
  ev.add('cms-secondary', 60, { type: 'role', role: 'STANDBY', previous: null, reason: 'configured secondary' });
  ev.linkUp('cms-primary', 100).linkUp('cms-secondary', 130);
  ev.beats(1_000, 7_000, 1_000, null);
  ev.harness(cutMs, 'fault-applied', 'acd-primary', 'cut acd-primary (reset peer)');
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
  ev.add('cms-primary', cutMs + 50, { type: 'acd-gap', source: 'cm', fromSeq: 31, toSeq: 60, missing: 30 });
  ev.harness(5_000, 'fault-removed', 'acd-primary', 'restored acd-primary');
  ev.linkUp('cms-primary', 5_030, 'cm', 1, 3);
  ev.add('cms-primary', 5_380, { type: 'alarm', alarm: 'ACD_LINK_DOWN', raised: false, detail: 'link restored' });
  ev.harness(6_000, 'action', 'cms-primary', 'set-standby acknowledged');
  ev.add('cms-primary', 6_010, { type: 'role', role: 'STANDBY', previous: 'ACTIVE', reason: 'operator' });
  ev.harness(6_050, 'action', 'cms-secondary', 'set-active acknowledged');
  ev.add('cms-secondary', 6_060, { type: 'role', role: 'ACTIVE', previous: 'STANDBY', reason: 'operator' });
  const anchorNs = ns(cutMs);
  return {
    scenario: 'cm-link/reset',
    startNs: ns(0),
    endNs: ns(7_500),
    config,
    timeline: ev.list,
    faults: [
      {
        id: 'f1',
        kind: 'reset-peer',
        target: 'acd-primary',
        direction: 'both',
        attributes: { timeout: 0 },
        appliedNs: anchorNs,
        removedNs: ns(5_000),
      },
    ],
    windows: [
      {
        name: 'observation',
        description: 'cms-secondary stays STANDBY while the ACD link of the primary is cut',
        anchorLabel: 'acd-primary cut',
        anchorNs,
        fromMs: 0,
        toMs: 3_000,
        derivation: '3 heartbeat intervals',
      },
    ],
    measurements: [],
    assertions: [
      { text: 'heartbeat kept answering during the cut (6 of 6 answered)', passed: true },
      { text: 'cms-secondary stayed STANDBY for the whole observation window (3.0 s)', passed: true },
      { text: 'after the manual procedure exactly one CMS is ACTIVE: cms-secondary', passed: true },
    ],
    logs: { 'cms-primary': ['ACD link lost: connection reset', 'ACD link DATA_TRANSFER with cm (attempt 3)'] },
  };
}

/** cm stopped: the ESS times out and goes ACTIVE; the CMS follows at the next Dual-IP step. */
export function essTakeoverEvidence(): TestEvidence {
  const stopMs = 1_000;
  const ev = new Events();
  ev.add('ess', 30, { type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'main CM alive' });
  ev.linkUp('cms-primary', 100);
  ev.harness(stopMs, 'fault-applied', 'cm', 'stop cm');
  ev.harness(stopMs + 40, 'unobservable', 'cm', 'stopped');
  ev.add('ess', stopMs + 60, { type: 'ess', state: 'NO_SERVICE_TIMING', previous: 'STANDBY', reason: 'main CM unreachable' });
  ev.add('cms-primary', stopMs + 50, {
    type: 'acd-link',
    target: 'cm',
    state: 'CONNECTING',
    attempt: 1,
    cycle: 1,
    reason: 'connection refused',
  });
  for (let a = 2; a <= 5; a += 1)
    ev.add('cms-primary', stopMs + 50 + (a - 1) * 1_500, { type: 'acd-link', target: 'cm', state: 'CONNECTING', attempt: a, cycle: 1 });
  ev.add('cms-primary', stopMs + 7_550, { type: 'acd-link', target: 'ess', state: 'CONNECTING', attempt: 1, cycle: 1 });
  ev.add('ess', stopMs + 15_060, { type: 'ess', state: 'ACTIVE', previous: 'NO_SERVICE_TIMING', reason: 'no-service timeout' });
  ev.linkUp('cms-primary', stopMs + 16_550, 'ess', 2, 1);
  return {
    scenario: 'ess-takeover',
    startNs: ns(0),
    endNs: ns(20_000),
    config,
    timeline: ev.list,
    faults: [{ id: 'f1', kind: 'stop', target: 'cm', direction: null, attributes: {}, appliedNs: ns(stopMs), removedNs: null }],
    windows: [
      {
        name: 'ess-active',
        description: 'ESS goes ACTIVE after the no-service timeout',
        anchorLabel: 'cm stopped',
        anchorNs: ns(stopMs),
        fromMs: 14_500,
        toMs: 16_000,
        derivation: 'essNoServiceTimeoutMs · 0.05 ± 500 ms',
      },
    ],
    measurements: [
      {
        name: 'ess-active',
        description: 'ess became ACTIVE',
        valueMs: 15_060,
        anchorNs: ns(stopMs),
        atNs: ns(stopMs + 15_060),
        window: 'ess-active',
        withinWindow: true,
      },
    ],
    assertions: [
      { text: 'ess became ACTIVE 15.1 s after cm stopped; expected 14.5–16.0 s', passed: true },
      { text: 'cms-primary was never linked to cm and ess at once', passed: true },
    ],
    logs: {},
  };
}

function test(
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
    file: `suites/${path[0] ?? 'root'}.int.test.ts`,
    outcome,
    durationMs: 9_120,
    attempts: 1,
    error: null,
    evidence,
    ...extra,
  };
}

/** One failing test (hostile text everywhere it can come from) and two passing ones, as the browser test wants. */
export function syntheticRunRecord(options: { hostile?: boolean; extraOutcomes?: boolean } = {}): RunRecord {
  const hostile = options.hostile ?? true;
  const failingTitle = hostile
    ? `makes the secondary active within the heartbeat window when the primary is killed ${HOSTILE.title}`
    : 'makes the secondary active within the heartbeat window when the primary is killed';
  const errorMessage = hostile
    ? `cms-secondary became ACTIVE 4.1 s after cms-primary killed; expected 2.0–3.5 s ((3-1)·1000 … 3·1000 + 250 ms, ±250 ms tolerance) ${HOSTILE.error}`
    : 'cms-secondary became ACTIVE 4.1 s after cms-primary killed; expected 2.0–3.5 s ((3-1)·1000 … 3·1000 + 250 ms, ±250 ms tolerance)';
  const tests: TestRecord[] = [
    test('keeps the secondary standby when the ACD link of the primary is reset', ['cm-link', 'reset'], 'passed', cmLinkEvidence(), {
      durationMs: 7_600,
    }),
    test(failingTitle, ['primary-down', 'kill'], 'failed', primaryDownEvidence({ failing: true, hostile }), {
      error: {
        message: errorMessage,
        stack: `AssertionError: ${errorMessage}\n    at Context.<anonymous> (suites/primary-down.int.test.ts:42:7)`,
      },
    }),
    test('links the CMS to the ESS at the Dual-IP step after the ESS goes active', ['ess-takeover'], 'passed', essTakeoverEvidence(), {
      durationMs: 20_100,
    }),
  ];
  if (options.extraOutcomes) {
    tests.push(
      test('makes no failover under heartbeat jitter below the timeout', ['heartbeat-jitter'], 'flaky', null, { attempts: 2 }),
      test('fails back automatically when the policy says so', ['failback'], 'pending', null, { durationMs: 0 }),
    );
  }
  const stats = { passed: 0, failed: 0, flaky: 0, pending: 0, durationMs: 41_300 };
  for (const t of tests) stats[t.outcome] += 1;
  return {
    schema: RUN_RECORD_SCHEMA,
    runId: '2026-11-25T21-30-00Z-1a2b',
    startedAt: '2026-11-25T21:30:00.000Z',
    endedAt: '2026-11-25T21:30:41.300Z',
    partial: false,
    partialReason: null,
    timeScale: 0.05,
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
    stats,
    tests,
  };
}
