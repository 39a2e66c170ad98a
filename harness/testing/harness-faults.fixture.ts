// Scenarios whose harness breaks under them, for the integration test of inconclusive executions: loaded by a run's
// worker as a suite is (never imported). Each breaks a part of its own site behind the harness's back, as an OOM
// killer or a person would, then expects what the site would show were the harness whole; the failure that follows
// must come out inconclusive (harness), naming the part, never failed.

import type { NodeName } from '../../images/protocol/index.js';
import { connectDocker } from '../docker/client.js';
import { LABEL_NODE, LABEL_PART, LABEL_TOPOLOGY } from '../docker/labels.js';
import { kill } from '../scenario/faults.js';
import { expect, family, scenario } from '../scenario/scenario.js';
import type { Site } from '../scenario/site.js';

/** The family the integration test selects; also the Docker topology name of its sites. */
export const HARNESS_FAULTS_FAMILY = 'harness-faults';

/** The container of one part of the site (its Toxiproxy, a node's stand-in), found by its labels on the site's engine. */
async function containerOf(site: Site, part: 'toxiproxy' | 'standin', node?: NodeName) {
  const labels = [`${LABEL_TOPOLOGY}=${site.topology.id}`, `${LABEL_PART}=${part}`, ...(node ? [`${LABEL_NODE}=${node}`] : [])];
  const [found] = await connectDocker().listContainers({ filters: { label: labels } });
  if (!found) throw new Error(`no ${part} container of topology ${site.topology.id}`);
  return connectDocker().getContainer(found.Id);
}

family(HARNESS_FAULTS_FAMILY, 'the harness breaks under a scenario', () => {
  // The primary-down scenario an operator reported: its Toxiproxy stopped in the middle of it.
  scenario('makes the secondary ACTIVE when the primary is killed, while its Toxiproxy is stopped', {
    faults: kill('cms-primary'),
    async outcome(site) {
      site.note('stopping the site’s Toxiproxy behind the harness’s back');
      await (await containerOf(site, 'toxiproxy')).stop({ t: 1 });
      await expect(site).toFailOver();
      // Every link goes through Toxiproxy: with it stopped the secondary's ACD link is lost, which the site never did.
      await expect(site).toKeepAcdLink('cms-secondary', { from: 'now' });
    },
  });

  scenario('keeps answering heartbeats while the secondary’s stand-in is removed', {
    async outcome(site) {
      site.note('removing the secondary’s stand-in behind the harness’s back');
      await (await containerOf(site, 'standin', 'cms-secondary')).remove({ force: true });
      // The secondary sends the heartbeats: with its process gone none is sent, let alone answered.
      await expect(site).toKeepAnsweringHeartbeats({ from: 'now' });
    },
  });
});
