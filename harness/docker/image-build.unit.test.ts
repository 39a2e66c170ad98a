// Unit tests of image look-ups and builds against a fake engine: presence, the content hash that tags an image,
// a build's context and errors, and pulls staying off unless allowed.

import { expect } from 'chai';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHarnessError } from '../core/errors.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { buildImage, contentHash, imageExists, tryPull } from './image-build.js';

describe('image-build', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmsha-image-build-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'file.txt'), 'one');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells whether the engine has an image', async () => {
    const fake = new FakeDocker();
    fake.imagePresent = (tag) => tag === 'present:1';
    expect(await imageExists(fake.client, 'present:1')).to.equal(true);
    expect(await imageExists(fake.client, 'absent:1')).to.equal(false);
  });

  it('hashes the same folder to the same 12-character tag', async () => {
    const first = await contentHash(dir);
    expect(first).to.match(/^[0-9a-f]{12}$/);
    expect(await contentHash(dir)).to.equal(first);
  });

  it('changes the hash when a file’s content changes', async () => {
    const before = await contentHash(dir);
    await writeFile(join(dir, 'data', 'file.txt'), 'two');
    expect(await contentHash(dir)).not.to.equal(before);
  });

  it('changes the hash when a file is renamed, the content unchanged', async () => {
    const before = await contentHash(dir);
    await rm(join(dir, 'data', 'file.txt'));
    await writeFile(join(dir, 'data', 'renamed.txt'), 'one');
    expect(await contentHash(dir)).not.to.equal(before);
  });

  it('changes the hash with the extra strings (a base image, a source outside the context)', async () => {
    expect(await contentHash(dir, ['node:20-slim'])).not.to.equal(await contentHash(dir, ['cmsha/node-base:20']));
  });

  it('sends the whole context folder and the tag to the engine', async () => {
    const fake = new FakeDocker();
    await buildImage(fake.client, dir, 'cmsha/test:1', { BASE: 'node:20-slim' });
    expect(fake.built).to.deep.equal([
      { tag: 'cmsha/test:1', files: ['Dockerfile', join('data', 'file.txt')], buildargs: { BASE: 'node:20-slim' } },
    ]);
  });

  it('rejects a context without a Dockerfile with IMAGE_BUILD_FAILED, building nothing', async () => {
    const fake = new FakeDocker();
    await rm(join(dir, 'Dockerfile'));
    let error: unknown;
    await buildImage(fake.client, dir, 'cmsha/test:1').catch((e: unknown) => (error = e));
    expect(isHarnessError(error, 'IMAGE_BUILD_FAILED')).to.equal(true);
    expect((error as Error).message).to.contain('No Dockerfile');
    expect(fake.built).to.deep.equal([]);
  });

  it('does not pull unless CMSHA_ALLOW_PULL=1', async () => {
    const saved = process.env['CMSHA_ALLOW_PULL'];
    delete process.env['CMSHA_ALLOW_PULL'];
    const fake = new FakeDocker();
    try {
      expect(await tryPull(fake.client, 'node:20-slim')).to.equal(false);
      expect(fake.pulls).to.deep.equal([]);
    } finally {
      if (saved !== undefined) process.env['CMSHA_ALLOW_PULL'] = saved;
    }
  });

  it('gives up a pull at its deadline, ending it, when the registry never answers', async () => {
    const saved = process.env['CMSHA_ALLOW_PULL'];
    process.env['CMSHA_ALLOW_PULL'] = '1';
    const fake = new FakeDocker();
    let signal: AbortSignal | undefined;
    fake.pull = (_tag, options) => {
      signal = options?.abortSignal;
      return new Promise(() => undefined);
    };
    try {
      expect(await tryPull(fake.client, 'node:20-slim', 100)).to.equal(false);
      expect(signal?.aborted).to.equal(true);
    } finally {
      if (saved === undefined) delete process.env['CMSHA_ALLOW_PULL'];
      else process.env['CMSHA_ALLOW_PULL'] = saved;
    }
  });
});
