// The bench's pure parts: statistics and paired ratios, the targets, the deviations read from a run's records, the
// shape of bench.json, the peers' container options, and the page's escaping of everything it shows.

import { expect } from 'chai';
import { DEFAULT_SITE, type SiteConfig } from '../core/site-config.js';
import type { TestEvidence, TestRecord } from '../core/model.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { deviationOf, explainFaultDeviation } from './fidelity.js';
import { BENCH_SCHEMA, figureOf, judge, pairedRatios, statsOf, type BenchResult, type Figure } from './figures.js';
import { renderPage } from './page.js';
import { composeFile } from './peer-compose.js';
import { runArgs } from './peer-floor.js';
import { sitePlan } from './site-plan.js';
import { milestonesOf, phasesOf, turnOrder, type Turn } from './site-speed.js';
import { concurrencyStep, inherentMs, largestBefore } from './suite-efficiency.js';
import { formatValue, renderTable } from './table.js';
import { evaluateTargets } from './targets.js';

const IMAGES = { toxiproxy: 'tp:1', standin: 'si:1', echo: 'ec:1', holder: 'ho:1' };

function fig(id: string, measurement: string, samples: number[], extra: Partial<Figure> = {}): Figure {
  return { ...figureOf({ id, measurement, label: id, unit: 'ms', command: `make ${id}` }, samples), ...extra };
}

function killRecord(options: {
  protocolMs: number;
  faultMs: number;
  phase: number;
  plannedNs: bigint;
  appliedNs: bigint;
  outcome?: TestRecord['outcome'];
}): TestRecord {
  const measurement = (name: string, valueMs: number) => ({
    name,
    description: '',
    valueMs,
    anchorNs: '0',
    atNs: '0',
    window: name,
    withinWindow: true,
  });
  const evidence: TestEvidence = {
    scenario: 'primary-down',
    startNs: '1000000000',
    endNs: '5000000000',
    site: structuredClone(DEFAULT_SITE) as SiteConfig,
    timeScale: 0.05,
    standinOverrides: null,
    injection: { cycle: 'heartbeat', phase: options.phase, periodMs: 1000, tickNs: '0', plannedNs: String(options.plannedNs) },
    timeline: [
      { node: 'cms-primary', seq: 1, atNs: '500000000', type: 'started', kind: 'cms' },
      { node: 'cms-primary', seq: 2, atNs: '900000000', type: 'log', message: 'x' },
      { node: 'ess', seq: 1, atNs: '1200000000', type: 'ess', state: 'STANDBY', previous: 'STANDBY', reason: 'begin' },
      { node: 'harness', seq: 1, atNs: '1100000000', type: 'note', subject: null, detail: 'x' },
    ],
    faults: [
      {
        id: 'k',
        kind: 'kill',
        target: 'cms-primary',
        direction: null,
        attributes: {},
        appliedNs: String(options.appliedNs),
        confirmedNs: String(options.appliedNs + 60_000_000n),
        removedNs: null,
        healedNs: null,
      },
    ],
    windows: [],
    measurements: [
      measurement('failover from the first unanswered heartbeat', options.protocolMs),
      measurement('failover from the fault', options.faultMs),
    ],
    assertions: [],
    endState: null,
    logs: {},
  };
  return {
    title: 't',
    fullTitle: 't',
    path: [],
    file: null,
    outcome: options.outcome ?? 'passed',
    durationMs: 8000,
    repeat: 0,
    seed: 1,
    error: null,
    evidence,
  };
}

