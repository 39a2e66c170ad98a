// The site model's own rules: always an ACTIVE CMS (the STANDBY primary takes the role back, NO_ACTIVE_CMS), a planned
// switchover's dual-active, a split brain's conflict resolved and converged, the software version each CMS runs.

import type { AlarmName, CmsName, NodeName } from '../../images/protocol/index.js';
import { toNs } from '../core/clock.js';
import { CMS_NODES } from '../observe/site-state.js';
import {
  conflictConverged,
  dualActiveOnlyBetweenCommands,
  heldAdminChanges,
  keptRaised,
  runsVersion,
  type AdminChange,
  type Sentence,
} from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { is } from '../observe/site-state.js';
import type { Expectations, FromFault } from './context.js';
import { eventWithin, stateNow } from './shapes.js';

/**
 * A STANDBY primary takes the ACTIVE role back once the secondary's heartbeats stop: the detection window after the
 * last one it heard, and within the window from the secondary's failure.
 */
export async function toTakeBackActive(x: Expectations, options: FromFault = {}): Promise<void> {
  const fault = x.trigger('the primary to take the ACTIVE role back', options.from);
  const fact = 'cms-primary took the ACTIVE role back';
  await eventWithin(x, is.role('cms-primary', 'ACTIVE'), {
    what: 'cms-primary to take the ACTIVE role back',
    afterNs: fault.ns,
    windows: [w.takeBackFromFault(x.scaled, fault)],
    fact,
    never: 'cms-primary never took the ACTIVE role back',
    also: (event) => {
      const beat = x.tl.last(is.heartbeat('received', 'cms-primary'), { atOrBeforeNs: event.ns });
      if (!beat) return [{ ok: false, text: 'cms-primary took the ACTIVE role back, but it had heard no heartbeat before' }];
      return [
        x.measure(
          w.takeBackFromLastBeat(x.scaled, { ns: beat.ns, label: `the last heartbeat cms-primary heard (beat ${beat.beat})` }),
          event,
          fact,
        ),
      ];
    },
  });
}

/** `node`, not ACTIVE, raises NO_ACTIVE_CMS the detection window after it last knew an ACTIVE CMS. */
export async function toRaiseNoActive(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const fault = x.trigger('NO_ACTIVE_CMS', options.from);
  await eventWithin(x, is.alarm('NO_ACTIVE_CMS', true, node), {
    what: `${node} to raise NO_ACTIVE_CMS`,
    afterNs: fault.ns,
    windows: [w.noActiveFromFault(x.scaled, fault)],
    fact: `${node} raised NO_ACTIVE_CMS`,
    never: `${node} never raised NO_ACTIVE_CMS`,
  });
}

/** Both CMS were ACTIVE only between the operator's set-active and the role command after it, over the test so far. */
export async function toKeepDualActiveBetweenCommands(x: Expectations): Promise<void> {
  const commands = x.ev.actions
    .filter((a) => a.accepted && (a.action === 'set-active' || a.action === 'set-standby'))
    .map((a) => ({ action: a.action, atNs: toNs(a.atNs), doneNs: toNs(a.doneNs) }));
  await stateNow(x, (atNs) => [dualActiveOnlyBetweenCommands(x.tl, commands, x.ev.startNs, atNs)]);
}

/**
 * A conflict on `object` after the split brain healed: ADMIN_SYNC_CONFLICT raised on both CMS, the conflict resolved
 * on both within the window from the heal, then both holding the winner's value, each keeping the losing one.
 */
