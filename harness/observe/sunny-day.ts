// The sunny-day state every scenario starts from, read from the stand-ins' status: primary ACTIVE, secondary
// STANDBY, both CMS in data transfer with the main CM, the ESS in STANDBY, the supervisor logged in to the primary.

import type { NodeName, StandinStatus, Timers } from '../../images/protocol/index.js';
import { notYet, waitFor, type WaitResult } from '../core/poll.js';

/** Waits for the sunny day; the deadline is a whole Dual-IP cycle plus two heartbeat periods, from the timers. */
export async function waitSunnyDay(status: (node: NodeName) => Promise<StandinStatus>, timers: Timers): Promise<WaitResult<true>> {
  const t = timers;
  const deadlineMs =
    (t.mainAttempts + t.essAttempts) * t.linkRetryMs + t.pumpupMs + 2 * (t.heartbeatIntervalMs + t.heartbeatTimeoutMs) + 10_000;
  return waitFor(
    async () => {
      const [primary, secondary, ess, supervisor] = (await Promise.all(
        (['cms-primary', 'cms-secondary', 'ess', 'supervisor'] as const).map(status),
      )) as [StandinStatus, StandinStatus, StandinStatus, StandinStatus];
      const ok =
        primary.role === 'ACTIVE' &&
        secondary.role === 'STANDBY' &&
        primary.acd?.state === 'DATA_TRANSFER' &&
        primary.acd.target === 'cm' &&
        secondary.acd?.state === 'DATA_TRANSFER' &&
        secondary.acd.target === 'cm' &&
        ess.ess?.state === 'STANDBY' &&
        supervisor.loggedInTo === 'cms-primary';
      return (
        ok ||
        notYet(
          `primary ${primary.role}/${primary.acd?.state}, secondary ${secondary.role}/${secondary.acd?.state}, ess ${ess.ess?.state}, supervisor on ${supervisor.loggedInTo ?? 'nothing'}`,
        )
      );
    },
    { deadlineMs, label: 'the sunny-day steady state (primary ACTIVE, secondary STANDBY, both CMS linked to cm)' },
  );
}