describe('bench statistics', () => {
  it('gives n, min, median, p95, p99, max, mean and sd of samples, and zeros for none', () => {
    const s = statsOf([1, 2, 3, 4, 100]);
    expect([s.n, s.min, s.median, s.max, s.mean]).to.deep.equal([5, 1, 3, 100, 22]);
    expect(s.p95).to.be.closeTo(80.8, 1e-9);
    expect(s.sd).to.be.closeTo(39.0, 0.1);
    expect(statsOf([])).to.deep.include({ n: 0, median: 0, sd: 0 });
    expect(statsOf([7]).sd).to.equal(0);
  });

  it('pairs ratios round by round, and refuses series of different lengths', () => {
    expect(pairedRatios([2, 3, 8], [1, 3, 4])).to.deep.equal([2, 1, 2]);
    expect(() => pairedRatios([1], [1, 2])).to.throw(/one length/);
  });

  it('rotates the peers each round so none always follows the same one', () => {
    expect([0, 1, 2, 3].map((r) => turnOrder(['a', 'b', 'c'], r).join(''))).to.deep.equal(['abc', 'bca', 'cab', 'abc']);
  });

  it('judges a target on either side of its limit, and leaves one without a value unmeasured', () => {
    const base = { id: 'x', text: 'x', limit: 1, unit: '×' as const, detail: '', breakdown: [] };
    expect(judge({ ...base, value: 1, direction: 'at-most' }).met).to.equal(true);
    expect(judge({ ...base, value: 1.01, direction: 'at-most' }).met).to.equal(false);
    expect(judge({ ...base, value: 8, limit: 8, direction: 'at-least' }).met).to.equal(true);
    expect(judge({ ...base, value: null, direction: 'at-most' }).met).to.equal(null);
  });
});

describe('bench breakdowns and records', () => {
  it('splits a start and a stop into phases from our instants and the engine’s events', () => {
    const turn: Turn = {
      peer: 'ours',
      round: 0,
      topologyId: 't1',
      startMs: 0,
      begunMs: 2500,
      steadyMs: 3000,
      downMs: 4000,
      downReturnedMs: 5500,
      goneMs: 5510,
      memory: null,
    };
    const spans: Record<string, { firstMs: number; lastMs: number }> = {
      create: { firstMs: 200, lastMs: 1800 },
      start: { firstMs: 300, lastMs: 2000 },
      destroy: { firstMs: 4100, lastMs: 5300 },
    };
    const { up, down } = phasesOf(turn, { span: (_t, action) => spans[action] ?? null });
    expect(up).to.deep.equal({
      'until the first container is created': 200,
      'containers created and started': 1800,
      'until every node answers and has begun': 500,
      'the protocol to the sunny day': 500,
    });
    expect(Object.values(down).reduce((a, b) => a + b, 0)).to.equal(1510);
    const byPart: Record<string, { firstMs: number; lastMs: number }> = {
      'create toxiproxy': { firstMs: 150, lastMs: 150 },
      'start toxiproxy': { firstMs: 400, lastMs: 400 },
      'create holder': { firstMs: 700, lastMs: 760 },
      'start holder': { firstMs: 800, lastMs: 1100 },
    };
    expect(milestonesOf(turn, { span: (_t, action, part) => byPart[`${action} ${part}`] ?? null })).to.deep.equal({
      'Toxiproxy created': 150,
      'Toxiproxy started': 400,
      'first holder created': 700,
      'last holder started': 1100,
      'every node answered and begun': 2500,
      'sunny day': 3000,
    });
  });

  it('reads the deviation from the exact model and from the phase model, in fractions of the interval', () => {
    // misses 3, interval 1000 ms: protocol model 2000 ms; fault model (3 − 0.25)·1000 = 2750 ms.
    const d = deviationOf(killRecord({ protocolMs: 2012, faultMs: 2740, phase: 0.25, plannedNs: 10_000_000n, appliedNs: 11_500_000n }));
    expect(d.protocol).to.be.closeTo(0.012, 1e-9);
    expect(d.fault).to.be.closeTo(-0.01, 1e-9);
    expect(d.injectionLateMs).to.equal(1.5);
  });

  it('counts the inherent waiting from the first thing a stand-in did once begun to the end of the evidence', () => {
    expect(inherentMs(killRecord({ protocolMs: 2000, faultMs: 2750, phase: 0.25, plannedNs: 0n, appliedNs: 0n }))).to.equal(3800);
  });

  it('holds concurrency while every execution measured its protocol-anchored failover within the bound', () => {
    const ok = (ms: number) => killRecord({ protocolMs: ms, faultMs: 2750, phase: 0.25, plannedNs: 0n, appliedNs: 0n });
    expect(concurrencyStep(2, [ok(2010), ok(1995)], 1, 10)).to.deep.include({ holds: true, allPassed: true, passed: 2 });
    expect(concurrencyStep(2, [ok(2010), ok(2150)], 1, 10).holds).to.equal(false);
    expect(concurrencyStep(2, [ok(2010)], 1, 10).holds).to.equal(false);
    expect(concurrencyStep(1, [{ ...ok(2010), outcome: 'failed' }], 1, 10)).to.deep.include({ holds: true, allPassed: false });
    const steps = [2, 4, 8, 12].map((sites, i) => ({ ...concurrencyStep(1, [ok(2010)], 1, 10), sites, holds: i !== 2 }));
    expect(largestBefore(steps, (s) => s.holds)).to.equal(4);
    expect(largestBefore([], (s) => s.holds)).to.equal(0);
  });

  it('explains an execution that strays from the phase model by its phase and its kill request', () => {
    const d = deviationOf(killRecord({ protocolMs: 2004, faultMs: 3015, phase: 0.98, plannedNs: 0n, appliedNs: 1_000_000n }));
    expect(d.fault).to.be.closeTo(0.995, 1e-9);
    expect(explainFaultDeviation(d)).to.equal(
      'phase 0.980: 99.5% off; the next heartbeat was due 20.0 ms after the planned instant; the kill request took 60.0 ms, past that beat',
    );
    expect(explainFaultDeviation({ ...d, fault: 0.01 })).to.equal(null);
  });
});

