// What a run and its worker processes tell each other: the task handed down in the environment, and the phases
// the worker reports back over IPC. Kept apart from the worker's entry point, which runs when imported.

/** What the run hands a worker (env CMSHA_TASK). */
export interface WorkerTask {
  file: string;
  fullTitle: string;
  blobFile: string;
}

/** What a worker tells the run while it works. */
export type WorkerMessage = { type: 'phase'; phase: string };

export const TASK_ENV = 'CMSHA_TASK';

export function taskEnv(task: WorkerTask): Record<string, string> {
  return { [TASK_ENV]: JSON.stringify(task) };
}
