// Node faults: kill (SIGKILL), stop (graceful SIGTERM), pause (a hung server: frozen, sockets open) and
// isolate (cut from the data network; the harness still sees it on the control network).

import type Docker from 'dockerode';
import { HarnessError } from '../core/errors.js';
import { docker } from '../docker/client.js';
import { ignoreGone } from '../docker/resources.js';
import type { FaultHandle, FaultLog } from './fault-log.js';

export interface NodeAccess {
  container(node: string): Docker.Container;
  /** Name of the data network and the DNS aliases the node has on it. */
  dataNetwork: string;
  aliases(node: string): string[];
  /** Called once a killed or stopped node runs again: resolves when it is ready to take part. */
  restarted(node: string): Promise<void>;
}

export class NodeFaults {
  constructor(
    private readonly access: NodeAccess,
    private readonly nodes: ReadonlySet<string>,
    private readonly log: FaultLog,
  ) {}

  private container(node: string): Docker.Container {
    if (!this.nodes.has(node)) {
      throw new HarnessError('BAD_INPUT', `Unknown node "${node}". Nodes of this topology: ${[...this.nodes].join(', ')}.`, {
        details: { node },
      });
    }
    return this.access.container(node);
  }

  private async startAgain(node: string, container: Docker.Container): Promise<void> {
    await ignoreGone(container.start());
    await this.access.restarted(node);
  }

  /** SIGKILL: the process dies at once, the kernel resets its connections. remove() starts it again. */
  kill(node: string): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      'kill',
      node,
      null,
      { signal: 'SIGKILL' },
      () => c.kill({ signal: 'SIGKILL' }).then(() => undefined),
      () => this.startAgain(node, c),
    );
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceSeconds`). remove() starts it again. */
  stop(node: string, graceSeconds = 5): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      'stop',
      node,
      null,
      { graceSeconds },
      () => ignoreGone(c.stop({ t: graceSeconds })).then(() => undefined),
      () => this.startAgain(node, c),
    );
  }

  /** Freezes every process of the node: connections stay open and nothing answers. remove() thaws it. */
  pause(node: string): Promise<FaultHandle> {
    const c = this.container(node);
    return this.log.apply(
      'pause',
      node,
      null,
      {},
      () => c.pause().then(() => undefined),
      () => c.unpause().then(() => undefined),
    );
  }

  /** Disconnects the node from the data network (its links and their proxies); remove() reconnects it with its aliases. */
  isolate(node: string): Promise<FaultHandle> {
    const c = this.container(node);
    const network = docker().getNetwork(this.access.dataNetwork);
    return this.log.apply(
      'isolate',
      node,
      null,
      { network: this.access.dataNetwork },
      () => network.disconnect({ Container: c.id, Force: true }).then(() => undefined),
      () => network.connect({ Container: c.id, EndpointConfig: { Aliases: this.access.aliases(node) } }).then(() => undefined),
    );
  }
}
