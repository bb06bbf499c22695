/** The CLI's WebGPU backend (Dawn; SwiftShader in CI): same numbers as the CPU backend to float32 tolerance. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gpuRequired, testDevice } from './dawn';

const { acquired } = await testDevice();
// The adapter the CLI will name (the same Dawn instance settings: SwiftShader in CI, a GPU elsewhere).
const adapterName = acquired?.description ?? '';
acquired?.device.destroy();

function cli(args: string[]) {
  return spawnSync(process.execPath, ['scripts/cli.mjs', 'main', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe.skipIf(!acquired && !gpuRequired)('spectrum CLI --backend gpu', () => {
  it('matches --backend cpu on the same query, and says which adapter ran', () => {
    const q = ['--query', 'width=12&depth=30&samples=3&act=tanh&sw2=1.8&sb2=0.02', '--json', '--no-singular-values', '--per-sample'];
    const g = cli([...q, '--backend', 'gpu']);
    expect(g.status, g.stderr).toBe(0);
    const gpu = JSON.parse(g.stdout);
    const cpu = JSON.parse(cli([...q, '--backend', 'cpu']).stdout);
    expect(gpu.backend).toBe(`gpu (float32, ${adapterName})`);
    gpu.perSample.forEach((s: { exponents: number[] }, i: number) =>
      s.exponents.forEach((v, j) => expect(Math.abs(v - cpu.perSample[i].exponents[j])).toBeLessThan(1e-3)),
    );
  });

  it('auto picks the GPU when no singular values are needed', () => {
    const out = JSON.parse(cli(['--query', 'width=8&depth=10&samples=2', '--backend', 'auto', '--json', '--no-singular-values']).stdout);
    expect(out.backend).toMatch(/^gpu/);
  });
});

describe.skipIf(!acquired && !gpuRequired)('spectrum CLI, orthogonal weights', () => {
  it('--backend gpu runs them and matches --backend cpu; auto picks the GPU', () => {
    const q = ['--query', 'width=10&depth=20&samples=2&act=tanh&sw2=1.5&weights=orth', '--json', '--no-singular-values', '--per-sample'];
    const g = cli([...q, '--backend', 'gpu']);
    expect(g.status, g.stderr).toBe(0);
    const gpu = JSON.parse(g.stdout);
    const cpu = JSON.parse(cli([...q, '--backend', 'cpu']).stdout);
    gpu.perSample.forEach((s: { exponents: number[] }, i: number) =>
      s.exponents.forEach((v, j) => expect(Math.abs(v - cpu.perSample[i].exponents[j])).toBeLessThan(1e-3)),
    );
    const auto = JSON.parse(cli([...q, '--backend', 'auto']).stdout);
    expect(auto.backend).toMatch(/^gpu/);
    expect(auto.warnings).toEqual([]);
  });
});
