// The sensitivity check: proof that a wrong site always fails. Each timing setting is put off by one step on the
// stand-ins only, while the suites expect the right value, and the scenario that times it runs at several phases of
// the heartbeat cycle: every phase must fail. The right site runs through the same scenarios and must pass each time.

import type { Policy, Timers } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import type { RunRecord, SensitivityRow, SensitivityTable } from '../core/model.js';
import type { StandinOverrides } from '../core/run-context.js';
import type { SiteConfig } from '../core/site-config.js';
import { runStats } from '../core/summary.js';
import { runCatalogue, type RunOptions } from './run.js';

export interface WrongSite {
  setting: keyof Timers | keyof Policy;
  change: string;
  overrides: StandinOverrides;
  /** The scenario (a piece of its title) whose timing this setting decides. */
  scenario: string;
}

const KILLED = 'when the primary is killed (SIGKILL)';
const PAUSED = 'when the primary is paused (a hung server)';
const SILENT_LINK = 'ACD link of the primary is silent (blackholed)';
const DUAL_IP = 'tries the ESS at the step computed from the timers';
const ESS = 'makes the ESS ACTIVE after the no-service timeout';
const AUTO_FAILBACK = 'gives the ACTIVE role back to the primary within one heartbeat exchange when the primary restarts';
const HOLD_STANDBY = 'keeps the secondary ACTIVE and makes the primary STANDBY when the primary restarts';
const TAKE_BACK = 'lets the STANDBY primary take the ACTIVE role back when the secondary dies after a hold-standby return';
const NO_ACTIVE = 'raises NO_ACTIVE_CMS on the secondary when the primary dies and automatic failover is off';

/** Every wrong site of the check, from the right one: each setting one step off, both ways. */
export function wrongSites(site: SiteConfig): WrongSite[] {
  const t = site.timers;
  const timer = (setting: keyof Timers, value: number, scenario: string): WrongSite => ({
    setting,
    change: `${setting} ${t[setting]} → ${value}`,
    overrides: { timers: { [setting]: value } },
    scenario,
  });
  // A policy is flipped against what its scenario expects (the failback scenarios set their own policy).
  const policy = (setting: keyof Policy, value: boolean, scenario: string): WrongSite => ({
    setting,
    change: `${setting} ${String(!value)} → ${String(value)}`,
    overrides: { policy: { [setting]: value } },
    scenario,
  });
  const round = (ms: number) => Math.round(ms);
  return [
    timer('heartbeatMisses', t.heartbeatMisses + 1, KILLED),
    timer('heartbeatMisses', t.heartbeatMisses - 1, KILLED),
    timer('heartbeatTimeoutMs', round(t.heartbeatTimeoutMs * 1.2), PAUSED),
    timer('heartbeatTimeoutMs', round(t.heartbeatTimeoutMs * 0.8), PAUSED),
    timer('keepaliveMisses', t.keepaliveMisses + 1, SILENT_LINK),
    timer('keepaliveMisses', t.keepaliveMisses - 1, SILENT_LINK),
    timer('linkRetryMs', round(t.linkRetryMs * 1.2), DUAL_IP),
    timer('linkRetryMs', round(t.linkRetryMs * 0.8), DUAL_IP),
    timer('essNoServiceTimeoutMs', round(t.essNoServiceTimeoutMs * 1.1), ESS),
    timer('essNoServiceTimeoutMs', round(t.essNoServiceTimeoutMs * 0.9), ESS),
    timer('mainAttempts', t.mainAttempts + 1, DUAL_IP),
    timer('mainAttempts', t.mainAttempts - 1, DUAL_IP),
    // The STANDBY primary's watch of the secondary and the NO_ACTIVE_CMS delay: both the detection window.
    timer('heartbeatMisses', t.heartbeatMisses + 1, TAKE_BACK),
    timer('heartbeatMisses', t.heartbeatMisses - 1, TAKE_BACK),
    timer('heartbeatMisses', t.heartbeatMisses + 1, NO_ACTIVE),
    timer('heartbeatMisses', t.heartbeatMisses - 1, NO_ACTIVE),
    policy('autoFailover', !site.policy.autoFailover, KILLED),
    policy('autoFailback', false, AUTO_FAILBACK),
    policy('autoFailback', true, HOLD_STANDBY),
  ].filter((w) => !Object.values(w.overrides.timers ?? {}).some((v) => v < 1));
}

