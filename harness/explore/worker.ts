// One execution of a schedule in its own process: start a site, run the steps, observe it settle, check the
// invariants over the finished timeline, write the record, remove the site. A harness failure is inconclusive.

import { sendMessage } from 'execa';
import { factsOf } from '../check/facts.js';
import { checkInvariants, findings } from '../check/invariants.js';
import { writeFileAtomicSync } from '../core/files.js';
import { readRunContext } from '../core/run-context.js';
import { INCONCLUSIVE_PREFIX } from '../core/summary.js';
import { connectDocker } from '../docker/client.js';
import { observeUntilSettled, runSchedule } from '../scenario/schedule-runner.js';
import { Site } from '../scenario/site.js';
import { EXPLORE_TASK_ENV, type ExploreExecution, type ExploreTask } from './execution.js';

async function main(): Promise<void> {
  const task = JSON.parse(process.env[EXPLORE_TASK_ENV] ?? 'null') as ExploreTask | null;
  if (!task) throw new Error(`${EXPLORE_TASK_ENV} is not set: this file is started by \`cmsha explore\`, not by hand`);
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const phase = (text: string) => {
    if (process.connected) sendMessage({ type: 'phase', phase: text }).catch(() => undefined);
  };
  const marks = [performance.now()];
  const mark = () => marks.push(performance.now());
  let site: Site | undefined;
  let error: string | null = null;
  try {
    site = await Site.start(
      { scenario: 'explore', ...(task.schedule.site ? { site: task.schedule.site } : {}) },
      { docker: connectDocker(), context: readRunContext(), progress: phase, stepPhase: () => 0.5 },
    );
    mark();
    await runSchedule(site, task.schedule);
    mark();
    await observeUntilSettled(site);
    mark();
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  } finally {
    // Before the site goes: a broken harness (its engine, its Toxiproxy, a container gone) makes the execution
    // inconclusive, whatever the invariants would say of the timeline it left.
    const broken = await site?.checkMachinery().catch(() => null);
    if (broken) error = `${INCONCLUSIVE_PREFIX}${broken.cause}${error === null ? '' : `\nthe failure it spoiled: ${error}`}`;
    await site?.finish().catch((cause: unknown) => {
      error ??= `the site could not be ended cleanly: ${(cause as Error).message}`;
    });
    mark();
  }
  const span = (i: number) => Math.round((marks[i + 1] ?? marks.at(-1)!) - marks[i]!);
  const startedMs = marks[0]!;
  const evidence = site?.evidence.toJSON() ?? null;
  const facts = evidence && error === null ? factsOf(evidence) : null;
  const verdicts = facts ? checkInvariants(facts) : [];
  if (evidence && facts) evidence.invariants = verdicts;
  const broken = findings(verdicts);
  const record: ExploreExecution = {
    id: task.id,
    purpose: task.purpose,
    schedule: task.schedule,
    verdict:
      error !== null ? 'inconclusive' : broken.length > 0 ? 'failed' : verdicts.some((v) => v.violations.length > 0) ? 'void' : 'passed',
    keys: [...new Set(broken.map((v) => v.key))],
    durationMs: Math.round(performance.now() - startedMs),
    ...(marks.length === 5 ? { phasesMs: { start: span(0), schedule: span(1), settle: span(2), teardown: span(3) } } : {}),
    error,
    evidence,
  };
  writeFileAtomicSync(task.outFile, JSON.stringify(record));
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(`cmsha explore worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
