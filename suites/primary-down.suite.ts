// primary-down (seed: "Failure scenario: Primary CMS server is down"): the heartbeat shows the primary's
// failure and the secondary becomes ACTIVE by itself, inside the detection window computed from the timers.

import * as chai from 'chai';
import { cmshaChai, primaryDownDetection, sitePerTest, type FaultHandle, type Site } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

type PrimaryFault = 'kill' | 'stop' | 'pause' | 'isolate';

const FAULTS: Array<{ fault: PrimaryFault; how: string }> = [
  { fault: 'kill', how: 'killed (SIGKILL)' },
  { fault: 'stop', how: 'stopped gracefully' },
  { fault: 'pause', how: 'paused (a hung server)' },
  { fault: 'isolate', how: 'isolated from the network' },
];

async function applyFault(site: Site, fault: PrimaryFault): Promise<FaultHandle> {
  const nodes = site.topology.nodes;
  return fault === 'stop' ? nodes.stop('cms-primary', 1) : nodes[fault]('cms-primary');
}

describe('primary-down: the primary CMS fails and the secondary takes over', function () {
  const fixture = sitePerTest({ scenario: 'primary-down' });

  for (const { fault, how } of FAULTS) {
    it(`makes the secondary ACTIVE within the heartbeat window when the primary is ${how}`, async () => {
      const { site } = fixture;
      const handle = await applyFault(site, fault);
      const window = site.window('primary-down detection', primaryDownDetection(site.windows), {
        anchorNs: handle.appliedNs,
        anchorLabel: `cms-primary ${fault === 'stop' ? 'stopped' : fault === 'kill' ? 'killed' : fault === 'pause' ? 'paused' : 'isolated'}`,
        description: 'the secondary becomes ACTIVE after the primary goes down',
      });
      await site
        .waitForRole('cms-secondary', 'ACTIVE', { afterNs: handle.appliedNs, deadlineMs: window.toMs + 1_000 })
        .catch(() => undefined);
      // Let the supervisor move over, then settle the observation before asserting on it.
      await site.observeFor(2 * site.timers.keepaliveIntervalMs, 'the supervisor to move to the new ACTIVE CMS');

      expect(site.timeline).to.showActivation('cms-secondary').within(window);
      expect(site.timeline).to.haveNoAcdGap('cms-secondary');
      expect(site.timeline)
        .to.showEvent(
          { node: 'supervisor', type: 'client', action: 'logged-in', target: 'cms-secondary' },
          'the supervisor logged in to cms-secondary',
        )
        .within(
          site.window(
            'supervisor outage',
            {
              fromMs: window.fromMs,
              toMs: window.toMs + site.timers.keepaliveIntervalMs,
              derivation: `detection window + one client retry (${site.timers.keepaliveIntervalMs} ms)`,
            },
            {
              anchorNs: handle.appliedNs,
              anchorLabel: 'fault',
              description: 'the outage a supervisor sees',
            },
          ),
        );
      if (fault === 'isolate') {
        // The isolated primary is still running and still believes it is ACTIVE (no fencing, DESIGN.md §1): the
        // harness sees it on the control network. What matters is that nobody can reach it: its ACD link is gone.
        const primary = await site.status('cms-primary');
        expect(primary.acd?.state, 'ACD link of the isolated primary').to.not.equal('DATA_TRANSFER');
      } else {
        expect(site.timeline).to.exactlyOneActive();
      }
    });
  }
});
