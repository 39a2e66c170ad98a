// The observation chain end to end without Docker: real stand-in processes on loopback (the stand-ins' own test
// support starts them), the Observer polling their control ports, the Evidence, and the chai assertions on a failover.

import * as chai from 'chai';
import { expect } from 'chai';
import { PORTS, type NodeName } from '../../images/protocol/index.js';
import { LoopbackSite } from '../../images/standin/test-support/loopback-site.js';
import { nowNs } from '../core/clock.js';
import { Evidence, expectedWindow } from '../observe/evidence.js';
import { Observer } from '../observe/observer.js';
import { isRole } from '../observe/timeline.js';
import { cmshaChai } from './plugin.js';

chai.use(cmshaChai);

const NODES: NodeName[] = ['cm', 'cms-primary', 'cms-secondary'];

describe('observing a loopback site', function () {
  this.timeout(30_000);
  let site: LoopbackSite;
  let observer: Observer;

  beforeEach(() => {
    site = new LoopbackSite(41_000 + Math.floor(Math.random() * 200) * 100);
    for (const node of NODES) site.start(node);
    observer = new Observer(new Map(NODES.map((node) => [node, `http://127.0.0.1:${site.port(node, PORTS.control)}`])), {
      pollIntervalMs: 25,
      requestTimeoutMs: 500,
    });
  });

  afterEach(async function () {
    await observer.stop();
    if (this.currentTest?.state === 'failed') {
      for (const event of observer.timeline.events()) console.log(JSON.stringify(event));
    }
    await site.stopAll();
  });

  it('measures the secondary becoming ACTIVE within the heartbeat window when the primary is killed', async () => {
    const evidence = new Evidence(
      'primary-down on loopback',
      { timeScale: 1, timers: site.timers, policy: site.policy },
      { timeline: observer.timeline },
    );
    const timeline = evidence.timeline;
    await observer.start();
    // The primary decides its role once the secondary's heartbeats have been quiet for a heartbeat timeout.
    await timeline.waitFor(isRole('cms-primary', 'ACTIVE'), {
      deadlineMs: 10_000,
      label: 'the primary ACTIVE on the sunny day',
    });
    await observer.flush();
    const sunnyFrom = nowNs();
    expect(timeline.roleAt('cms-primary', sunnyFrom)).to.equal('ACTIVE');
    expect(timeline.roleAt('cms-secondary', sunnyFrom)).to.equal('STANDBY');

    const t0 = nowNs();
    await site.kill('cms-primary');
    const { heartbeatIntervalMs: interval, heartbeatMisses: misses, heartbeatTimeoutMs: timeout } = site.timers;
    const toleranceMs = 150;
    const window = expectedWindow(
      'primary-down detection',
      {
        fromMs: (misses - 1) * interval - toleranceMs,
        toMs: misses * interval + timeout + toleranceMs,
        derivation: `(misses-1)·interval … misses·interval + timeout, ±${toleranceMs} ms tolerance`,
      },
      { anchorNs: t0, anchorLabel: 'cms-primary killed' },
    );
    await timeline.waitFor(isRole('cms-secondary', 'ACTIVE'), {
      deadlineMs: window.toMs + 2_000,
      anchorNs: t0,
      label: 'cms-secondary ACTIVE',
    });
    await timeline.waitFor((e) => e.type === 'unobservable' && e.subject === 'cms-primary', {
      deadlineMs: 2_000,
      label: 'cms-primary unobservable',
    });
    await observer.flush();
    evidence.finish();

    expect(evidence).to.showActivation('cms-secondary').within(window);
    expect(evidence).to.exactlyOneActive();
    expect(evidence).to.haveNoDualActive({ observableOnly: true });
    expect(evidence)
      .to.keepRole('cms-secondary', 'STANDBY')
      .throughout(timeline.span(sunnyFrom, t0, { label: 'the sunny day' }));
    expect(evidence).to.haveNoAcdGap('cms-secondary');

    const json = evidence.toJSON();
    expect(json.measurements).to.have.length(1);
    expect(json.measurements[0]?.withinWindow).to.equal(true);
    expect(json.assertions.every((a) => a.passed)).to.equal(true);
    expect(json.assertions[0]?.text, json.assertions[0]?.text).to.match(
      /^cms-secondary became ACTIVE \d+ ms after cms-primary killed; expected 0\.45–1\.15 s \(/,
    );
  });
});
