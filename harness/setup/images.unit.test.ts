// Unit tests of the set-up's images against a fake engine and a small fixture project: an image on the engine is never
// built again, a missing one is built from its Dockerfile and compiled code, and tags follow the content.

import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isHarnessError } from '../core/errors.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { TOXIPROXY_LOCAL, TOXIPROXY_OFFICIAL } from '../toxiproxy/image.js';
import { ensureImages, ensureStandinImage, holderTag, NODE_OFFICIAL, type ImageRoots } from './images.js';

/** A project as the set-up reads it: images/<name>/ sources and their compiled code under dist/. */
const FIXTURE: Record<string, string> = {
  'project/images/standin/Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY . /app\n',
  'project/images/standin/main.ts': 'source, not copied',
  'project/images/standin/data-dir/.gitkeep': '',
  'project/images/echo/Dockerfile': 'ARG BASE\nFROM ${BASE}\n',
  'project/images/holder/Dockerfile': 'FROM scratch\nCOPY holder /holder\n',
  'project/images/holder/main.go': 'package main\n\nfunc main() {}\n',
  'dist/images/protocol/index.js': 'export const NODE_NAMES = [];\n',
  'dist/images/standin/main.js': 'console.log("standin");\n',
  'dist/images/standin/main.js.map': '{}',
  'dist/images/standin/wire.unit.test.js': 'describe();\n',
  'dist/images/echo/main.js': 'console.log("echo");\n',
};

describe('ensureImages', () => {
  let root: string;
  let roots: ImageRoots;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cmsha-images-'));
    for (const [path, text] of Object.entries(FIXTURE)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    roots = { projectRoot: join(root, 'project'), distDir: join(root, 'dist') };
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds no image that is already on the engine', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = () => true;
    const report = await ensureImages(fake.client, () => undefined, roots);
    expect(fake.built).to.deep.equal([]);
    expect(report.sources).to.deep.equal({ toxiproxy: 'present', standin: 'present', echo: 'present', holder: 'present' });
    expect(report.images.toxiproxy).to.equal(TOXIPROXY_OFFICIAL);
    expect(report.images.holder).to.match(/^cmsha\/holder:[0-9a-f]{12}$/);
  });

  it('builds only the images that are missing, on the node base, and reports them as built', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = (tag) => !tag.startsWith('cmsha/standin:') && !tag.startsWith('cmsha/echo:');
    const lines: string[] = [];
    const report = await ensureImages(fake.client, (line) => lines.push(line), roots);
    expect(fake.built.map((b) => b.tag)).to.deep.equal([report.images.standin, report.images.echo]);
    expect(fake.built.map((b) => b.buildargs)).to.deep.equal([{ BASE: NODE_OFFICIAL }, { BASE: NODE_OFFICIAL }]);
    expect(report.sources).to.deep.equal({ toxiproxy: 'present', standin: 'built', echo: 'built', holder: 'present' });
    expect(lines).to.deep.equal([
      `building ${report.images.standin} FROM ${NODE_OFFICIAL}`,
      `building ${report.images.echo} FROM ${NODE_OFFICIAL}`,
    ]);
  });

  it('builds a stand-in from its Dockerfile, its data and the compiled code, leaving sources, maps and tests out', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = (tag) => !tag.startsWith('cmsha/standin:');
    await ensureImages(fake.client, () => undefined, roots);
    expect(fake.built[0]?.files).to.deep.equal(
      ['Dockerfile', 'images/protocol/index.js', 'images/standin/data-dir/.gitkeep', 'images/standin/main.js', 'package.json'].map((p) =>
        join(...p.split('/')),
      ),
    );
  });

  it('uses the locally built Toxiproxy image when the official one is absent', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = (tag) => tag !== TOXIPROXY_OFFICIAL;
    const report = await ensureImages(fake.client, () => undefined, roots);
    expect(report.images.toxiproxy).to.equal(TOXIPROXY_LOCAL);
    expect(report.sources.toxiproxy).to.equal('present');
  });

  it('tags a stand-in by what goes into it: the same files give the same tag, another base another tag', async () => {
    const fake = new FakeDocker();
    const first = await ensureStandinImage(fake.client, 'standin', NODE_OFFICIAL, () => undefined, roots);
    const again = await ensureStandinImage(fake.client, 'standin', NODE_OFFICIAL, () => undefined, roots);
    const otherBase = await ensureStandinImage(fake.client, 'standin', 'cmsha/node-base:20', () => undefined, roots);
    await writeFile(join(root, 'dist/images/standin/main.js'), 'console.log("changed");\n');
    const changed = await ensureStandinImage(fake.client, 'standin', NODE_OFFICIAL, () => undefined, roots);
    expect(again.tag).to.equal(first.tag);
    expect(otherBase.tag).not.to.equal(first.tag);
    expect(changed.tag).not.to.equal(first.tag);
  });

  it('rejects with IMAGE_BUILD_FAILED, saying to build first, when the compiled code is missing', async () => {
    const fake = new FakeDocker();
    await rm(join(root, 'dist'), { recursive: true });
    let error: unknown;
    await ensureStandinImage(fake.client, 'echo', NODE_OFFICIAL, () => undefined, roots).catch((e: unknown) => (error = e));
    expect(isHarnessError(error, 'IMAGE_BUILD_FAILED')).to.equal(true);
    expect((error as Error).message).to.contain('npm run build');
    expect(fake.built).to.deep.equal([]);
  });
});

describe('holderTag', () => {
  let context: string;

  beforeEach(async () => {
    context = await mkdtemp(join(tmpdir(), 'cmsha-holder-tag-'));
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
  });

  afterEach(async () => {
    await rm(context, { recursive: true, force: true });
  });

  it('is a content hash under cmsha/holder', async () => {
    expect(await holderTag(context, 'package main')).to.match(/^cmsha\/holder:[0-9a-f]{12}$/);
  });

  it('stays the same while neither main.go nor the context changes', async () => {
    expect(await holderTag(context, 'package main')).to.equal(await holderTag(context, 'package main'));
  });

  it('changes when main.go changes', async () => {
    expect(await holderTag(context, 'package main\n// v2')).not.to.equal(await holderTag(context, 'package main'));
  });

  it('changes when the Dockerfile changes', async () => {
    const before = await holderTag(context, 'package main');
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nUSER 65534\n');
    expect(await holderTag(context, 'package main')).not.to.equal(before);
  });
});
