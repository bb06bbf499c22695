import { describe, expect, it } from 'vitest';
import { CliError, helpText, parseArgs } from '../../../src/cli/args';

describe('CLI arguments', () => {
  it('reads --query and parameter flags, flags last', () => {
    const o = parseArgs(['--query', '?width=32&depth=10', '--depth=20', '--json', '--backend', 'auto', '--workers', '0']);
    expect(o.entries).toEqual([
      ['width', '32'],
      ['depth', '10'],
      ['depth', '20'],
    ]);
    expect(o.json).toBe(true);
    expect(o.backend).toBe('auto');
    expect(o.workers).toBe(0);
  });
  it.each([
    [['--nope'], /unknown flag --nope/],
    [['--width'], /needs a value/],
    [['--backend', 'tpu'], /cpu, gpu or auto/],
    [['--json=1'], /takes no value/],
    [['width=3'], /unexpected argument/],
    [['--workers', '-1'], /integer/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(CliError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
  it('documents every parameter flag', () => {
    const text = helpText();
    for (const key of ['width', 'k', 'depth', 'sw2', 'sb2', 'act', 'arch', 'alpha', 'ascale', 'weights', 'p', 'q0', 'samples', 'seed', 'transient'])
      expect(text).toContain(`--${key}`);
  });
});

describe('--no-singular-values', () => {
  it('turns the graded product off', () => {
    expect(parseArgs([]).singularValues).toBe(true);
    expect(parseArgs(['--no-singular-values']).singularValues).toBe(false);
  });
});
