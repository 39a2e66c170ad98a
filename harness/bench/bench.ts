// `npm run bench`: the speed goals live here, not in timed tests. Times the set-up on a warm machine and
// the start and stop of one default topology (median of 5), and prints them with the command that made them.

import { cmsHaTopology } from '../topology/cms-ha.js';
import { Topology } from '../topology/topology.js';
import { runSetup } from '../setup/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function runBench(rounds = 5): Promise<void> {
  const setup = await runSetup({ log: () => undefined });
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const topology = new Topology({ ...cmsHaTopology({ name: 'bench' }), timeScale: 0.05 });
    let t = performance.now();
    const started = await topology.start();
    starts.push(performance.now() - t);
    t = performance.now();
    await started.stop();
    stops.push(performance.now() - t);
  }
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    [
      `bench (npm run bench), ${rounds} rounds, default CMS HA topology (5 nodes + Toxiproxy, 9 links):`,
      `  set-up, warm machine:     ${fmt(setup.durationMs)}`,
      `  topology start, median:   ${fmt(median(starts))}   (all: ${starts.map(fmt).join(', ')})`,
      `  topology stop, median:    ${fmt(median(stops))}   (all: ${stops.map(fmt).join(', ')})`,
    ].join('\n') + '\n',
  );
}
