// The one idempotent set-up both README commands run first: a Docker engine that answers, the images, a sweep of
// what killed runs left, and (for the tests) Chromium. It writes what it found for the report.

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { PLANT_NAMES } from '../../images/protocol/index.js';
import { HarnessError } from '../core/errors.js';
import type { Environment } from '../core/model.js';
import { ENVIRONMENT_FILE } from '../core/paths.js';
import { engineAddress, pingEngine, type DockerClient } from '../docker/client.js';
import { imageSize } from '../docker/image-build.js';
import { LABEL_RUN } from '../docker/labels.js';
import { sweepOrphans } from '../docker/sweep.js';
import { findToxiproxyImage, TOXIPROXY_LOCAL, TOXIPROXY_OFFICIAL, TOXIPROXY_VERSION } from '../toxiproxy/image.js';
import { aptInstall, canInstallPackages, ensureEngine, type EngineReport } from './engine.js';
import { ensureImages, ensureNodeBaseImage, ensureStandinImage, type ImagesReport } from './images.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface SetupOptions {
  /** Also make sure Chromium is installed (the report's browser test needs it). Default false. */
  forTests?: boolean;
  log?: (line: string) => void;
}

export interface SetupReport {
  engine: EngineReport;
  images: ImagesReport;
  swept: string[];
  chromium: string | null;
  durationMs: number;
  environment: Environment;
}

async function ensureChromium(log: (line: string) => void): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (!canInstallPackages()) {
    throw new HarnessError(
      'SETUP_FAILED',
      `Chromium is missing at ${CHROMIUM_PATH} (the report's browser test needs it). Install Debian's chromium package.`,
    );
  }
  await aptInstall(['chromium'], log);
  return CHROMIUM_PATH;
}

export async function runSetup(docker: DockerClient, options: SetupOptions = {}): Promise<SetupReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`cms-ha-chaos setup: ${line}\n`));
  const started = performance.now();
  const engine = await ensureEngine(docker, log);
  const swept = await sweepOrphans(docker, log);
  if (swept.length > 0) log(`swept ${swept.length} topology(ies) left by dead runs: ${swept.join(', ')}`);
  const images = await ensureImages(docker, log);
  const chromium = options.forTests ? await ensureChromium(log) : existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : null;
  const environment: Environment = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    dockerVersion: engine.version,
    toxiproxyVersion: TOXIPROXY_VERSION,
    images: await Promise.all(
      Object.entries(images.images).map(async ([name, tag]) => {
        const info = await imageSize(docker, tag);
        return { name, tag, id: info?.id ?? null, sizeBytes: info?.sizeBytes ?? null };
      }),
    ),
  };
  await mkdir(dirname(ENVIRONMENT_FILE), { recursive: true });
  await writeFile(ENVIRONMENT_FILE, `${JSON.stringify(environment, null, 2)}\n`);
  return { engine, images, swept, chromium, durationMs: performance.now() - started, environment };
}

/** A candidate stand-in image: the version it reports, the defects planted in it, the tag it gets. */
export interface CandidateImage {
  version?: string;
  plants?: string[];
  tag?: string;
}

/** The problems of a candidate image's settings, before anything is built. */
export function candidateImageProblems(c: CandidateImage): string[] {
  const problems: string[] = [];
  if (c.version !== undefined && !/^\d+(\.\d+)*$/.test(c.version))
    problems.push(`--version "${c.version}" is not a version: give dot-separated numbers, e.g. 16.5.0`);
  for (const plant of (c.plants ?? []).filter((p) => !(PLANT_NAMES as string[]).includes(p)))
    problems.push(`--plant "${plant}" is not a plant: give one of ${PLANT_NAMES.join(', ')}`);
  if (c.tag !== undefined && !/^[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127})?$/.test(c.tag))
    problems.push(`--tag "${c.tag}" is not an image tag: give name[:tag] in lower case, e.g. cmsha/standin:candidate`);
  return problems;
}

/**
 * Builds a candidate stand-in image from this checkout on the engine, after the set-up (engine, base image): what a
 * candidate site file then names in `images.cms` (or `images.nodes`). Returns its tag.
 */
export async function buildCandidateImage(docker: DockerClient, candidate: CandidateImage, log: (line: string) => void): Promise<string> {
  const problems = candidateImageProblems(candidate);
  if (problems.length > 0) throw new HarnessError('BAD_INPUT', problems.join('\n'));
  await runSetup(docker, { log });
  const base = await ensureNodeBaseImage(docker, log);
  const args = {
    ...(candidate.version ? { CMSHA_VERSION: candidate.version } : {}),
    ...(candidate.plants && candidate.plants.length > 0 ? { CMSHA_PLANT: candidate.plants.join(',') } : {}),
  };
  const made = await ensureStandinImage(docker, 'standin', base.tag, log, undefined, {
    args,
    ...(candidate.tag ? { tag: candidate.tag } : {}),
  });
  return made.tag;
}

/** What is there and what is missing, without installing or starting anything. */
export async function doctor(docker: DockerClient): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  const check = (good: boolean, text: string) => {
    lines.push(`${good ? 'ok     ' : 'MISSING'} ${text}`);
    if (!good) ok = false;
  };
  check(true, `node ${process.version}`);
  let engineUp = false;
  try {
    check(true, `docker engine ${await pingEngine(docker)} at ${engineAddress(docker)}`);
    engineUp = true;
  } catch (error) {
    const dockerd = await execa('sh', ['-c', 'command -v dockerd'], { reject: false });
    check(
      false,
      `docker engine at ${engineAddress(docker)}: ${(error as Error).message.split('\n')[0]} (dockerd ${dockerd.exitCode === 0 ? 'installed, not running' : 'not installed'}; \`npm run setup\` starts it)`,
    );
  }
  const go = await execa('go', ['version'], { reject: false });
  lines.push(
    `${go.exitCode === 0 ? 'ok     ' : 'absent '} ${go.exitCode === 0 ? go.stdout : 'go (needed to build Toxiproxy when its image is absent, and the network holder)'}`,
  );
  check(existsSync(CHROMIUM_PATH), `chromium at ${CHROMIUM_PATH} (for the report's browser test; \`npm test\` installs it)`);
  if (engineUp) {
    const toxiproxy = await findToxiproxyImage(docker);
    check(toxiproxy !== null, `toxiproxy image ${toxiproxy ?? `${TOXIPROXY_OFFICIAL} or ${TOXIPROXY_LOCAL} (set-up builds it)`}`);
    const ours = await docker.listImages({ filters: { reference: ['cmsha/*'] } });
    for (const image of ours) lines.push(`made    ${(image.RepoTags ?? []).join(', ')} (${(image.Size / 1e6).toFixed(1)} MB)`);
    const leftovers = await docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
    lines.push(`${leftovers.length === 0 ? 'ok     ' : 'note   '} ${leftovers.length} container(s) labelled ${LABEL_RUN} on the engine`);
  }
  if (existsSync(ENVIRONMENT_FILE)) lines.push(`note    last set-up facts: ${ENVIRONMENT_FILE}`);
  return { lines, ok };
}
