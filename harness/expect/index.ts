// Public surface of harness/expect: the chai plugin (`chai.use(cmshaChai)`) and the words its sentences are made of.
// The expected-window functions live in ./windows.ts (owned separately) and are re-exported from there.

export * from './plugin.js';
export * from './words.js';
export * from './windows.js';
