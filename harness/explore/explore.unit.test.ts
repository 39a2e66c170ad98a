// The explorer's pure parts: generated schedules replay by seed and index and are always valid; shrinking proposes
// simpler schedules, a fault always with its heal; the shrink rule; the scenario form of a schedule.

import { expect } from 'chai';
import { checkSchedule, isFault, isHeal, parseSchedule, scheduleYaml, type Schedule } from '../core/schedule.js';
import { generatedSchedule } from './generate.js';
import { scenarioForm } from './scenario-form.js';
import { faultCount, shrinkCandidates, shrinkDecision, Shrinker } from './shrink.js';

const FOUND: Schedule = {
  schedule: 1,
  site: { policy: { autoFailover: true, autoFailback: false, returningPrimary: 'hold-standby' } },
  steps: [
    { fault: 'f1', kind: 'kill', target: 'cms-primary', at: { phase: 0.25 } },
    { wait: { cycles: 5 } },
    { heal: 'f1', at: { phase: 0.7 } },
    { admin: { node: 'cms-primary', object: 'vector-12', value: 'v1' }, at: { phase: 0.1 } },
    { fault: 'f2', kind: 'kill', target: 'cms-secondary', at: { event: 'return', withinCycles: 8 } },
    { heal: 'f2', at: { phase: 0.5 } },
  ],
};

describe('explore: generated schedules', function () {
  it('gives the same schedule for the same seed and index, and another for another index', function () {
    expect(generatedSchedule(7, 3)).to.deep.equal(generatedSchedule(7, 3));
    expect(generatedSchedule(7, 3)).to.not.deep.equal(generatedSchedule(7, 4));
  });

  it('always generates a valid schedule that survives its file form', function () {
    for (let i = 0; i < 300; i += 1) {
      const schedule = generatedSchedule(11, i);
      checkSchedule(schedule, `schedule ${i}`);
      expect(parseSchedule(scheduleYaml(schedule), `schedule ${i}`)).to.deep.equal(schedule);
    }
  });

  it('covers every failback policy and both autoFailover settings over a few dozen schedules', function () {
    const policies = new Set(Array.from({ length: 60 }, (_, i) => JSON.stringify(generatedSchedule(3, i).site?.policy)));
    expect(policies.size).to.equal(6);
  });
});

describe('explore: shrinking', function () {
  it('drops a fault together with its heal first, then single steps, then shortens waits and simplifies phases', function () {
    const candidates = shrinkCandidates(FOUND);
    expect(faultCount(candidates[0]!)).to.equal(1);
    expect(candidates[0]!.steps.filter(isHeal).map((h) => h.heal)).to.deep.equal(['f1']);
    expect(candidates[1]!.steps.filter(isFault).map((f) => f.target)).to.deep.equal(['cms-primary']);
    expect(candidates.every((c) => c.steps.filter(isFault).length === c.steps.filter(isHeal).length)).to.equal(true);
    expect(candidates.some((c) => JSON.stringify(c.steps).includes('"cycles":2'))).to.equal(true);
    expect(candidates.some((c) => c.steps.some((s) => isFault(s) && s.target === 'cms-secondary' && 'phase' in s.at))).to.equal(true);
    expect(candidates.map((c) => JSON.stringify(c.steps))).to.have.lengthOf(new Set(candidates.map((c) => JSON.stringify(c.steps))).size);
  });

  it('counts a candidate as failing once it failed r of up to k runs, and gives up once it cannot', function () {
    const rule = { runs: 3, needed: 2 };
    expect(shrinkDecision(['fails'], rule)).to.equal('undecided');
    expect(shrinkDecision(['fails', 'fails'], rule)).to.equal('fails');
    expect(shrinkDecision(['passes', 'fails'], rule)).to.equal('undecided');
    expect(shrinkDecision(['passes', 'passes'], rule)).to.equal('passes');
    expect(shrinkDecision(['passes'], { runs: 2, needed: 2 })).to.equal('passes');
  });
});

describe('explore: the shrinker', function () {
  it('asks for each candidate until one still fails, shrinks from it, and is done when none does', function () {
    const shrinker = new Shrinker(FOUND, { runs: 2, needed: 2 });
    expect(shrinker.next()!.run).to.equal('1.1');
    expect(shrinker.report('passes')).to.equal('rejected');
    expect(shrinker.report('fails')).to.equal('undecided');
    expect(shrinker.report(null), 'a void run says nothing').to.equal('undecided');
    expect(shrinker.report('fails')).to.equal('accepted');
    expect(faultCount(shrinker.current)).to.equal(1);
    while (!shrinker.done) shrinker.report('passes');
    expect(shrinker.next()).to.equal(null);
    expect([shrinker.accepted, shrinker.spent]).to.deep.equal([1, 4 + shrinker.tried - 2]);
  });
});

describe('explore: a schedule in the scenario form', function () {
  it('writes the same steps as a scenario that checks the invariants', function () {
    const text = scenarioForm(FOUND, 'I4 no ACTIVE CMS');
    expect(text).to.contain("scenario('holds every invariant through kill cms-primary, then kill cms-secondary (hold-standby)'");
    expect(text).to.contain("{ fault: 'f2', kind: 'kill', target: 'cms-secondary', at: { event: 'return', withinCycles: 8 } },");
    expect(text).to.contain('await expect(site).toHoldInvariants();');
  });
});

describe('schedules as data', function () {
  it('rejects a heal of a fault not in force and a node fault on a link, naming the step', function () {
    const bad = {
      schedule: 1,
      steps: [
        { fault: 'f1', kind: 'kill', target: 'heartbeat', at: { phase: 0.1 } },
        { heal: 'f9', at: { phase: 0.2 } },
      ],
    };
    expect(() => checkSchedule(bad, 'x.yaml')).to.throw(
      /x\.yaml: steps\[0\]: kill needs a node, got heartbeat\nx\.yaml: steps\[1\]: heal "f9" names no fault in force/,
    );
  });

  it('says where a step is not a step, and what a phase must be', function () {
    expect(() =>
      parseSchedule(
        'schedule: 1\nsteps:\n  - wait: { cycles: 1 }\n  - fault: f1\n    kind: cut\n    target: heartbeat\n    at: { phase: 1.5 }\n',
        'y.yaml',
      ),
    ).to.throw(/y\.yaml: steps\.1/);
  });
});
