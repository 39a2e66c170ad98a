// The images a run needs, all made locally (no registry is assumed): Toxiproxy 2.12.0, the node base, the CMS HA
// stand-in, the echo stand-in and the network holder. Each is found, pulled (only if allowed), or built, in that order.

import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../core/errors.js';
import { DIST_DIR, PROJECT_ROOT } from '../core/paths.js';
import type { ImageSet } from '../core/run-context.js';
import type { DockerClient } from '../docker/client.js';
import { buildImage, contentHash, imageExists, importImage, tryPull } from '../docker/image-build.js';
import { ensureToxiproxyImage, type ImageSource } from '../toxiproxy/image.js';

export const NODE_OFFICIAL = 'node:20-slim';

export type ImageLog = (line: string) => void;
type Made = { tag: string; source: ImageSource };

/** Where the images' files are read from: the project's own by default; unit tests pass a small fixture tree. */
export interface ImageRoots {
  /** Holds images/<name>/ (each Dockerfile, its data, the holder's main.go). Default PROJECT_ROOT. */
  projectRoot: string;
  /** Holds the compiled images/ code the stand-in images carry. Default DIST_DIR. */
  distDir: string;
}

export const PROJECT_ROOTS: ImageRoots = { projectRoot: PROJECT_ROOT, distDir: DIST_DIR };

/** The stand-in base: node:20-slim if present or pullable, else a root file system made from the host's own Node. */
export async function ensureNodeBaseImage(docker: DockerClient, log: ImageLog): Promise<Made> {
  if (await imageExists(docker, NODE_OFFICIAL)) return { tag: NODE_OFFICIAL, source: 'present' };
  const nodePath = process.execPath;
  const tag = `cmsha/node-base:${process.version.slice(1)}-${await fileStamp(nodePath)}`;
  if (await imageExists(docker, tag)) return { tag, source: 'present' };
  if (await tryPull(docker, NODE_OFFICIAL)) return { tag: NODE_OFFICIAL, source: 'pulled' };
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
    const tarFile = `${rootfs}.tar`;
    await execa('tar', ['-C', rootfs, '--owner=0', '--group=0', '-cf', tarFile, '.']);
    try {
      await importImage(docker, tarFile, tag);
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
async function copyCompiled(folders: string[], context: string, roots: ImageRoots): Promise<void> {
  for (const folder of folders) {
    const from = join(roots.distDir, folder);
    if (!existsSync(from)) {
      throw new HarnessError(
        'IMAGE_BUILD_FAILED',
        `${relative(roots.projectRoot, from)} is missing: build the TypeScript first (npm run build).`,
      );
    }
    for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.js') || /\.(unit|int|browser)\.test\.js$/.test(entry.name)) continue;
      const source = join(entry.parentPath, entry.name);
      const target = join(context, relative(roots.distDir, source));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
    }
  }
}

/**
 * Copies a folder of images/ as it is in git, source code aside: its Dockerfile to the context's root, every other
 * file (a data folder kept by a .gitkeep) to the same path it has in the project, where the Dockerfile COPYs it from.
 */
async function copySourceFiles(folder: string, context: string, roots: ImageRoots): Promise<void> {
  const from = join(roots.projectRoot, 'images', folder);
  await copyFile(join(from, 'Dockerfile'), join(context, 'Dockerfile'));
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'Dockerfile' || /\.(ts|go)$/.test(entry.name)) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(context, relative(roots.projectRoot, source));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
  }
}

/** A candidate stand-in image's build arguments: the version it reports, the defects planted in it. */
export interface StandinBuildArgs {
  CMSHA_VERSION?: string;
  CMSHA_PLANT?: string;
}

/**
 * Builds a stand-in image from images/<name>/ and the compiled code; tagged by the hash of what went in (build
 * arguments included), or `tag` when given (a candidate image, always built again).
 */
export async function ensureStandinImage(
  docker: DockerClient,
  name: 'standin' | 'echo',
  base: string,
  log: ImageLog,
  roots: ImageRoots = PROJECT_ROOTS,
  candidate: { args?: StandinBuildArgs; tag?: string } = {},
): Promise<Made> {
  const context = await mkdtemp(join(tmpdir(), `cmsha-${name}-`));
  try {
    await copySourceFiles(name, context, roots);
    await writeFile(join(context, 'package.json'), '{ "type": "module" }\n');
    await copyCompiled([join('images', 'protocol'), join('images', name)], context, roots);
    const args = Object.entries(candidate.args ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
    const tag = candidate.tag ?? `cmsha/${name}:${await contentHash(context, [base, ...args.map(([k, v]) => `${k}=${v}`)])}`;
    if (candidate.tag === undefined && (await imageExists(docker, tag))) return { tag, source: 'present' };
    log(`building ${tag} FROM ${base}${args.map(([k, v]) => ` ${k}=${v}`).join('')}`);
    await buildImage(docker, context, tag, { BASE: base, ...Object.fromEntries(args) });
    return { tag, source: 'built' };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The network holder (images/holder): a static Go program, built with `go build` and packaged FROM scratch. */
export async function ensureHolderImage(docker: DockerClient, log: ImageLog, roots: ImageRoots = PROJECT_ROOTS): Promise<Made> {
  const context = await mkdtemp(join(tmpdir(), 'cmsha-holder-'));
  try {
    await copySourceFiles('holder', context, roots);
    const source = join(roots.projectRoot, 'images', 'holder', 'main.go');
    const tag = await holderTag(context, await readFile(source, 'utf8'));
    if (await imageExists(docker, tag)) return { tag, source: 'present' };
    log(`building ${tag} (go build, CGO_ENABLED=0) FROM scratch`);
    const built = await execa('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', join(context, 'holder'), source], {
      env: { CGO_ENABLED: '0' },
      cwd: context,
      reject: false,
      all: true,
    });
    if (built.failed) {
      const missingGo = (built as { code?: string }).code === 'ENOENT';
      throw new HarnessError(
        'SETUP_FAILED',
        missingGo
          ? `Go is not installed, and the network-holder image ${tag} must be built with it. Install Go (1.22 or newer), or load the image with \`docker load\`.`
          : `go build of the network holder failed:\n${built.all ?? ''}`,
      );
    }
    await buildImage(docker, context, tag);
    return { tag, source: 'built' };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The holder's tag: a hash of its build context and of main.go, which is compiled into the image rather than copied. */
export async function holderTag(contextDir: string, mainGo: string): Promise<string> {
  return `cmsha/holder:${await contentHash(contextDir, [mainGo])}`;
}

export interface ImagesReport {
  images: ImageSet;
  sources: Record<keyof ImageSet, ImageSource>;
}

/** Finds or makes every image a run needs, in order (the stand-ins need the node base). */
export async function ensureImages(
  docker: DockerClient,
  log: ImageLog = () => undefined,
  roots: ImageRoots = PROJECT_ROOTS,
): Promise<ImagesReport> {
  const toxiproxy = await ensureToxiproxyImage(docker, log);
  const base = await ensureNodeBaseImage(docker, log);
  const standin = await ensureStandinImage(docker, 'standin', base.tag, log, roots);
  const echo = await ensureStandinImage(docker, 'echo', base.tag, log, roots);
  const holder = await ensureHolderImage(docker, log, roots);
  return {
    images: { toxiproxy: toxiproxy.tag, standin: standin.tag, echo: echo.tag, holder: holder.tag },
    sources: { toxiproxy: toxiproxy.source, standin: standin.source, echo: echo.source, holder: holder.source },
  };
}