export interface SensitivityOptions extends Omit<RunOptions, 'filters' | 'repeat' | 'standinOverrides' | 'historyDir' | 'runId'> {
  /** Phases of the heartbeat cycle each wrong site runs at (the repeats: one per stratum of the cycle). */
  phases: number;
  /** Only these settings (e.g. the quick form in CI); default all. */
  settings?: string[];
  /** Only the wrong sites judged by a scenario whose title contains one of these (the quick form); default all. */
  scenarios?: string[];
}

/** Runs every wrong site and the right one; returns the table and every execution, as one record for the report. */
export async function runSensitivity(options: SensitivityOptions): Promise<{ table: SensitivityTable; record: RunRecord }> {
  const cases = wrongSites(options.site).filter(
    (w) =>
      (!options.settings || options.settings.includes(w.setting)) &&
      (!options.scenarios || options.scenarios.some((s) => w.scenario.includes(s))),
  );
  // A selection that leaves no wrong site would prove nothing, and pass.
  if (cases.length === 0)
    throw new HarnessError(
      'BAD_INPUT',
      `No wrong site matches settings ${JSON.stringify(options.settings ?? 'all')} and scenarios ${JSON.stringify(options.scenarios ?? 'all')}.`,
    );
  const seed = options.seed ?? 1;
  const common = { ...options, seed, repeat: options.phases, historyDir: null, quiet: true, writeReport: false } as const;
  const rows: SensitivityRow[] = [];
  const records: RunRecord[] = [];
  for (const wrong of cases) {
    process.stderr.write(`sensitivity: ${wrong.change} on the stand-ins, "${wrong.scenario}" at ${options.phases} phase(s)\n`);
    const { record } = await runCatalogue({ ...common, filters: [wrong.scenario], standinOverrides: wrong.overrides });
    records.push(record);
    // An inconclusive execution (the harness failed) says nothing either way: only the others are phases judged.
    const judged = record.tests.filter((t) => t.outcome !== 'inconclusive');
    const messages = judged.map((t) => (t.outcome === 'failed' ? (t.error?.message.split('\n')[0] ?? 'failed') : null));
    rows.push({
      setting: wrong.setting,
      change: wrong.change,
      scenario: wrong.scenario,
      phases: judged.length,
      caught: messages.filter((m) => m !== null).length,
      messages,
    });
  }
  const scenarios = [...new Set(cases.map((w) => w.scenario))];
  process.stderr.write(`sensitivity: the right site through the same ${scenarios.length} scenario(s) at ${options.phases} phase(s)\n`);
  const { record: right } = await runCatalogue({ ...common, filters: scenarios, standinOverrides: null });
  records.push(right);
  const table: SensitivityTable = {
    seed,
    timeScale: options.timeScale,
    phases: options.phases,
    rows,
    correct: {
      runs: right.tests.filter((t) => t.outcome !== 'inconclusive').length,
      passed: right.tests.filter((t) => t.outcome === 'passed').length,
    },
  };
  const tests = records.flatMap((r) => r.tests);
  const record: RunRecord = {
    ...right,
    runId: `sensitivity-${right.runId}`,
    repeat: options.phases,
    tests,
    stats: runStats(
      tests,
      records.reduce((sum, r) => sum + r.stats.durationMs, 0),
    ),
  };
  return { table, record };
}

/** Every wrong site caught at every phase, and the right site passing every time. */
export function sensitivityHolds(table: SensitivityTable): boolean {
  return (
    table.rows.every((r) => r.caught === r.phases && r.phases > 0) && table.correct.passed === table.correct.runs && table.correct.runs > 0
  );
}
