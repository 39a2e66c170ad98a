// admin-sync (seed: "Admin-Sync pushes administrative data from the primary CMS to the secondary in real time"):
// lag follows latency; during a cut changes queue and an alarm is raised; after it all arrive in order, once.

import * as chai from 'chai';
import { adminSyncLag, cmshaChai, sitePerTest, type Site } from '../harness/index.js';

chai.use(cmshaChai);
const { expect } = chai;

function appliedOnSecondary(site: Site, seq: number) {
  return site.timeline.events((e) => e.node === 'cms-secondary' && e.type === 'admin' && e.action === 'applied' && e.changeSeq === seq);
}

// Delivery on a healthy link within the Admin-Sync budget is asserted by the dual-ip suite.
describe('admin-sync: administration changes pushed from the primary to the secondary', function () {
  const fixture = sitePerTest({ scenario: 'admin-sync' });

  it('lets the lag follow a latency on the admin-sync link', async () => {
    const { site } = fixture;
    const latencyMs = site.timers.heartbeatIntervalMs / 2;
    const jitterMs = latencyMs / 10;
    await site.topology.links.latency('admin-sync', { latencyMs, jitterMs, direction: 'upstream' });
    const { seq, window } = await site.pushAdminChange(
      'agent 4711 added to skill 7',
      'admin-sync lag under latency',
      adminSyncLag(site.windows, { latencyMs, jitterMs }),
    );
    expect(site.timeline)
      .to.showEvent({ node: 'cms-secondary', type: 'admin', action: 'applied', changeSeq: seq }, `change ${seq} applied on cms-secondary`)
      .within(window);
  });

  it('queues changes during a cut, raises the lag alarm, and after the restore applies all of them in order, none twice', async () => {
    const { site } = fixture;
    const cut = await site.topology.links.cut('admin-sync');
    const seqs: number[] = [];
    for (const change of ['trunk group 5 added', 'vector 12 changed', 'split 3 renamed']) {
      seqs.push((await site.adminChange(change)).seq);
    }
    await site.timeline.waitFor((e) => e.node === 'cms-primary' && e.type === 'alarm' && e.alarm === 'ADMIN_SYNC_LAG' && e.raised, {
      deadlineMs: 4 * site.timers.keepaliveIntervalMs,
      label: 'the ADMIN_SYNC_LAG alarm on the primary',
    });
    await site.observeFor(site.timers.keepaliveIntervalMs, 'the queue while the link is cut');
    for (const seq of seqs) expect(appliedOnSecondary(site, seq), `change ${seq} applied during the cut`).to.have.length(0);

    await cut.remove();
    const last = seqs.at(-1)!;
    await site.timeline.waitFor((e) => e.node === 'cms-secondary' && e.type === 'admin' && e.action === 'applied' && e.changeSeq === last, {
      deadlineMs: 4 * site.timers.keepaliveIntervalMs,
      label: 'the queue to drain after the restore',
    });
    await site.timeline.waitFor((e) => e.node === 'cms-primary' && e.type === 'alarm' && e.alarm === 'ADMIN_SYNC_LAG' && !e.raised, {
      deadlineMs: 4 * site.timers.keepaliveIntervalMs,
      label: 'the ADMIN_SYNC_LAG alarm to clear',
    });
    await site.observeFor(site.timers.keepaliveIntervalMs, 'after the drain');
    const applied = site.timeline
      .events((e) => e.node === 'cms-secondary' && e.type === 'admin' && e.action === 'applied')
      .map((e) => (e as { changeSeq?: number }).changeSeq ?? -1);
    expect(applied, 'changes applied on the secondary, in order').to.deep.equal([...applied].sort((a, b) => a - b));
    expect(
      applied.filter((s) => seqs.includes(s)),
      'each queued change applied exactly once',
    ).to.deep.equal(seqs);
  });
});
