// Whether a site's own machinery still works: its engine answers, its Toxiproxy runs and answers, and every stand-in
// and network holder runs unless a fault of the scenario stopped it. Asked right after a failure, before the site is
// removed: a broken harness makes the execution inconclusive (harness), never a failure of the site.

import { HarnessError, isHarnessError } from '../core/errors.js';
import type { HarnessFault } from '../core/model.js';
import { engineAddress, pingEngine, type DockerClient, type EngineContainer } from '../docker/client.js';

/** What the check looks at: the site's engine, its Toxiproxy, and each node's containers. */
export interface MachineryParts {
  docker: DockerClient;
  toxiproxy: { container: EngineContainer; api: { getVersion(): Promise<string> } };
  /** Each node's stand-in, by node. */
  standins: ReadonlyMap<string, EngineContainer>;
  /** Each node's network holder, by node. */
  holders: ReadonlyMap<string, EngineContainer>;
  /** Nodes a fault of the scenario holds killed or stopped now (its heal not yet in effect): not running is expected. */
  heldDown: ReadonlySet<string>;
}

/** Long enough for a busy engine or Toxiproxy to answer, short enough not to hold up the teardown. */
const ANSWER_MS = 3_000;

/** The first broken part found, the engine first (nothing else can be asked of a dead engine); null when all work. */
export async function checkMachinery(parts: MachineryParts): Promise<HarnessFault | null> {
  try {
    await pingEngine(parts.docker, ANSWER_MS);
  } catch (error) {
    return { part: 'engine', cause: `the engine at ${engineAddress(parts.docker)} stopped answering: ${reasonOf(error)}` };
  }
  const toxiproxy = await stateOf(parts.toxiproxy.container);
  if (toxiproxy !== 'running' && toxiproxy !== 'unknown')
    return { part: 'toxiproxy', cause: `the site's Toxiproxy container ${stateWords(toxiproxy)}` };
  try {
    await answersWithin(parts.toxiproxy.api.getVersion(), ANSWER_MS);
  } catch (error) {
    return { part: 'toxiproxy', cause: `the site's Toxiproxy stopped answering: ${reasonOf(error)}` };
  }
  for (const [kind, containers] of [
    ['standin', parts.standins],
    ['holder', parts.holders],
  ] as const) {
    for (const [node, container] of containers) {
      // A killed or stopped node's stand-in is down on purpose; its holder never is.
      if (kind === 'standin' && parts.heldDown.has(node)) continue;
      const state = await stateOf(container);
      if (state === 'running' || state === 'paused' || state === 'unknown') continue;
      const what = kind === 'standin' ? `the ${node} stand-in's container` : `the network holder of ${node}`;
      return { part: kind, cause: `${what} ${stateWords(state)}, and no fault of the scenario did that` };
    }
  }
  return null;
}

/** The error a failure becomes when the check found the harness broken: its cause named, the failure kept as the cause. */
export function machineryFailed(fault: HarnessFault, failure: unknown): HarnessError {
  return new HarnessError('MACHINERY_FAILED', fault.cause, { cause: failure, details: { part: fault.part } });
}

type ContainerState = 'running' | 'paused' | 'gone' | 'unknown' | { status: string };

/** What the engine says of a container; `unknown` when it would not say (the check then blames nothing on it). */
async function stateOf(container: EngineContainer): Promise<ContainerState> {
  try {
    const { State } = await container.inspect();
    if (State.Running) return State.Paused ? 'paused' : 'running';
    return { status: State.Status };
  } catch (error) {
    return (error as { statusCode?: number }).statusCode === 404 ? 'gone' : 'unknown';
  }
}

function stateWords(state: Exclude<ContainerState, 'running' | 'unknown'>): string {
  if (state === 'gone') return 'is gone (removed)';
  return state === 'paused' ? 'is paused' : `is not running (${state.status})`;
}

async function answersWithin<T>(answer: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The underlying reason of a failed request, without the advice pingEngine adds for a person starting a run. */
function reasonOf(error: unknown): string {
  const cause = isHarnessError(error) && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
