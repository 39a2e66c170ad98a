// Bad topology input is rejected before anything starts, with an error that names the offending item.

import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { scaleSite, withSite } from '../core/site-config.js';
import { cmsHaTopology } from './cms-ha.js';
import { validateSpec, type TopologySpec } from './spec.js';
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
  const base = (): TopologySpec => cmsHaTopology({ timeScale: 0.05 });

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

  it('rejects a negative timer and an ESS timeout outside 3–15 minutes, naming them and the values', () => {
    expect(rejection({ ...base(), site: withSite(base().site, { timers: { heartbeatIntervalMs: -20_000 } }) }).message).to.contain(
      'timers.heartbeatIntervalMs: -20000 must be a positive number',
    );
    expect(rejection({ ...base(), site: withSite(base().site, { timers: { essNoServiceTimeoutMs: 60_000 } }) }).message).to.contain(
      'timers.essNoServiceTimeoutMs: 60000 is below the allowed 180000–900000',
    );
  });

  it('rejects a scaled site at another time scale than the topology’s', () => {
    expect(rejection({ ...base(), scaled: scaleSite(base().site, 1) }).message).to.contain(
      'The scaled site is at time scale 1, the topology at 0.05',
    );
  });

  it('rejects a time scale of zero and a WAN on a link the topology lacks', () => {
    expect(rejection({ ...base(), timeScale: 0 }).message).to.contain('timeScale 0 is invalid');
    const echo = cmsHaTopology({ timeScale: 0.05, without: ['supervisor'] });
    echo.site.wan = { 'client-primary': { latencyMs: 10, jitterMs: 0, bandwidthKBps: null } };
    expect(rejection(echo).message).to.contain('The WAN profile names link "client-primary"');
  });
});
