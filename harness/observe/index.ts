// Public surface of harness/observe: the shared monotonic clock, the one polling helper, the merged timeline,
// the observer of the stand-ins' control ports, and the evidence a test leaves for the report.

export * from '../core/clock.js';
export * from '../core/format.js';
export * from '../core/poll.js';
export * from './timeline.js';
export * from './evidence.js';
export * from './observer.js';
