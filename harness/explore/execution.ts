// What the explorer hands the worker process that runs one schedule, and where the worker leaves its record.

import type { ExploreExecution } from '../core/model.js';
import type { Schedule } from '../core/schedule.js';

/** What the explorer hands a worker (env CMSHA_EXPLORE_TASK). */
export interface ExploreTask {
  id: string;
  purpose: ExploreExecution['purpose'];
  schedule: Schedule;
  /** Where the worker writes its ExploreExecution. */
  outFile: string;
}

export const EXPLORE_TASK_ENV = 'CMSHA_EXPLORE_TASK';

export type { ExploreExecution };
