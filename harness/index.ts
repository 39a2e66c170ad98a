// The public API of the harness, what suites/ import and nothing else: the scenario form (family, scenario, the
// faults, the site), the web-first expectations and their options, the names of the site's nodes, links and roles,
// the timeline's events and the one wait primitive a scenario may need.

export type { AlarmName, CmsName, HaRole, LinkName, NodeName, Policy, Timers } from '../images/protocol/index.js';
export { family, scenario, expect, type ScenarioSpec } from './scenario/scenario.js';
export { blackhole, cut, isolate, kill, latency, pause, stop, type FaultSpec } from './scenario/faults.js';
export type { HealTiming, InjectTiming, RestartOptions, Site, SiteChange } from './scenario/site.js';
export type { ScaledSite, SiteConfig, WanLink } from './core/site-config.js';
export type { AdminChange, DualActiveStretch } from './check/timeline-checks.js';
export type { FromFault, ObserveOptions } from './expect/context.js';
export type { SiteExpect } from './expect/site-expect.js';
export type { FaultHandle } from './faults/fault-log.js';
export type { EventOfType, FaultRecord, TimelineEvent } from './core/model.js';
export type { Stamped } from './observe/timeline.js';
export { notYet, waitFor, type NotYet, type Probe, type WaitOptions, type WaitResult } from './core/poll.js';
