// The shared options of `cmsha`: one declaration each, the same parser and default wherever a command takes them.

import { expect } from 'chai';
import { Command } from 'commander';
import { isHarnessError } from '../core/errors.js';
import { buildProgram } from './main.js';
import { comparisonOf, outOption, parallelOption, parallelValue, seedOf, seedOption } from './options.js';

const program = () =>
  buildProgram(
    () => {
      throw new Error('no engine in this test');
    },
    { exitCode: 0 },
  );

describe('the shared options of cmsha', () => {
  it('takes --parallel as a whole number ≥ 1 or auto, by default auto', () => {
    expect(parallelValue('auto')).to.equal('auto');
    expect(parallelValue('3')).to.equal(3);
    expect(() => parallelValue('0')).to.throw('--parallel must be a whole number ≥ 1, got "0".');
    const parsed = new Command().exitOverride().addOption(parallelOption()).parse(['--parallel', '2'], { from: 'user' });
    expect(parsed.opts()['parallel']).to.equal(2);
    expect(new Command().addOption(parallelOption()).parse([], { from: 'user' }).opts()['parallel']).to.equal('auto');
  });

  it('falls back for --seed on CMSHA_SEED, a fixed seed or none, and checks the seed it reads', () => {
    const saved = process.env['CMSHA_SEED'];
    process.env['CMSHA_SEED'] = '99';
    try {
      expect(seedOption('s', 'CMSHA_SEED').defaultValue).to.equal('99');
      expect(seedOption('s', '1').defaultValue).to.equal('1');
      expect(seedOption('s', null).defaultValue).to.equal(undefined);
    } finally {
      if (saved === undefined) delete process.env['CMSHA_SEED'];
      else process.env['CMSHA_SEED'] = saved;
    }
    expect(seedOf(undefined)).to.equal(null);
    expect(seedOf('42')).to.equal(42);
    expect(() => seedOf('x'))
      .to.throw()
      .that.satisfies(isHarnessError);
  });

  it('checks --alpha and --margin-ms, naming the option', () => {
    expect(comparisonOf({ alpha: '0.01', marginMs: '120' })).to.deep.equal({ alpha: 0.01, marginMs: 120 });
    expect(comparisonOf({})).to.deep.equal({ alpha: 0.05 });
    expect(() => comparisonOf({ alpha: '2' })).to.throw('--alpha "2" is invalid');
    expect(() => comparisonOf({ marginMs: '-1' })).to.throw('--margin-ms "-1" is invalid');
  });

  it('gives every command that takes a shared option the same flags, parser and default (the wording is its own)', () => {
    const shared = ['--time-scale', '--parallel', '--seed', '--config', '--repeat', '--margin-ms', '--alpha'];
    for (const flag of shared) {
      const declared = program()
        .commands.flatMap((c) => c.options.filter((o) => o.long === flag))
        .map((o) => ({ flags: o.flags, parses: o.parseArg !== undefined }));
      expect(declared.length, flag).to.be.above(1);
      expect(new Set(declared.map((d) => JSON.stringify(d))).size, flag).to.equal(1);
    }
    expect(outOption().defaultValue).to.equal('reports');
  });
});
