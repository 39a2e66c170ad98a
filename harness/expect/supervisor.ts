// The supervisor follows the ACTIVE CMS: after a fault within the window from the fault and the site's outage budget,
// after an operator's switch within a retry round, and always within one retry round of when it could first log in.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import type { Window } from '../core/model.js';
import { supervisorReady } from '../check/anchors.js';
import * as w from '../check/windows.js';
import { instantWords } from '../check/words.js';
import { is } from '../observe/site-state.js';
import type { Expectations, FromFault } from './context.js';
import { eventWithin } from './shapes.js';

/**
 * The supervisor logs in to `node`: within one retry round of the later of the switch and its session loss;
 * after a fault (the scenario's, or the one named) also within the window from the fault and the site's outage budget.
 */
export async function toMoveSupervisorTo(x: Expectations, node: CmsName, options: FromFault = {}): Promise<void> {
  const fault = x.site.lastOperator && !options.from ? null : x.trigger('the supervisor’s move', options.from);
  const since = fault?.ns ?? x.site.lastOperator!.ns;
  const fact = `the supervisor logged in to ${node}`;
  await eventWithin(x, is.login(node), {
    what: `the supervisor to log in to ${node}`,
    afterNs: since,
    windows: fault ? fromFault(x, fault) : [],
    untilNs: since + msToNs(w.loginAfterSwitchBoundMs(x.scaled)),
    fact,
    never: `the supervisor never logged in to ${node} after ${instantWords(since, x.ev.startNs)}`,
    expected: null,
    also: (event) => {
      const ready = supervisorReady(x.tl, node, since);
      return ready ? [x.measure(w.loginFromReady(x.scaled, ready), event, fact)] : [];
    },
  });
}

/** After a fault: the window from the fault, and the site's outage budget when it has one. */
function fromFault(x: Expectations, fault: w.FaultAnchor): Window[] {
  return [
    w.loginFromFault(x.scaled, fault),
    ...x.budget('supervisor outage budget', 'the supervisor logs in again', 'supervisorOutageMs', fault),
  ];
}