describe('bench targets', () => {
  it('states every target, met, missed or not measured, with a breakdown for a miss', () => {
    const figures = [
      fig('site-up-ratio.ours-floor', 'site-up-ratio', [1.8, 1.9, 2.0]),
      fig('site-up.ours', 'site-up', [3000]),
      fig('site-up.floor', 'site-up', [1600]),
      fig('site-up-phases.ours.containers', 'site-up-phases', [2000], { label: 'ours: containers' }),
      fig('fault-bite.cut', 'fault-bite', [0, 0.1, 0.3]),
      fig('fidelity.protocol', 'fidelity', [-0.4, 0.2, 0.3]),
      fig('suite-efficiency.p1', 'suite-efficiency', [2.4], { note: 'wall …' }),
      fig('suite-wall.p1.wall', 'suite-wall', [24_000]),
      fig('suite-wall.p1.executions', 'suite-wall', [8000, 8000]),
      fig('suite-wall.p1.inherent', 'suite-wall', [4000, 6000]),
      fig('suite-efficiency.p4', 'suite-efficiency', [3.0]),
      fig('suite-efficiency-ideal.p4', 'suite-efficiency', [1.2], { note: 'wall …' }),
      fig('concurrency.max-sites', 'concurrency-max', [8]),
    ];
    const targets = evaluateTargets(figures, 1000);
    const byId = new Map(targets.map((t) => [t.id, t]));
    expect(byId.get('site-up-compose')!.met).to.equal(null);
    expect(byId.get('site-up-floor')).to.deep.include({ value: 1.9, met: false });
    expect(byId.get('site-up-floor')!.breakdown[0]).to.contain('ours: containers 2000 ms');
    expect(byId.get('fault-bite')).to.deep.include({ limit: 20, met: true });
    expect(byId.get('fidelity-protocol')).to.deep.include({ value: 0.4, met: true });
    expect(byId.get('proxy-overhead')!.met).to.equal(null);
    expect(byId.get('suite-efficiency-p1')).to.deep.include({ value: 2.4, met: false });
    expect(byId.get('suite-efficiency-p1')!.breakdown.join('\n'))
      .to.contain('inherent waiting 10000 ms and harness 6000 ms')
      .and.to.contain('between executions');
    expect(byId.get('suite-efficiency-p4')).to.deep.include({ value: 1.2, met: true });
    expect(byId.get('suite-efficiency-p4')!.detail).to.contain('wall ÷ longest: 3×');
    expect(byId.get('concurrency')).to.deep.include({ value: 8, met: true });
  });
});

