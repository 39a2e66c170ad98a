// The engine's own record of when it created, started and destroyed each container of the bench, followed for the
// whole site-up family: the measured breakdown of where a start or a stop spends its time, the same for every peer.

import type { DockerClient } from '../docker/client.js';
import { LABEL_PART, LABEL_RUN, LABEL_TOPOLOGY, RUN_ID } from '../docker/labels.js';

export interface EngineEvent {
  action: string;
  topology: string | null;
  /** What the container is to its topology: standin, holder, toxiproxy. */
  part: string | null;
  /** Wall-clock ms, as the engine stamped it. */
  atMs: number;
}

export class EngineEvents {
  readonly events: EngineEvent[] = [];
  #buffer = '';

  private constructor(
    stream: NodeJS.ReadableStream,
    private readonly following: AbortController,
  ) {
    stream.on('data', (chunk: Buffer) => this.#take(chunk.toString('utf8')));
    // Stopping ends the stream with an abort error: nothing to report.
    stream.on('error', () => undefined);
  }

  /** Follows the container events of every container this process labels with its run id. */
  static async follow(docker: DockerClient): Promise<EngineEvents> {
    const following = new AbortController();
    const filters = { type: ['container' as const], label: [`${LABEL_RUN}=${RUN_ID}`] };
    return new EngineEvents(await docker.getEvents({ filters, abortSignal: following.signal }), following);
  }

  #take(text: string): void {
    this.#buffer += text;
    const lines = this.#buffer.split('\n');
    this.#buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const e = JSON.parse(line) as { Action?: string; timeNano?: number; Actor?: { Attributes?: Record<string, string> } };
        const labels = e.Actor?.Attributes ?? {};
        this.events.push({
          action: e.Action ?? '',
          topology: labels[LABEL_TOPOLOGY] ?? null,
          part: labels[LABEL_PART] ?? null,
          atMs: (e.timeNano ?? 0) / 1e6,
        });
      } catch {
        // a torn line: the engine writes whole lines, so this is only ever the stream's end
      }
    }
  }

  /** The first and last instant of an action for one topology (of one part only, if given), or null when there was none. */
  span(topology: string, action: string, part?: string): { firstMs: number; lastMs: number } | null {
    const times = this.events
      .filter((e) => e.topology === topology && e.action === action && (part === undefined || e.part === part))
      .map((e) => e.atMs);
    return times.length === 0 ? null : { firstMs: Math.min(...times), lastMs: Math.max(...times) };
  }

  stop(): void {
    this.following.abort();
  }
}
