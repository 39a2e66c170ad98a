// A pool of two real engines on this machine: the default one and a second dockerd started for the test (its own
// socket, data root, exec root, bridge-less, its own address pool), both set up with the images. A short run of three
// primary-down scenarios at time scale 0.05, one site per engine; the second engine's dockerd is killed (kill -9) while
// it runs a site. The run finishes on the default engine, every execution has exactly one final verdict, the moved
// execution is marked as re-run with the reason, and once the killed dockerd is started again on its data root and
// swept, nothing labelled by the run is left on either engine. About a minute once the second engine has its images
// (the first time, their build on it takes a few minutes more: its data root persists, so only once).

import { expect } from 'chai';
import { connectDocker, engineAddress, type DockerClient } from '../docker/client.js';
import { LABEL_PART, LABEL_RUN, RUN_ID } from '../docker/labels.js';
import { sweepOrphans } from '../docker/sweep.js';
import { DEFAULT_SITE, type SiteConfig } from '../core/site-config.js';
import { setUpEngines } from '../cli/engines.js';
import { SecondEngine } from '../testing/second-engine.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { waitFor } from '../core/poll.js';
import { runCatalogue } from './run.js';

/** The three primary-down scenarios that kill, stop and pause the primary: each about 4 s of site time at 0.05. */
const SCENARIOS = 'within the heartbeat window when the primary is';

async function labelled(docker: DockerClient): Promise<{ containers: number; networks: number }> {
  const filters = { label: [`${LABEL_RUN}=${RUN_ID}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}

describe('a pool of two engines, one killed mid-run', function () {
  // The first run builds the images on the second engine's fresh data root.
  this.timeout(900_000);
  let second: SecondEngine | undefined;

  before(async function () {
    second = await SecondEngine.start({ name: 'cmsha-pool-test' });
  });

  after(async function () {
    if (!second) return;
    // However the test ended, the killed engine's sites (their shims outlive dockerd) are removed before it stops.
    if (!second.running) await second.start();
    await sweepOrphans(second.client());
    await second.stop();
  });

  it('finishes the run on the other engine: one final verdict each, the moved execution marked, nothing left after the sweep', async () => {
    const local = connectDocker();
    const engine2 = second!;
    // What this process's other tests may still hold open under the same run label: none of it is this test's.
    const before = await labelled(local);
    const { engines, first } = await setUpEngines({
      given: [
        { url: engineAddress(local), capacity: 1 },
        { url: engine2.url, capacity: 1 },
      ],
      parallel: 1,
      timeScale: 0.05,
      defaultClient: local,
      say: (line) => console.log(`      ${line}`),
    });
    const run = runCatalogue({
      filters: [SCENARIOS],
      timeScale: 0.05,
      site: structuredClone(DEFAULT_SITE) as SiteConfig,
      siteFile: null,
      repeat: 1,
      parallel: 2,
      engines,
      shard: null,
      seed: 7,
      outDir: scratchDir('pool-run'),
      historyDir: null,
      images: first.images.images,
      environment: first.environment,
      quiet: true,
    });
    // Mid-run: once a stand-in of this run runs on the second engine, its dockerd dies outright.
    const standinsOn2 = { label: [`${LABEL_RUN}=${RUN_ID}`, `${LABEL_PART}=standin`] };
    await waitFor(async () => (await engine2.client().listContainers({ filters: standinsOn2 })).length >= 5 || undefined, {
      deadlineMs: 120_000,
      label: 'a site of the run on the second engine',
      intervalsMs: [250],
    });
    engine2.kill();
    await engine2.exited();
    const result = await run;
    const { record } = result;
    for (const t of record.tests)
      console.log(
        `      ${t.outcome} on ${t.engine}: ${t.title}${(t.attempts?.length ?? 0) > 1 ? ` (re-run: ${t.attempts!.at(-1)!.rerun})` : ''}`,
      );

    expect(record.tests, 'exactly one final verdict per execution').to.have.length(3);
    expect(new Set(record.tests.map((t) => t.fullTitle)).size).to.equal(3);
    expect(record.tests.map((t) => t.outcome)).to.not.include('failed');
    expect(
      record.tests.every((t) => t.engine === engineAddress(local)),
      'every verdict from the engine left',
    ).to.equal(true);
    const moved = record.tests.filter((t) => t.attempts!.some((a) => a.outcome === 'moved'));
    expect(moved.length, 'the execution the killed engine ran').to.be.at.least(1);
    for (const t of moved) {
      expect(t.attempts![0]).to.deep.include({ engine: engine2.url, outcome: 'moved' });
      expect(t.attempts!.at(-1)!.rerun).to.match(
        new RegExp(`^moved from engine ${engine2.url.replace(/[/.]/g, '\\$&')}: stopped answering`),
      );
    }
    const drained = record.engines!.find((e) => e.url === engine2.url)!;
    expect(drained.drained?.reason).to.match(/^stopped answering/);
    expect(record.engines!.find((e) => e.url !== engine2.url)!.drained).to.equal(null);
    expect([0, 3], 'passed, or inconclusive where the host was too busy; never failed').to.include(result.exitCode);

    // The killed engine's sites outlived it (their shims run on): started again on its data root, it is swept.
    await engine2.start();
    await sweepOrphans(engine2.client());
    expect(await labelled(engine2.client()), 'nothing left on the second engine').to.deep.equal({ containers: 0, networks: 0 });
    expect(await labelled(local), 'nothing of this test left on the default engine').to.deep.equal(before);
  });
});
