// The suites can fail: a seed scenario (primary-down, kill) run against a deliberately wrong site must report
// failure, with the expected window and the measured value in words.

import * as chai from 'chai';
import { cmshaChai, primaryDownDetection, sitePerTest } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

describe('self-check: a scenario against a deliberately wrong site fails with the right message', function () {
  describe('when the stand-ins need more heartbeat misses than the suite expects', function () {
    // The suite expects 3 misses; the stand-ins are given 6, so the failover comes three periods late.
    const fixture = sitePerTest({
      scenario: 'self-check',
      timers: { heartbeatMisses: 3 },
      misconfigure: { timers: { heartbeatMisses: 6 } },
    });

    it('reports the activation as outside its window, naming the window and the measured delay', async () => {
      const { site } = fixture;
      const kill = await site.topology.nodes.kill('cms-primary');
      const window = site.window('primary-down detection', primaryDownDetection(site.windows), {
        anchorNs: kill.appliedNs,
        anchorLabel: 'cms-primary killed',
      });
      const lateMs = 6 * site.timers.heartbeatIntervalMs + site.timers.heartbeatTimeoutMs + 1_000;
      await site.waitForRole('cms-secondary', 'ACTIVE', { afterNs: kill.appliedNs, deadlineMs: lateMs });
      expect(() => expect(site.timeline).to.showActivation('cms-secondary').within(window)).to.throw(
        chai.AssertionError,
        /cms-secondary became ACTIVE [\d.]+ s after cms-primary killed; expected [\d.]+–[\d.]+ s/,
      );
    });
  });

  describe('when automatic failover is off on the stand-ins', function () {
    const fixture = sitePerTest({ scenario: 'self-check', misconfigure: { policy: { autoFailover: false } } });

    it('reports that the secondary never became ACTIVE within the observation', async () => {
      const { site } = fixture;
      const kill = await site.topology.nodes.kill('cms-primary');
      const window = site.window('primary-down detection', primaryDownDetection(site.windows), {
        anchorNs: kill.appliedNs,
        anchorLabel: 'cms-primary killed',
      });
      await site.observeFor(window.toMs + site.timers.heartbeatIntervalMs, 'past the end of the detection window');
      expect(() => expect(site.timeline).to.showActivation('cms-secondary').within(window)).to.throw(
        chai.AssertionError,
        /cms-secondary never became ACTIVE within the observation .*expected [\d.]+–[\d.]+ s/,
      );
    });
  });
});
