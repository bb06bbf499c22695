/** The CLI as users run it: bundled, worker_threads, JSON on stdout, exit code 2 on bad flags. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[]) {
  return spawnSync(process.execPath, ['scripts/cli.mjs', 'main', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('spectrum CLI', () => {
  it('prints the reference-protocol JSON, using worker threads', () => {
    const r = cli(['--query', 'width=16&depth=40&act=relu&sw2=2&samples=6&seed=3&bogus=1', '--json', '--per-sample', '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.backend).toMatch(/2 worker threads/);
    expect(out.params.width).toBe(16);
    expect(out.corrections.map((c: { key: string }) => c.key)).toContain('bogus');
    expect(out.exponents.mean).toHaveLength(16);
    expect(out.exponents.count[0]).toBe(6);
    expect(out.logSingularValues.mean).toHaveLength(16);
    expect(out.quantiles.p).toHaveLength(15);
    expect(Object.values(out.rankHistogram as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(6);
    expect(out.perSample).toHaveLength(6);
    expect(out.protocol).toMatch(/Haar/);
    expect(out.layers).toBe(40);
    expect(out.samples).toBe(6);
  });

  it('gives the same numbers with threads and in-process (same seed)', () => {
    const q = ['--query', 'width=6&depth=20&samples=4&seed=77', '--json'];
    const a = JSON.parse(cli([...q, '--workers', '2']).stdout);
    const b = JSON.parse(cli([...q, '--workers', '0']).stdout);
    expect(a.exponents).toEqual(b.exponents);
    expect(a.logSingularValues).toEqual(b.logSingularValues);
  });

  it('prints a human summary without --json', () => {
    const r = cli(['--query', 'width=4&depth=10&samples=2', '--workers', '0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lambda_1/);
  });

  it.each([[['--frobnicate']], [['--backend', 'tpu']], [['--samples']]])('exits with code 2 on %j', (args) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^spectrum: /);
  });

  it('exits with code 2 and the reason when --backend gpu finds no adapter', () => {
    const r = spawnSync(process.execPath, ['scripts/cli.mjs', 'main', '--backend', 'gpu', '--query', 'width=4&depth=2&samples=1'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent-icd.json' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/spectrum: no WebGPU device/);
  });

  it('backend auto sends sparse feedforward nets to the CPU (float64 counts their exact zeros), and says so', () => {
    const out = JSON.parse(cli(['--query', 'width=6&depth=10&samples=2&weights=sparse&p=0.5', '--backend', 'auto', '--json']).stdout);
    expect(out.backend).toMatch(/^cpu/);
    expect(out.warnings.join(' ')).toMatch(/sparse feedforward weights need float64/);
    expect(out.logSingularValues).not.toBeNull();
  });
});
