// Local image builds and look-ups. No registry is assumed: a build context is a folder on disk,
// and images are tagged by the hash of what went into them so a stale image is never reused.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DockerClient, ProgressEvent } from './client.js';
import { HarnessError } from '../core/errors.js';

export async function imageExists(docker: DockerClient, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function imageSize(docker: DockerClient, tag: string): Promise<{ id: string; sizeBytes: number } | null> {
  try {
    const info = await docker.getImage(tag).inspect();
    return { id: info.Id, sizeBytes: info.Size };
  } catch {
    return null;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

/** A short hash of every file (path and content) under `dir`, plus any extra strings. */
export async function contentHash(dir: string, extra: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(dir)) {
    hash
      .update(relative(dir, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  for (const item of extra) hash.update(item).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** Builds `contextDir` (which holds its Dockerfile) as `tag`. Rejects with the builder's own error text. */
export async function buildImage(
  client: DockerClient,
  contextDir: string,
  tag: string,
  buildArgs: Record<string, string> = {},
): Promise<void> {
  const files = (await listFiles(contextDir)).map((file) => relative(contextDir, file));
  if (!(await stat(join(contextDir, 'Dockerfile')).catch(() => null))) {
    throw new HarnessError('IMAGE_BUILD_FAILED', `No Dockerfile in build context ${contextDir}.`, { details: { tag } });
  }
  const lines: string[] = [];
  try {
    const stream = await client.buildImage({ context: contextDir, src: files }, { t: tag, buildargs: buildArgs, rm: true, forcerm: true });
    await followProgress(client, stream, (event) => {
      if (event.stream) lines.push(event.stream.trimEnd());
    });
  } catch (cause) {
    throw new HarnessError(
      'IMAGE_BUILD_FAILED',
      `Building image ${tag} from ${contextDir} failed: ${(cause as Error).message}\n${lines.slice(-15).join('\n')}`,
      { cause, details: { tag, contextDir } },
    );
  }
}

/** Waits for a progress stream of the engine (build, import, pull) and rejects with the first error it reports. */
function followProgress(client: DockerClient, stream: NodeJS.ReadableStream, onEvent?: (event: ProgressEvent) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.modem.followProgress(
      stream,
      (error, output) => {
        const failed = error?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      },
      onEvent,
    );
  });
}

/** Imports a root file system tarball as `repo:tag` (`docker import`). */
export async function importImage(client: DockerClient, tarFile: string, tag: string): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  try {
    await followProgress(client, await client.importImage(tarFile, { repo, tag: version }));
  } catch (cause) {
    throw new HarnessError('IMAGE_BUILD_FAILED', `docker import of ${tag} failed: ${(cause as Error).message}`, {
      cause,
      details: { tag },
    });
  }
}

/**
 * Tries to pull an image, giving up after `deadlineMs`. Off unless CMSHA_ALLOW_PULL=1: the machines this runs on
 * usually have no registry, and the harness must not send traffic anywhere it was not told to.
 */
export async function tryPull(client: DockerClient, tag: string, deadlineMs = 15_000): Promise<boolean> {
  if (process.env['CMSHA_ALLOW_PULL'] !== '1') return false;
  const deadline = AbortSignal.timeout(deadlineMs);
  // The signal ends the pull; the race holds the deadline even while a stream it ended is still being read.
  const pulled = client
    .pull(tag, { abortSignal: deadline })
    .then((stream) => followProgress(client, stream))
    .then(
      () => true,
      () => false,
    );
  const gaveUp = once(deadline, 'abort').then(() => false);
  return (await Promise.race([pulled, gaveUp])) && (await imageExists(client, tag));
}
