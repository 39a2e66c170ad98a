// Whose failure it is: the rules a worker classifies a failed scenario by, each with an error as the harness and the
// expectations raise it.

import { AssertionError } from 'chai';
import { expect } from 'chai';
import { HarnessError } from '../core/errors.js';
import { classifyFailure, harnessFaultOf, inconclusiveError } from './classify.js';

const overloaded = (fact: string) =>
  `${fact}; meanwhile a timer of cms-secondary (heartbeat) fired 95 ms late, more than the 40 ms the windows allow: the host was overloaded (fewer sites at once, --parallel, or a quieter machine)`;

describe('classifying a failure', () => {
  it('calls a broken machinery found right after the failure inconclusive, naming the part it found', () => {
    const error = new HarnessError('MACHINERY_FAILED', "the site's Toxiproxy stopped answering: connect ECONNREFUSED", {
      cause: new AssertionError('cms-secondary lost its ACD link'),
      details: { part: 'toxiproxy' },
    });
    expect(harnessFaultOf(error)).to.deep.equal({
      part: 'toxiproxy',
      cause: "the site's Toxiproxy stopped answering: connect ECONNREFUSED",
    });
    expect(inconclusiveError(harnessFaultOf(error)!, error).message).to.equal(
      "inconclusive (harness): the site's Toxiproxy stopped answering: connect ECONNREFUSED\nthe failure it spoiled: cms-secondary lost its ACD link",
    );
  });

  it('calls the harness’s own errors inconclusive: the engine, the start, a missing image, the observer, Toxiproxy', () => {
    const parts = (['DOCKER_UNAVAILABLE', 'START_FAILED', 'IMAGE_BUILD_FAILED', 'OBSERVE_FAILED', 'TOXIPROXY_FAILED'] as const).map(
      (code) => harnessFaultOf(new HarnessError(code, 'x'))?.part,
    );
    expect(parts).to.deep.equal(['engine', 'start', 'start', 'observer', 'toxiproxy']);
    expect(harnessFaultOf(new HarnessError('START_FAILED', 'no such image: cmsha/standin:abc'))?.cause).to.equal(
      'the site could not be started: no such image: cmsha/standin:abc',
    );
  });

  it('calls a control request with no answer inconclusive, and a refusal the site’s answer', () => {
    const silent = new HarnessError('CONTROL_FAILED', 'cms-primary did not acknowledge set-standby: timed out', {
      details: { status: null },
    });
    expect(harnessFaultOf(silent)).to.deep.equal({
      part: 'control',
      cause: 'the control API got no answer: cms-primary did not acknowledge set-standby: timed out',
    });
    const refused = new HarnessError('CONTROL_FAILED', 'cms-secondary refused set-active: already ACTIVE (HTTP 409)', {
      details: { status: 409 },
    });
    expect(harnessFaultOf(refused)).to.equal(null);
  });

  it('calls a failure inconclusive when a late timer spoiled every window it names, and failed when one failed on its own', () => {
    const spoiled = new AssertionError(overloaded('cms-secondary became ACTIVE 2310 ms after the first unanswered heartbeat'));
    expect(harnessFaultOf(spoiled)?.part).to.equal('host');
    expect(harnessFaultOf(spoiled)?.cause).to.match(
      /^a late timer spoiled the window \(the host was overloaded\): cms-secondary became ACTIVE/,
    );
    const mixed = new AssertionError(`${spoiled.message}\ncms-secondary never became ACTIVE within 2290 ms`);
    expect(harnessFaultOf(mixed), 'a failure the late timer does not explain is the site’s').to.equal(null);
  });

  it('calls an expectation, a timeout and bad input the site’s or the scenario’s: failed', () => {
    expect(harnessFaultOf(new AssertionError('cms-secondary stayed STANDBY'))).to.equal(null);
    expect(harnessFaultOf(new HarnessError('TIMEOUT', 'the sunny-day steady state'))).to.equal(null);
    expect(harnessFaultOf(new HarnessError('BAD_INPUT', 'x'))).to.equal(null);
    expect(harnessFaultOf(new Error('Timeout of 2000ms exceeded.'))).to.equal(null);
    expect(classifyFailure(new AssertionError('cms-secondary stayed STANDBY'))).to.equal(null);
  });

  it('gives an inconclusive record its cause first and keeps the stack of an error that is not an expectation', () => {
    const cause = new Error('connect ECONNREFUSED 172.18.0.3:8474');
    const classified = classifyFailure(
      new HarnessError('TOXIPROXY_FAILED', "the site's Toxiproxy did not heal cut on heartbeat", { cause }),
    )!;
    expect(classified.fault.part).to.equal('toxiproxy');
    expect(classified.error.message).to.equal(
      "inconclusive (harness): the site's Toxiproxy failed: the site's Toxiproxy did not heal cut on heartbeat\nthe failure it spoiled: connect ECONNREFUSED 172.18.0.3:8474",
    );
    expect(classified.error.stack).to.contain('connect ECONNREFUSED');
  });
});
