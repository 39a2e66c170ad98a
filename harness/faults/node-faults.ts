// Node faults: kill (SIGKILL: the process dies, its host stays up and resets connections), stop (graceful SIGTERM),
// pause (a hung server: frozen, sockets open, nothing answers) and isolate (every link of the node silent).

import { HarnessError } from '../core/errors.js';
import type { EngineContainer } from '../docker/client.js';
import { ignoreGone } from '../docker/resources.js';
import type { FaultHandle, FaultLog } from './fault-log.js';
import type { LinkFaults } from './link-faults.js';

/** What a node fault does to a node's container. */
export type NodeContainer = Pick<EngineContainer, 'start' | 'stop' | 'kill' | 'pause' | 'unpause'>;

export interface NodeAccess {
  /** The node's own container (its stand-in; its addresses belong to a holder that outlives it). */
  container(node: string): NodeContainer;
  /**
   * Called once a killed or stopped node runs again: resolves when it takes connections and has begun, which it does
   * once `beginGate` (if given) resolves.
   */
  restarted(node: string, beginGate?: () => Promise<void>): Promise<void>;
  /** Every link the node dials or listens on. */
  linksOf(node: string): string[];
  /** Removes the node's stand-in and creates and starts another on `to.image` (reporting `to.version`), its data kept. */
  replace(node: string, to: { image: string; version?: string }): Promise<NodeContainer>;
}

export class NodeFaults {
  constructor(
    private readonly access: NodeAccess,
    private readonly nodes: ReadonlySet<string>,
    private readonly links: LinkFaults,
    private readonly log: FaultLog,
  ) {}

  private container(node: string): NodeContainer {
    if (!this.nodes.has(node)) {
      throw new HarnessError('BAD_INPUT', `Unknown node "${node}". Nodes of this topology: ${[...this.nodes].join(', ')}.`, {
        details: { node },
      });
    }
    return this.access.container(node);
  }

  private async startAgain(node: string, container: NodeContainer, beginGate?: () => Promise<void>): Promise<void> {
    await ignoreGone(container.start());
    await this.access.restarted(node, beginGate);
  }

  /** SIGKILL: the process dies at once; its host's kernel refuses and resets its connections. remove() starts it again. */
  kill(node: string): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      { kind: 'kill', target: node, direction: null, attributes: { signal: 'SIGKILL' } },
      () => c.kill({ signal: 'SIGKILL' }).then(() => undefined),
      (beginGate) => this.startAgain(node, c, beginGate),
    );
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceSeconds`). remove() starts it again. */
  stop(node: string, graceSeconds = 5): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      { kind: 'stop', target: node, direction: null, attributes: { graceSeconds } },
      () => ignoreGone(c.stop({ t: graceSeconds })).then(() => undefined),
      (beginGate) => this.startAgain(node, c, beginGate),
    );
  }

  /**
   * An upgrade of the node: a graceful stop (SIGTERM, then SIGKILL after `graceSeconds`), and remove() starts it on
   * `to.image` (reporting `to.version`, else the image's), keeping what it saved (its data folder is its holder's).
   */
  upgrade(node: string, to: { image: string; version?: string }, graceSeconds = 5): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      {
        kind: 'stop',
        target: node,
        direction: null,
        attributes: { graceSeconds, upgradeTo: to.image, ...(to.version ? { version: to.version } : {}) },
      },
      () => ignoreGone(c.stop({ t: graceSeconds })).then(() => undefined),
      async (beginGate) => {
        await this.access.replace(node, to);
        await this.access.restarted(node, beginGate);
      },
    );
  }

  /** Freezes every process of the node: connections stay open and nothing answers. remove() thaws it. */
  pause(node: string): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      { kind: 'pause', target: node, direction: null, attributes: {} },
      () => c.pause().then(() => undefined),
      () => c.unpause().then(() => undefined),
    );
  }

  /**
   * Cuts the node off the network while it keeps running: every link it dials or listens on goes silent both ways
   * (every data path of the site runs through a proxy, so this is its whole network). The harness still sees it on
   * the control network. remove() heals every link at once, connections intact.
   */
  isolate(node: string): Promise<FaultHandle> {
    this.container(node);
    return this.links.silenceAll('isolate', node, this.access.linksOf(node));
  }
}
