// The public API of the harness, what suites/ import and nothing else: the scenario form (family, scenario, the
// faults, the site), the web-first expectations, and the names of the site's nodes, links and roles.

export type { AlarmName, CmsName, HaRole, LinkName, NodeName, Policy, Timers } from '../images/protocol/index.js';
export { family, scenario, expect, type ScenarioSpec } from './scenario/scenario.js';
export { blackhole, cut, isolate, kill, latency, pause, stop, type FaultSpec } from './scenario/faults.js';
export type { Site, SiteChange } from './scenario/site.js';
export type { SiteConfig, WanLink } from './core/site-config.js';
export type { AdminChange } from './check/timeline-checks.js';