describe('bench peers’ container options', () => {
  const plan = sitePlan(cmsHaTopology({ timeScale: 0.05 }), IMAGES, 'abcd1234');

  it('plans the same set as ours: Toxiproxy, a holder and a stand-in per node, a proxy per link dialling names', () => {
    expect(plan.owners.map((c) => c.service)).to.deep.equal(['toxiproxy', 'cm', 'ess', 'cms-primary', 'cms-secondary', 'supervisor']);
    expect(plan.standins.map((c) => c.shareNetworkOf)).to.deep.equal(['cm', 'ess', 'cms-primary', 'cms-secondary', 'supervisor']);
    expect(plan.proxies[0]).to.deep.equal({ name: 'acd-primary', listen: '0.0.0.0:20000', upstream: 'cm:5001' });
    expect(
      plan.standins.every(
        (c) =>
          c.begins && c.labels['cmsha.topology'] === 'abcd1234' && c.labels['cmsha.run'] && c.labels['cmsha.pid'] && c.labels['cmsha.host'],
      ),
    ).to.equal(true);
    expect(JSON.parse(plan.standins[2]!.env['CMSHA_CONFIG']!).dials.heartbeat).to.equal(undefined);
    expect(JSON.parse(plan.standins[3]!.env['CMSHA_CONFIG']!).dials.heartbeat).to.deep.equal({ host: 'toxiproxy', port: 20004 });
  });

  it('writes ours’s locks as docker run flags and as a compose file', () => {
    const args = runArgs(plan.standins[2]!, (s) => `p-${s}`, 'p-ctl');
    for (const flag of ['--read-only', '--init', 'no-new-privileges', '--pids-limit', 'type=volume,dst=/var/lib/cmsha'])
      expect(args).to.include(flag);
    expect(args).to.include.members(['--network', 'container:p-cms-primary']);
    const compose = composeFile(plan) as {
      services: Record<string, Record<string, unknown>>;
      networks: Record<string, { internal: boolean }>;
    };
    expect(compose.services['cms-primary-standin']).to.deep.include({
      network_mode: 'service:cms-primary',
      read_only: true,
      init: true,
      volumes: ['/var/lib/cmsha'],
    });
    expect(compose.services['toxiproxy']!['networks']).to.deep.equal({ control: {}, data: {} });
    expect(compose.networks['data']!.internal).to.equal(true);
  });
});

describe('bench.json and the page', () => {
  const HOSTILE = '<script>globalThis.__pwned=1</script><img src=x onerror=alert(1)>';
  const result: BenchResult = {
    schema: BENCH_SCHEMA,
    command: 'cmsha bench --quick',
    quick: true,
    startedAt: '2026-11-26T00:00:00.000Z',
    endedAt: '2026-11-26T00:01:00.000Z',
    wallMs: 60_000,
    machine: { cores: 2, node: 'v20', docker: '20.10', platform: 'linux x64' },
    images: IMAGES,
    measurements: [
      { id: 'site-up', title: `Site up ${HOSTILE}`, description: HOSTILE, unit: 'ms' },
      { id: 'fidelity', title: 'Fidelity', description: 'd', unit: '% of interval', limit: { value: 5, label: HOSTILE } },
    ],
    figures: [
      fig('site-up.ours', 'site-up', [3000, 3100], { label: HOSTILE, note: HOSTILE, command: HOSTILE }),
      fig('fidelity.protocol', 'fidelity', [-0.2, 0.3]),
    ],
    targets: evaluateTargets([], 1000),
    notes: [HOSTILE],
  };

  it('keeps, for each figure, its unit, n, min, median, p95, max and the command that made it', () => {
    const parsed = JSON.parse(JSON.stringify(result)) as BenchResult;
    for (const f of parsed.figures) expect(f).to.include.keys('unit', 'n', 'min', 'median', 'p95', 'max', 'command', 'samples');
    expect(parsed.targets.every((t) => 'met' in t && 'limit' in t)).to.equal(true);
  });

  it('escapes everything it shows, draws one chart per measurement, and loads nothing', () => {
    const page = renderPage(result);
    expect(page).to.not.contain('<script').and.to.not.contain('<img');
    expect(page).to.contain('&lt;script&gt;globalThis.__pwned=1&lt;/script&gt;');
    expect(page.match(/<svg class="chart"/g)).to.have.length(2);
    expect(page).to.contain('http-equiv="Content-Security-Policy"');
    expect(page.match(/\s(?:src|href)=["']/g)).to.equal(null);
  });

  it('prints a table with a row per figure and each target’s verdict', () => {
    const text = renderTable(result);
    expect(text).to.contain('site-up.ours').and.to.contain('NOT MEASURED');
    expect(formatValue(0.12345)).to.equal('0.123');
    expect(formatValue(1234.5)).to.equal('1235');
  });
});
