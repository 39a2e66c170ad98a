// The images a topology runs, all made locally (no registry is assumed): Toxiproxy 2.12.0, the node base
// image, the CMS HA stand-in and the echo stand-in. Each is found, pulled, or built, in that order.

import { copyFile, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { docker } from '../docker/client.js';
import { buildImage, contentHash, imageExists } from '../docker/image-build.js';
import { HarnessError } from '../core/errors.js';
import { DIST_DIR, PROJECT_ROOT, WORK_DIR } from '../core/paths.js';

export const TOXIPROXY_VERSION = '2.12.0';
export const TOXIPROXY_OFFICIAL = `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION}`;
export const TOXIPROXY_LOCAL = `cmsha/toxiproxy:${TOXIPROXY_VERSION}`;
export const NODE_OFFICIAL = 'node:20-slim';

export interface ImageSet {
  toxiproxy: string;
  nodeBase: string;
  standin: string;
  echo: string;
}

/** How each image was obtained, for the doctor. */
export type ImageSource = 'present' | 'pulled' | 'built';
export type ImageLog = (line: string) => void;

/**
 * Tries to pull an image, giving up after `deadlineMs`. Off unless CMSHA_ALLOW_PULL=1: the machines this
 * runs on usually have no registry, and the harness must not send traffic anywhere it was not told to.
 */
async function tryPull(tag: string, deadlineMs = 15_000): Promise<boolean> {
  if (process.env['CMSHA_ALLOW_PULL'] !== '1') return false;
  const client = docker();
  let timer: NodeJS.Timeout | undefined;
  try {
    const pulled = new Promise<boolean>((resolve) => {
      client.pull(tag, (error: Error | null, stream: NodeJS.ReadableStream) => {
        if (error) return resolve(false);
        client.modem.followProgress(stream, (err: Error | null) => resolve(!err));
      });
    });
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    return (await Promise.race([pulled, gaveUp])) && (await imageExists(tag));
  } finally {
    clearTimeout(timer);
  }
}

/** Toxiproxy: the official image if present or pullable, else the server built with Go and packaged FROM scratch. */
export async function ensureToxiproxyImage(log: ImageLog): Promise<{ tag: string; source: ImageSource }> {
  if (await imageExists(TOXIPROXY_OFFICIAL)) return { tag: TOXIPROXY_OFFICIAL, source: 'present' };
  if (await imageExists(TOXIPROXY_LOCAL)) return { tag: TOXIPROXY_LOCAL, source: 'present' };
  if (await tryPull(TOXIPROXY_OFFICIAL)) return { tag: TOXIPROXY_OFFICIAL, source: 'pulled' };
  const goFound = await execa('go', ['version'], { reject: false });
  if (goFound.failed) {
    throw new HarnessError(
      'SETUP_FAILED',
      `No Toxiproxy ${TOXIPROXY_VERSION} image (${TOXIPROXY_OFFICIAL} is not present and cannot be pulled), and Go is not installed to build it. ` +
        `Install Go (1.22 or newer), or load the image with \`docker load\`, then run the set-up again.`,
    );
  }
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
    {
      env: { CGO_ENABLED: '0', GOBIN: bin, GOFLAGS: '-trimpath' },
      reject: false,
      all: true,
    },
  );
  if (built.failed) {
    throw new HarnessError('SETUP_FAILED', `go install of toxiproxy ${TOXIPROXY_VERSION} failed:\n${built.all ?? ''}`, {
      details: { exitCode: built.exitCode },
    });
  }
  const context = await mkdtemp(join(tmpdir(), 'cmsha-toxiproxy-'));
  try {
    await copyFile(join(PROJECT_ROOT, 'images', 'toxiproxy', 'Dockerfile'), join(context, 'Dockerfile'));
    await copyFile(join(bin, 'server'), join(context, 'toxiproxy-server'));
    log(`packaging ${TOXIPROXY_LOCAL} FROM scratch`);
    await buildImage(context, TOXIPROXY_LOCAL);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return { tag: TOXIPROXY_LOCAL, source: 'built' };
}

/** The stand-in base: node:20-slim if present or pullable, else a root file system made from the host's own Node. */
export async function ensureNodeBaseImage(log: ImageLog): Promise<{ tag: string; source: ImageSource }> {
  if (await imageExists(NODE_OFFICIAL)) return { tag: NODE_OFFICIAL, source: 'present' };
  const nodePath = process.execPath;
  const tag = `cmsha/node-base:${process.version.slice(1)}-${await fileStamp(nodePath)}`;
  if (await imageExists(tag)) return { tag, source: 'present' };
  if (await tryPull(NODE_OFFICIAL)) return { tag: NODE_OFFICIAL, source: 'pulled' };
  log(`making ${tag} from the host's Node runtime (${nodePath} and the libraries ldd lists)`);
  const rootfs = await mkdtemp(join(tmpdir(), 'cmsha-rootfs-'));
  try {
    const ldd = await execa('ldd', [nodePath]);
    const libraries = [...ldd.stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]!);
    for (const file of [nodePath, ...libraries]) {
      const target = join(rootfs, file === nodePath ? '/usr/bin/node' : file);
      await mkdir(dirname(target), { recursive: true });
      await cp(file, target, { dereference: true });
    }
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await mkdir(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
    await writeFile(
      join(rootfs, 'etc', 'passwd'),
      'root:x:0:0::/:/nonexistent\nstandin:x:10001:10001::/:/nonexistent\nnobody:x:65534:65534::/:/nonexistent\n',
    );
    await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\nstandin:x:10001:\nnogroup:x:65534:\n');
    const [repo, version] = tag.split(':') as [string, string];
    const tarFile = `${rootfs}.tar`;
    await execa('tar', ['-C', rootfs, '--owner=0', '--group=0', '-cf', tarFile, '.']);
    try {
      const stream = await docker().importImage(tarFile, { repo, tag: version });
      await new Promise<void>((resolve, reject) =>
        docker().modem.followProgress(stream, (error: Error | null, out: Array<{ error?: string }>) => {
          const failed = error?.message ?? out.find((o) => o.error)?.error;
          if (failed) reject(new HarnessError('IMAGE_BUILD_FAILED', `docker import of ${tag} failed: ${failed}`));
          else resolve();
        }),
      );
    } finally {
      await rm(tarFile, { force: true });
    }
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return { tag, source: 'built' };
}

/** Size and modification time of a file: enough to tell that the host's node binary changed. */
async function fileStamp(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size.toString(36)}${Math.floor(info.mtimeMs).toString(36)}`.slice(0, 12);
}

/** Copies the compiled JavaScript of `folders` (relative to dist/) into a context folder, leaving tests and maps out. */
async function copyCompiled(folders: string[], context: string): Promise<void> {
  for (const folder of folders) {
    const from = join(DIST_DIR, folder);
    if (!existsSync(from)) {
      throw new HarnessError(
        'IMAGE_BUILD_FAILED',
        `${relative(PROJECT_ROOT, from)} is missing: build the TypeScript first (npm run build).`,
      );
    }
    for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.js') || /\.(unit|int|browser)\.test\.js$/.test(entry.name)) continue;
      const source = join(entry.parentPath, entry.name);
      const target = join(context, relative(DIST_DIR, source));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
    }
  }
}

/** Builds a stand-in image from images/<name>/Dockerfile and the compiled code; tagged by content hash. */
export async function ensureStandinImage(
  name: 'standin' | 'echo',
  base: string,
  log: ImageLog,
): Promise<{ tag: string; source: ImageSource }> {
  const context = await mkdtemp(join(tmpdir(), `cmsha-${name}-`));
  try {
    await copyFile(join(PROJECT_ROOT, 'images', name, 'Dockerfile'), join(context, 'Dockerfile'));
    await writeFile(join(context, 'package.json'), '{ "type": "module" }\n');
    await copyCompiled([join('images', 'protocol'), join('images', name)], context);
    const tag = `cmsha/${name}:${await contentHash(context, [base])}`;
    if (await imageExists(tag)) return { tag, source: 'present' };
    log(`building ${tag} FROM ${base}`);
    await buildImage(context, tag, { BASE: base });
    return { tag, source: 'built' };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export interface ImagesReport {
  images: ImageSet;
  sources: Record<keyof ImageSet, ImageSource>;
}

type Made = { tag: string; source: ImageSource };
const made = new Map<keyof ImageSet, Promise<Made>>();

/** Finds or makes one image, once per process (a failure is not remembered, so a retry tries again). */
function ensureOne(name: keyof ImageSet, log: ImageLog): Promise<Made> {
  let pending = made.get(name);
  if (!pending) {
    pending =
      name === 'toxiproxy'
        ? ensureToxiproxyImage(log)
        : name === 'nodeBase'
          ? ensureNodeBaseImage(log)
          : ensureOne('nodeBase', log).then((base) => ensureStandinImage(name, base.tag, log));
    made.set(name, pending);
    pending.catch(() => made.delete(name));
  }
  return pending;
}

/** Finds or makes every image (the set-up does this once). */
export async function ensureImagesReport(log: ImageLog = () => undefined): Promise<ImagesReport> {
  const names = ['toxiproxy', 'nodeBase', 'standin', 'echo'] as const;
  const results: Made[] = [];
  for (const name of names) results.push(await ensureOne(name, log));
  const pick = <K extends 'tag' | 'source'>(key: K) =>
    Object.fromEntries(names.map((name, i) => [name, results[i]![key]])) as Record<keyof ImageSet, Made[K]>;
  return { images: pick('tag') as ImageSet, sources: pick('source') };
}

/** The images a topology needs: Toxiproxy and the node images it runs; the others are left unbuilt. */
export async function ensureImages(needs: ReadonlyArray<'standin' | 'echo'> = ['standin', 'echo']): Promise<ImageSet> {
  const toxiproxy = await ensureOne('toxiproxy', () => undefined);
  const nodeBase = await ensureOne('nodeBase', () => undefined);
  const tagOf = async (name: 'standin' | 'echo') =>
    needs.includes(name) ? (await ensureOne(name, () => undefined)).tag : `not-built/${name}`;
  return { toxiproxy: toxiproxy.tag, nodeBase: nodeBase.tag, standin: await tagOf('standin'), echo: await tagOf('echo') };
}
