// admin-sync (seed: "Admin-Sync pushes administrative data from the primary CMS to the secondary in real time"):
// lag follows latency; during a cut changes queue and an alarm is raised; after it all arrive in order, once;
// nothing is lost or applied twice across a restart of either CMS; the ACTIVE CMS is the one administered.

import { cut, expect, family, kill, latency, scenario, type AdminChange, type Site } from '../harness/index.js';

const CHANGES = ['trunk group 5 added', 'vector 12 changed', 'split 3 renamed'];

async function makeChanges(site: Site, node: 'cms-primary' | 'cms-secondary'): Promise<AdminChange[]> {
  const made: AdminChange[] = [];
  for (const change of CHANGES) made.push(await site.operator.adminChange(node, change));
  return made;
}

family('admin-sync', 'administration changes pushed from the ACTIVE CMS to the other', () => {
  scenario('lets the lag follow a latency on the admin-sync link', {
    faults: latency(
      'admin-sync',
      (site) => ({ latencyMs: site.timers.heartbeatIntervalMs / 2, jitterMs: site.timers.heartbeatIntervalMs / 20 }),
      { direction: 'upstream' },
    ),
    async outcome(site) {
      const change = await site.operator.adminChange('cms-primary', 'agent 4711 added to skill 7');
      await expect(site).toApplyAdminChange(change);
    },
  });

  scenario('queues changes during a cut, raises the lag alarm, and after the restore applies all of them in order, none twice', {
    faults: cut('admin-sync'),
    async outcome(site) {
      const changes = await makeChanges(site, 'cms-primary');
      await expect(site).toHoldAdminChanges(changes);
      await site.heal();
      await expect(site).toDrainAdminChanges(changes);
    },
  });

  scenario('keeps the changes queued on the primary across its restart, and delivers each once when the link returns', {
    faults: cut('admin-sync'),
    async outcome(site, [cutLink]) {
      const changes = await makeChanges(site, 'cms-primary');
      await expect(site).toHoldAdminChanges(changes);
      await site.restart('cms-primary');
      await site.heal([cutLink!]);
      await expect(site).toDrainAdminChanges(changes);
    },
  });

  scenario('does not apply a change twice when the secondary restarts after applying it', {
    async outcome(site) {
      const changes = await makeChanges(site, 'cms-primary');
      for (const change of changes) await expect(site).toApplyAdminChange(change);
      await site.restart('cms-secondary');
      await expect(site).toReconnectAdminSync('cms-primary');
      await expect(site).toApplyEachOnce(changes);
    },
  });

  scenario('accepts changes on the secondary once it is ACTIVE, and delivers them to the primary when it returns', {
    faults: kill('cms-primary'),
    async outcome(site, [down]) {
      await expect(site).toFailOver();
      const changes = await makeChanges(site, 'cms-secondary');
      await site.heal([down!]);
      await expect(site).toDrainAdminChanges(changes);
    },
  });

  scenario('keeps each change as an object and its value, the same on both CMS, readable over the control API', {
    async outcome(site) {
      await expect(site).toApplyAdminChange(await site.operator.adminChange('cms-primary', 'vdn 4001', 'skill 1'));
      await expect(site).toApplyAdminChange(await site.operator.adminChange('cms-primary', 'vdn 4001', 'skill 2'));
      await expect(site).toHoldValue('vdn 4001', 'skill 2');
    },
  });

  scenario('holds the changes of a CMS on a newer version than its peer, with ADMIN_SYNC_VERSION, none lost', {
    site: { versions: { 'cms-primary': '99.0.0' } },
    async outcome(site) {
      await site.operator.adminChange('cms-primary', 'vector 12', 'from the newer primary');
      await expect(site).toHoldForVersion(site.adminChanges('cms-primary'));
      await expect(site).toHoldInvariants();
    },
  });
});