export async function toResolveConflict(
  x: Expectations,
  object: string,
  expected: { winner: CmsName; value: string; lost: string },
): Promise<void> {
  const heal = x.site.lastHeal ?? x.fail('toResolveConflict needs the split brain healed first', null);
  const window = w.conflictResolved(x.scaled, { ...heal, label: 'the split brain healed' });
  const sentences: Sentence[] = [];
  for (const node of CMS_NODES) {
    await eventWithin(x, is.conflictResolved(node, object), {
      what: `${node} to resolve the conflict on ${object}`,
      afterNs: heal.ns,
      windows: [window],
      fact: `${node} resolved the conflict on ${object}`,
      never: `${node} never resolved the conflict on ${object}`,
      into: sentences,
    });
    const raised = x.tl.first(is.alarm('ADMIN_SYNC_CONFLICT', true, node), { afterNs: x.ev.startNs });
    sentences.push({ ok: raised !== undefined, text: `${node} ${raised ? 'raised' : 'never raised'} ADMIN_SYNC_CONFLICT` });
  }
  const views = await Promise.all(CMS_NODES.map((node) => x.site.adminView(node)));
  x.verdicts([...sentences, ...conflictConverged(views, object, expected)]);
}

/**
 * Changes made on a CMS of a newer version than its peer stay queued on it: ADMIN_SYNC_VERSION raised on it at the
 * first of them, none applied on the older peer.
 */
export async function toHoldForVersion(x: Expectations, changes: readonly AdminChange[]): Promise<void> {
  await x.site.flush();
  const first = changes[0] ?? x.fail('toHoldForVersion needs at least one change', null);
  const alarm = x.tl.first(is.alarm('ADMIN_SYNC_VERSION', true, first.origin), { afterNs: x.ev.startNs });
  x.verdicts([
    heldAdminChanges(x.tl, changes, 'while it ran an older version'),
    {
      ok: alarm !== undefined,
      text: `${first.origin} ${alarm ? 'raised' : 'never raised'} ADMIN_SYNC_VERSION for its peer on an older version`,
    },
  ]);
}

/** `node` runs `version` now, as its status says. */
export async function toRunVersion(x: Expectations, node: NodeName, version: string): Promise<void> {
  const status = await x.site.status(node);
  await stateNow(x, () => [runsVersion(status, version)]);
}

/** `node` raised `alarm` and has kept it raised since, up to now (a lag alarm through a whole outage). */
export async function toKeepAlarmRaised(x: Expectations, node: NodeName, alarm: AlarmName): Promise<void> {
  await stateNow(x, (atNs) => [keptRaised(x.tl, node, alarm, x.ev.startNs, atNs)]);
}

/**
 * `node` runs what it was upgraded to: its stand-in's image (as the site recorded it) and, when one is given, the
 * version its status reports.
 */
export async function toRun(x: Expectations, node: CmsName, target: { image: string; version?: string }): Promise<void> {
  const status = await x.site.status(node);
  const image = x.ev.toJSON().nodes?.[node]?.at(-1)?.image ?? 'unknown';
  await stateNow(x, () => [
    { ok: image === target.image, text: `${node} runs image ${image}; expected ${target.image}` },
    ...(target.version === undefined ? [] : [runsVersion(status, target.version)]),
  ]);
}

/** Both CMS hold `value` for `object`, as each says over its control API (GET /admin). */
export async function toHoldValue(x: Expectations, object: string, value: string): Promise<void> {
  const views = await Promise.all(CMS_NODES.map((node) => x.site.adminView(node)));
  await stateNow(x, () =>
    views.map((view) => {
      const held = view.objects[object];
      return {
        ok: held?.value === value,
        text: `${view.node} holds "${object}" = ${held ? `"${held.value}" (change ${held.changeSeq} of ${held.origin})` : 'nothing'}; expected "${value}"`,
      };
    }),
  );
}

/** `node`, restarted while its ACD link cannot reach data transfer, raises ACD_LINK_DOWN once its silence lasted. */
export async function toRaiseAcdLinkDown(x: Expectations, node: CmsName): Promise<void> {
  const heal = x.site.lastHeal ?? x.fail('toRaiseAcdLinkDown needs the node restarted (a heal) first', null);
  await eventWithin(x, is.alarm('ACD_LINK_DOWN', true, node), {
    what: `${node} to raise ACD_LINK_DOWN`,
    afterNs: heal.ns,
    windows: [w.acdLinkDownFromBegin(x.scaled, heal)],
    fact: `${node} raised ACD_LINK_DOWN`,
    never: `${node} never raised ACD_LINK_DOWN`,
  });
}
