// Which operator and administration steps can reach their node: one to a node the schedule killed, stopped or
// paused is skipped, not sent (found by `cmsha explore --seed 4`: a set-active to a stopped primary broke the
// execution as a harness fault).

import { expect } from 'chai';
import type { FaultRecord } from '../core/model.js';
import type { ScheduleStep } from '../core/schedule.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { commandBlockedBy } from './schedule-runner.js';

const handle = (kind: FaultRecord['kind'], target: FaultRecord['target']): FaultHandle => ({
  record: {
    id: `${kind}-${target}`,
    kind,
    target,
    direction: null,
    attributes: {},
    appliedNs: '1',
    confirmedNs: '2',
    removedNs: null,
    healedNs: null,
  },
  appliedNs: 1n,
  remove: async () => 3n,
});

describe('schedule runner: commands to a node that cannot answer', function () {
  const setActive: ScheduleStep = { operator: 'set-active', node: 'cms-primary', at: { phase: 0 } };
  const admin: ScheduleStep = { admin: { node: 'cms-secondary', object: 'vdn-1', value: 'a' }, at: { phase: 0 } };
  const takeover: ScheduleStep = { operator: 'forced-takeover', at: { phase: 0 } };

  it('names the kill, stop or pause in force on the node a command goes to', function () {
    for (const kind of ['kill', 'stop', 'pause'] as const)
      expect(commandBlockedBy(new Map([['f1', handle(kind, 'cms-primary')]]), setActive)?.record.kind).to.equal(kind);
    expect(commandBlockedBy(new Map([['f1', handle('stop', 'cms-secondary')]]), admin)?.record.target).to.equal('cms-secondary');
    expect(commandBlockedBy(new Map([['f1', handle('kill', 'cm')]]), takeover)?.record.target).to.equal('cm');
  });

  it('lets a command through to a node that is only cut off, or to another node', function () {
    expect(commandBlockedBy(new Map([['f1', handle('isolate', 'cms-primary')]]), setActive)).to.equal(undefined);
    expect(commandBlockedBy(new Map([['f1', handle('kill', 'cms-secondary')]]), setActive)).to.equal(undefined);
    expect(commandBlockedBy(new Map(), admin)).to.equal(undefined);
  });
});
