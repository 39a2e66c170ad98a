// Admin-Sync: a change applied on the other CMS within the lag, changes held while the link is down and drained in
// order once it is back, the link back after a restart, and every change applied exactly once.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import type { Window } from '../core/model.js';
import { peerOf } from '../check/facts.js';
import {
  appliedEachOnce,
  appliedInOrder,
  clearedAfter,
  heldAdminChanges,
  type AdminChange,
  type Sentence,
} from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { windowWords } from '../check/words.js';
import { is } from '../observe/site-state.js';
import type { Expectations } from './context.js';
import { eventWithin, seenWithin, stateNow } from './shapes.js';

/** The change is applied on the other CMS within the Admin-Sync lag (a latency toxic on the link, if any). */
export async function toApplyAdminChange(x: Expectations, change: AdminChange): Promise<void> {
  const peer = peerOf(change.origin);
  const made = { ns: change.changedNs, label: `change ${change.seq} made on ${change.origin}` };
  const budget = x.budget('Admin-Sync lag budget', 'the change is applied on the peer', 'adminSyncLagMs', made);
  await eventWithin(x, is.admin(peer, 'applied', change.seq, change.origin), {
    what: `change ${change.seq} applied on ${peer}`,
    afterNs: change.changedNs,
    windows: [w.adminSyncLag(x.scaled, made, w.latencyToxic(x.ev.faults, 'admin-sync')), ...budget],
    fact: `change ${change.seq} applied on ${peer}`,
    never: `change ${change.seq} of ${change.origin} was never applied on ${peer}`,
  });
}

/** While the link is down the changes are held, none applied, and ADMIN_SYNC_LAG is raised at the first of them. */
export async function toHoldAdminChanges(x: Expectations, changes: readonly AdminChange[]): Promise<void> {
  await x.site.flush();
  const first = changes[0] ?? x.fail('toHoldAdminChanges needs at least one change', null);
  const window = w.adminLagAlarm({ ns: first.changedNs, label: `change ${first.seq} queued on ${first.origin}` });
  const alarm = x.tl.first(is.alarm('ADMIN_SYNC_LAG', true, first.origin), { afterNs: first.changedNs - msToNs(w.SCHEDULING_MS) });
  x.verdicts([
    heldAdminChanges(x.tl, changes),
    alarm
      ? x.measure(window, alarm, `${first.origin} raised ADMIN_SYNC_LAG`)
      : { ok: false, text: `${first.origin} never raised ADMIN_SYNC_LAG; expected it ${windowWords(window)}` },
  ]);
}

/**
 * After the link is healed: it is up again within the sender's redial period, every held change is resent at once and
 * applied on the other CMS in order, each after those before it, none twice, and ADMIN_SYNC_LAG clears.
 */
export async function toDrainAdminChanges(x: Expectations, changes: readonly AdminChange[]): Promise<void> {
  const heal = x.site.lastHeal;
  const origin = changes[0]?.origin;
  if (heal === null || origin === undefined) return x.fail('toDrainAdminChanges needs held changes and a heal', null);
  const checks: Sentence[] = [];
  const up = await eventWithin(x, is.adminLink(origin, true), {
    what: `${origin}'s admin-sync link to come back up`,
    afterNs: heal.ns,
    windows: [w.adminSyncReconnect(x.scaled, { ...heal, label: 'the admin-sync link was healed' })],
    fact: 'the admin-sync link was up again',
    never: `the admin-sync link of ${origin} never came back up`,
    into: checks,
  });
  // In the order they were queued: each waits for those before it to be applied.
  const queue = [...changes].sort((a, b) => a.seq - b.seq);
  const upAnchor = { ns: up.ns, label: 'the admin-sync link came back up' };
  const drains = queue.map((change, i) => ({ change, drain: w.adminSyncDrain(x.scaled, upAnchor, i + 1) }));
  for (const { change, drain } of drains) checks.push(...(await drained(x, change, up.ns, drain)));
  const last = drains.at(-1)!.drain;
  const cleared = await x.waitEvent(is.alarm('ADMIN_SYNC_LAG', false, origin), heal.ns, x.end(last), `${origin} to clear ADMIN_SYNC_LAG`);
  x.verdicts([
    ...checks,
    clearedAfter(origin, 'ADMIN_SYNC_LAG', cleared, { ns: heal.ns, label: 'the heal' }, x.ev.startNs),
    appliedInOrder(x.tl, origin),
  ]);
}

/** One held change applied on the other CMS within the drain, as sentences (none thrown: the drain judges them all). */
async function drained(x: Expectations, change: AdminChange, upNs: bigint, drain: Window): Promise<Sentence[]> {
  const peer = peerOf(change.origin);
  const seen = await seenWithin(x, is.admin(peer, 'applied', change.seq, change.origin), {
    what: `held change ${change.seq} applied on ${peer}`,
    afterNs: upNs,
    windows: [drain],
    fact: `held change ${change.seq} applied on ${peer}`,
    never: `held change ${change.seq} was never applied on ${peer}`,
  });
  return seen.sentences;
}

/** After a restart of `origin`'s peer, `origin`'s admin-sync link is up again within the redial period. */
export async function toReconnectAdminSync(x: Expectations, origin: CmsName): Promise<void> {
  const heal = x.site.lastHeal ?? x.fail('toReconnectAdminSync needs a heal first', null);
  await eventWithin(x, is.adminLink(origin, true), {
    what: `${origin}'s admin-sync link to come back up`,
    afterNs: heal.ns,
    windows: [w.adminSyncReconnect(x.scaled, { ...heal, label: 'the restart' })],
    fact: `${origin}'s admin-sync link was up again`,
    never: `${origin}'s admin-sync link never came back up`,
  });
}

/** Over the whole test, the other CMS applied each of these changes exactly once. */
export async function toApplyEachOnce(x: Expectations, changes: readonly AdminChange[]): Promise<void> {
  await stateNow(x, () => appliedEachOnce(x.tl, changes));
}
