// The Toxiproxy 2.12.0 server image: the official one when present (or pulled, when pulls are allowed), else the
// server built from source with `go install` and packaged FROM scratch. Set-up calls this; nothing else builds it.

import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../core/errors.js';
import { PROJECT_ROOT, WORK_DIR } from '../core/paths.js';
import type { DockerClient } from '../docker/client.js';
import { buildImage, imageExists, tryPull } from '../docker/image-build.js';

export const TOXIPROXY_VERSION = '2.12.0';
export const TOXIPROXY_OFFICIAL = `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION}`;
export const TOXIPROXY_LOCAL = `cmsha/toxiproxy:${TOXIPROXY_VERSION}`;

export type ImageSource = 'present' | 'pulled' | 'built';

/** The tag of a Toxiproxy image already on the engine, or null. */
export async function findToxiproxyImage(docker: DockerClient): Promise<string | null> {
  if (await imageExists(docker, TOXIPROXY_OFFICIAL)) return TOXIPROXY_OFFICIAL;
  if (await imageExists(docker, TOXIPROXY_LOCAL)) return TOXIPROXY_LOCAL;
  return null;
}

/** Finds, pulls (only with CMSHA_ALLOW_PULL=1) or builds the Toxiproxy image. */
export async function ensureToxiproxyImage(
  docker: DockerClient,
  log: (line: string) => void,
): Promise<{ tag: string; source: ImageSource }> {
  const present = await findToxiproxyImage(docker);
  if (present) return { tag: present, source: 'present' };
  if (await tryPull(docker, TOXIPROXY_OFFICIAL)) return { tag: TOXIPROXY_OFFICIAL, source: 'pulled' };
  const bin = join(WORK_DIR, 'build', 'toxiproxy-bin');
  await mkdir(bin, { recursive: true });
  log(`building toxiproxy-server ${TOXIPROXY_VERSION} with go install (CGO_ENABLED=0)`);
  const built = await execa(
    'go',
    [
      'install',
      `-ldflags=-s -w -X github.com/Shopify/toxiproxy/v2.Version=${TOXIPROXY_VERSION}`,
      `github.com/Shopify/toxiproxy/v2/cmd/server@v${TOXIPROXY_VERSION}`,
    ],
    { env: { CGO_ENABLED: '0', GOBIN: bin, GOFLAGS: '-trimpath' }, reject: false, all: true },
  );
  if (built.failed) {
    const missingGo = (built as { code?: string }).code === 'ENOENT';
    throw new HarnessError(
      'SETUP_FAILED',
      missingGo
        ? `No Toxiproxy ${TOXIPROXY_VERSION} image (${TOXIPROXY_OFFICIAL} is not present and cannot be pulled), and Go is not installed to build it. ` +
            'Install Go (1.22 or newer), or load the image with `docker load`, then run the set-up again.'
        : `go install of toxiproxy ${TOXIPROXY_VERSION} failed:\n${built.all ?? ''}`,
      { details: { exitCode: built.exitCode } },
    );
  }
  const context = await mkdtemp(join(tmpdir(), 'cmsha-toxiproxy-'));
  try {
    await copyFile(join(PROJECT_ROOT, 'images', 'toxiproxy', 'Dockerfile'), join(context, 'Dockerfile'));
    await copyFile(join(bin, 'server'), join(context, 'toxiproxy-server'));
    log(`packaging ${TOXIPROXY_LOCAL} FROM scratch`);
    await buildImage(docker, context, TOXIPROXY_LOCAL);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return { tag: TOXIPROXY_LOCAL, source: 'built' };
}
