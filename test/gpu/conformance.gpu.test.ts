/**
 * The conformance suite over the model registry: every activation (at each tested shape) x weight
 * ensemble x architecture that the parameter table allows runs on the GPU engine (float32) and the CPU
 * engine (float64) on the same seed, and the two agree sample by sample (exponents, -Infinity counts,
 * singular values; the tolerance rule of agreement.ts). The cases are generated from the registries, so
 * a new entry is tested by adding it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATION_ENTRIES, ARCHITECTURE_ENTRIES, ENSEMBLE_ENTRIES, modelConflict } from '../../src/model/index';
import { both, expectAgreement } from './agreement';
import { gpuRequired, testDevice } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

/** Shape values tested for activations with a shape knob: below and above the degree-1 (ReLU) case. */
const SHAPES = [0.8, 2];

/**
 * One small query per registry combination. Feedforward nets whose phi is homogeneous of degree > 1
 * (ReLU^a with a > 1) have no stable variance: q blows up or dies double-exponentially, and float32 and
 * float64 overflow or underflow at different layers, so there is nothing per sample to compare; they run
 * with skip connections only, and a weak residual branch (c = alpha/L): phi ~ h^a amplifies large signals,
 * and with c = 1/sqrt(L) the exponents reach ~15 per layer and float32 overflows within 12 layers.
 */
function conformanceCases(): string[] {
  const cases: string[] = [];
  for (const act of ACTIVATION_ENTRIES)
    for (const shape of act.shapeKnob ? SHAPES : [null])
      for (const weights of ENSEMBLE_ENTRIES)
        for (const arch of ARCHITECTURE_ENTRIES) {
          const degree = act.at(shape ?? 0).traits.homogeneousDegree;
          if (!arch.residual && degree !== null && degree > 1) continue;
          // Combinations the registry corrects (square-only weights in the full block) are not runs.
          if (modelConflict({ arch: arch.id, weights: weights.id }) !== null) continue;
          const parts = [
            `act=${act.id}`,
            ...(act.shapeKnob && shape !== null ? [`${act.shapeKnob}=${shape}`] : []),
            `weights=${weights.id}`,
            `arch=${arch.id}`,
          ];
          if (weights.knobs.includes('p')) parts.push('p=0.5');
          if (arch.knobs.includes('alpha')) parts.push(...(degree !== null && degree > 1 ? ['alpha=1', 'ascale=L'] : ['alpha=1', 'ascale=sqrtL']));
          // The full block with a bottleneck (m < N, non-square W and V) and its output bias.
          if (arch.knobs.includes('inner')) parts.push('inner=5', 'sv2=1.3', 'sa2=0.05');
          cases.push(`${parts.join('&')}&width=8&depth=12&sw2=1.5&sb2=0.05&samples=2&seed=11`);
        }
  return cases;
}

const CASES = conformanceCases();

describe.skipIf(!device && !gpuRequired)('conformance: every registry combination, GPU = CPU per sample', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it('covers every activation, ensemble and architecture', () => {
    for (const e of ACTIVATION_ENTRIES)
      expect(
        CASES.some((q) => q.startsWith(`act=${e.id}&`)),
        e.id,
      ).toBe(true);
    for (const e of ENSEMBLE_ENTRIES)
      expect(
        CASES.some((q) => q.includes(`&weights=${e.id}&`)),
        e.id,
      ).toBe(true);
    for (const e of ARCHITECTURE_ENTRIES)
      expect(
        CASES.some((q) => q.includes(`&arch=${e.id}&`)),
        e.id,
      ).toBe(true);
  });

  it.each(CASES)('%s', async (q) => {
    const { cpu, gpu } = await both(device!, q);
    expectAgreement(q, cpu, gpu);
  });
});
