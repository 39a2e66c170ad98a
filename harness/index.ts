// The public API of the harness: what suites/ import, and nothing else.
// Topology and faults, the site fixture, observation, expectations (chai plugin and windows), configuration.

export * from '../images/protocol/index.js';
export { HarnessError, isHarnessError } from './core/errors.js';
export { Topology, StartedTopology } from './topology/topology.js';
export { cmsHaTopology } from './topology/cms-ha.js';
export type { TopologySpec, NodeSpec, LinkSpec } from './topology/spec.js';
export type { FaultHandle } from './faults/fault-log.js';
export { Site, sitePerTest, type SiteOptions } from './scenario/site.js';
export { loadRunConfig, type RunConfig } from './core/run-config.js';
export * from './observe/index.js';
export * from './expect/index.js';
export * from './expect/windows.js';
