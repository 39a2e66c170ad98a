// The harness breaking under a scenario, on the real engine: a site's Toxiproxy stopped in the middle of a primary-down
// scenario, and a stand-in removed behind the harness's back, each make the execution inconclusive (harness) with the
// broken part named, retried once (on the same engine, the only one) and never counted as a failure: the run exits 3.
// Nothing labelled is left. Two sites one after the other at time scale 0.05, each twice: about a minute.

import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runExitCode } from '../core/summary.js';
import { defaultRunContext, type RunContext } from '../core/run-context.js';
import { scaleSite } from '../core/site-config.js';
import { connectDocker, engineAddress } from '../docker/client.js';
import { LABEL_RUN, RUN_ID } from '../docker/labels.js';
import { ensureImages } from '../setup/images.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { listCatalogue } from './catalogue.js';
import { runEnginePool } from './engine-pool.js';
import { planTasks } from './plan.js';

const FIXTURE = fileURLToPath(new URL('../testing/harness-faults.fixture.js', import.meta.url));
const docker = connectDocker();

async function labelled(): Promise<{ containers: number; networks: number }> {
  const filters = { label: [`${LABEL_RUN}=${RUN_ID}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}

describe('inconclusive (harness): the harness breaks under a scenario, on the real engine', function () {
  this.timeout(300_000);

  it('calls a stopped Toxiproxy and a removed stand-in inconclusive (harness), naming each, retried once, never failed', async () => {
    const images = (await ensureImages(docker)).images;
    // What this process's other tests may still hold open under the same run label: none of it is this test's.
    const before = await labelled();
    const context: RunContext = { ...defaultRunContext(), timeScale: 0.05, seed: 11, images };
    const entries = await listCatalogue([FIXTURE]);
    expect(entries.map((e) => e.meta.family)).to.deep.equal(['harness-faults', 'harness-faults']);
    const tasks = planTasks(entries, 1, scaleSite(context.site, context.timeScale));
    const pool = runEnginePool(tasks, {
      engines: [{ url: engineAddress(docker), capacity: 1 }],
      dir: scratchDir('harness-faults'),
      context,
    });
    const { records } = await pool.done;
    const tests = [...records.values()].flat();
    for (const t of tests) console.log(`      ${t.title}: ${t.outcome}: ${t.error?.message.split('\n')[0] ?? ''}`);

    expect(tests, 'one final record per execution').to.have.length(2);
    const toxiproxy = tests.find((t) => t.title.includes('Toxiproxy'))!;
    const standin = tests.find((t) => t.title.includes('stand-in'))!;
    expect(toxiproxy.outcome).to.equal('inconclusive');
    expect(toxiproxy.harnessFault?.part).to.equal('toxiproxy');
    expect(toxiproxy.error!.message).to.match(
      /^inconclusive \(harness\): the site's Toxiproxy (container is not running|stopped answering)/,
    );
    expect(standin.outcome).to.equal('inconclusive');
    expect(standin.harnessFault?.part).to.equal('standin');
    expect(standin.error!.message).to.match(/^inconclusive \(harness\): the cms-secondary stand-in's container is gone/);
    for (const t of [toxiproxy, standin]) {
      expect(
        t.attempts!.map((a) => a.outcome),
        `${t.title}: retried once, on the only engine`,
      ).to.deep.equal(['inconclusive', 'inconclusive']);
      expect(t.attempts![1]!.rerun).to.match(/^retried after inconclusive on engine .*; on .* again, the only engine left$/);
    }
    expect(runExitCode(tests), 'no failure of the site: exit 3, not 1').to.equal(3);
    expect(await labelled(), 'nothing of this test left on the engine').to.deep.equal(before);
  });
});
