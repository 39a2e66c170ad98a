// One task of a run in its own process: one scenario test, one repeat, with its own site. It runs the test with
// mocha and the report's collector, which writes the test's record to a file; it tells the run what it is doing.
// If the run that started it goes away, it tears its site down and leaves.

import Mocha from 'mocha';
import { sendMessage } from 'execa';
import { readRunContext } from '../core/run-context.js';
import { connectDocker } from '../docker/client.js';
import CmshaReporter from '../report/reporter.js';
import { useScenarioDeps } from '../scenario/scenario.js';
import { classifyFailure } from './classify.js';
import { TASK_ENV, type WorkerMessage, type WorkerTask } from './worker-protocol.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function main(): Promise<void> {
  const task = JSON.parse(process.env[TASK_ENV] ?? 'null') as WorkerTask | null;
  if (!task) throw new Error(`${TASK_ENV} is not set: this file is started by the run, not by hand`);
  // The run died (killed, or its terminal closed): the SIGTERM handlers record the test as interrupted and remove
  // this worker's site. The run's pipes closed with it: a late write goes nowhere and must not fail the test.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const send = (message: WorkerMessage) => {
    if (process.connected) sendMessage(message).catch(() => undefined);
  };
  const context = readRunContext();
  useScenarioDeps({ docker: connectDocker(), context, progress: (_test, phase) => send({ type: 'phase', phase }) });
  const mocha = new Mocha({
    reporter: CmshaReporter,
    // The worker tells the harness's failures from the site's (see classify.ts): those are inconclusive (harness).
    reporterOptions: { blobFile: task.blobFile, quiet: true, repeat: context.repeat, seed: context.seed, classifyFailure },
    timeout: 0,
  });
  mocha.grep(new RegExp(`^${escapeRegExp(task.fullTitle)}$`));
  mocha.addFile(task.file);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((done) => mocha.run(done));
  process.exitCode = failures === 0 ? 0 : 1;
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(`cmsha worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
