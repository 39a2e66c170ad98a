// The command line on bad input: a clear message naming what is wrong, a non-zero exit, nothing started.

import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'chai';
import { docker } from '../docker/client.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(process.argv.slice(1));`,
      '--',
      ...args,
    ],
    {
      env,
      reject: false,
      all: true,
    },
  );

describe('command line: bad input', function () {
  this.timeout(60_000);

  it('fails clearly, exit 1, when DOCKER_HOST points at an engine that does not answer, and starts nothing', async () => {
    const before = (await docker().listContainers({ all: true, filters: { label: ['cmsha.run'] } })).length;
    const result = await cli(['setup'], { DOCKER_HOST: 'tcp://127.0.0.1:9' });
    expect(result.exitCode).to.equal(1);
    expect(result.all).to.contain('tcp://127.0.0.1:9').and.contain('does not answer').and.contain('DOCKER_HOST');
    expect((await docker().listContainers({ all: true, filters: { label: ['cmsha.run'] } })).length).to.equal(before);
  });

  it('rejects an unknown command and a bad time scale with exit 2, naming them', async () => {
    const unknown = await cli(['fly']);
    expect(unknown.exitCode).to.equal(2);
    expect(unknown.all).to.contain('Unknown command "fly"').and.contain('usage:');
    const scale = await cli(['run', '--scale', '-1']);
    expect(scale.exitCode).to.equal(2);
    expect(scale.all).to.contain('--scale: time scale "-1" is invalid');
  });
});
