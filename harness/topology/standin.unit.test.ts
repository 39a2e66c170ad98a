// A node's stand-in configuration and image, as both the topology and the bench's peers start them.

import { expect } from 'chai';
import { DEFAULT_SITE } from '../core/site-config.js';
import { cmsHaTopology } from './cms-ha.js';
import { CMS_DATA_DIR, standinConfig, standinImage } from './standin.js';

const IMAGES = { toxiproxy: 'tp:1', standin: 'si:1', echo: 'ec:1', holder: 'ho:1' };
const proxy = (link: string) => ({ host: '10.0.0.9', port: link.length });

describe('standinConfig', () => {
  const spec = cmsHaTopology({ timeScale: 0.05 });
  const node = (name: string) => spec.nodes.find((n) => n.name === name)!;

  it('dials every link the node dials, and only those, through the proxy it is given', () => {
    expect(standinConfig(spec, node('cms-secondary'), proxy).dials).to.deep.equal({
      'acd-secondary': { host: '10.0.0.9', port: 13 },
      'acd-secondary-ess': { host: '10.0.0.9', port: 17 },
      heartbeat: { host: '10.0.0.9', port: 9 },
    });
    expect(standinConfig(spec, node('cm'), proxy).dials).to.deep.equal({});
  });

  it('runs the site at the time scale, with the stand-in overrides on top', () => {
    const config = standinConfig({ ...spec, standinOverrides: { timers: { heartbeatMisses: 7 } } }, node('cms-primary'), proxy);
    expect(config.timers.heartbeatIntervalMs).to.equal(DEFAULT_SITE.timers.heartbeatIntervalMs * 0.05);
    expect(config.timers.heartbeatMisses).to.equal(7);
    expect(config.policy).to.deep.equal(DEFAULT_SITE.policy);
  });

  it('makes a CMS HA stand-in wait for begin, and gives a CMS its data folder', () => {
    expect(standinConfig(spec, node('cms-primary'), proxy)).to.deep.include({
      node: 'cms-primary',
      kind: 'cms',
      awaitBegin: true,
      dataDir: CMS_DATA_DIR,
    });
    expect(standinConfig(spec, node('cm'), proxy)).to.deep.include({ listens: node('cm').listens, awaitBegin: true });
    expect(standinConfig(spec, node('cm'), proxy)).not.to.have.property('dataDir');
    const echo = cmsHaTopology({ image: 'echo' });
    expect(standinConfig(echo, echo.nodes[0]!, proxy)).to.deep.include({ kind: 'echo', awaitBegin: false });
  });
});

describe('standinImage', () => {
  it('runs the echo image for an echo node, else the site’s stand-in tag, else the one set-up made', () => {
    const echo = cmsHaTopology({ image: 'echo' });
    expect(standinImage(echo, echo.nodes[0]!, IMAGES)).to.equal('ec:1');
    const spec = cmsHaTopology();
    expect(standinImage(spec, spec.nodes[0]!, IMAGES)).to.equal('si:1');
    const tagged = cmsHaTopology({ site: { ...DEFAULT_SITE, images: { ...DEFAULT_SITE.images, standin: 'mine:2' } } });
    expect(standinImage(tagged, tagged.nodes[0]!, IMAGES)).to.equal('mine:2');
  });
});
