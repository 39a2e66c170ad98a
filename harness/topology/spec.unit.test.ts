// Bad topology input is rejected before anything starts, with an error that names the offending item.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { cmsHaTopology } from './cms-ha.js';
import { scaleTimers, validateSpec, type TopologySpec } from './spec.js';
import { Topology } from './topology.js';

function rejection(spec: TopologySpec): HarnessError {
  try {
    new Topology(spec);
  } catch (error) {
    expect(error).to.be.instanceOf(HarnessError).with.property('code', 'BAD_CONFIG');
    return error as HarnessError;
  }
  throw new Error('the spec was accepted');
}

describe('topology spec validation', () => {
  const base = (): TopologySpec => ({ ...cmsHaTopology(), timeScale: 0.05 });

  it('accepts the default CMS HA topology with its nine links', () => {
    expect(() => validateSpec(base())).to.not.throw();
    expect(base().links.map((l) => l.name)).to.have.length(9);
  });

  it('rejects a link naming an unknown node, naming the link and the node', () => {
    const spec = base();
    spec.links.push({ name: 'acd-tertiary', from: 'cms-tertiary' as never, to: 'cm', port: 5001 });
    const error = rejection(spec);
    expect(error.message).to.contain('"acd-tertiary"').and.contain('"cms-tertiary"').and.contain('Known nodes');
    expect(error.details).to.include({ link: 'acd-tertiary', node: 'cms-tertiary' });
  });

  it('rejects two links with one name', () => {
    const spec = base();
    spec.links.push({ ...spec.links[0]! });
    expect(rejection(spec).message).to.contain('Two links are named "acd-primary"');
  });

  it('rejects a negative timer, naming it and the value given', () => {
    const spec = base();
    spec.timers = { ...spec.timers, heartbeatIntervalMs: -20_000 };
    const error = rejection(spec);
    expect(error.message).to.contain('heartbeatIntervalMs = -20000').and.contain('positive number of milliseconds');
    expect(error.details).to.include({ option: 'heartbeatIntervalMs', value: -20_000 });
  });

  it('rejects an ESS No-Service timeout outside 3–15 minutes and a time scale of zero', () => {
    const spec = base();
    spec.timers = { ...spec.timers, essNoServiceTimeoutMs: 60_000 };
    expect(rejection(spec).message).to.contain('essNoServiceTimeoutMs = 60000').and.contain('180000–900000');
    expect(rejection({ ...base(), timeScale: 0 }).message).to.contain('timeScale 0 is invalid');
  });

  it('scales durations by the time scale and leaves counts alone', () => {
    const scaled = scaleTimers(base().timers, 0.05);
    expect(scaled).to.include({
      heartbeatIntervalMs: 1_000,
      heartbeatTimeoutMs: 250,
      heartbeatMisses: 3,
      mainAttempts: 5,
      acdEventRateHz: 10,
    });
  });
});
