// What the site-up bench compares: ways of starting the same site (ours, docker-compose, testcontainers, bare docker
// run), each up to the point ours's start() returns; and the docker CLI the command-line peers share.

import { execa } from 'execa';
import type { NodeName } from '../../images/protocol/index.js';

export type PeerId = 'ours' | 'compose' | 'testcontainers' | 'floor';

export interface RunningSite {
  readonly topologyId: string;
  readonly controlUrls: ReadonlyMap<NodeName, string>;
  /** Networks it made that carry no label of ours (testcontainers' Network takes none): removed by id if need be. */
  readonly unlabelledNetworks: string[];
  /** Removes everything it made, its own way. */
  down(): Promise<void>;
}

export interface Peer {
  readonly id: PeerId;
  readonly label: string;
  /** How it starts and stops a site, for bench.json. */
  readonly upCommand: string;
  readonly downCommand: string;
  /** Starts the site: containers, proxies through the Toxiproxy API, every node answering, each stand-in begun. */
  up(): Promise<RunningSite>;
}

/** One docker CLI call; rejects with its stderr. */
export async function dockerCli(args: string[]): Promise<string> {
  const result = await execa('docker', args, { reject: false });
  if (result.exitCode !== 0)
    throw new Error(`docker ${args.slice(0, 3).join(' ')} … failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** The address of each named container on one network, in one `docker inspect` call. */
export async function addressesOn(names: readonly string[], network: string): Promise<Map<string, string>> {
  const infos = JSON.parse(await dockerCli(['inspect', ...names])) as Array<{
    Name: string;
    NetworkSettings: { Networks: Record<string, { IPAddress?: string }> };
  }>;
  return new Map(
    infos.map((info) => {
      const address = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!address) throw new Error(`container ${info.Name} has no address on network ${network}`);
      return [info.Name.replace(/^\//, ''), address];
    }),
  );
}
