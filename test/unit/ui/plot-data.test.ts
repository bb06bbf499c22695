import { describe, expect, it } from 'vitest';
import { convergenceData, densityData, densityFactor, densityLabel, spectrumData } from '../../../src/ui/explorer/plot-data';
import { DEFAULT_PARAMS } from '../../../src/params/table';
import type { Snapshot } from '../../../src/engine/types';

const snap = (over: Partial<Snapshot>): Snapshot =>
  ({
    params: DEFAULT_PARAMS,
    exponents: { mean: [0.1, null], sem: [0.01, null], count: [4, 0] },
    logSingularValues: { mean: [30, -Infinity], sem: [1, null], count: [4, 0] },
    histogram: { edges: [-1, 0, 1], counts: [3, 1], zeros: 4, total: 8 },
    convergence: { layer: [10, 20], top: [0.2, 0.15], bottom: [null, null], mean: [0.1, 0.1] },
    samples: 4,
    layers: 100,
    logSingularValuesNote: null,
    ...over,
  }) as Snapshot;

describe('plot data from snapshots', () => {
  it('spectrum: passes statistics through, and an empty plot before the first snapshot', () => {
    const d = spectrumData(snap({}), { ...DEFAULT_PARAMS, k: 2 }, []);
    expect(d).toMatchObject({ k: 2, mean: [0.1, null], samples: 4, layers: 100 });
    expect(spectrumData(null, { ...DEFAULT_PARAMS, k: 5 }, [])).toMatchObject({ k: 5, mean: [], layers: 0, singular: null });
  });

  it('spectrum: (1/L) log sigma_i(J) per layer beside the QR exponents, -Infinity as a gap', () => {
    const d = spectrumData(snap({}), { ...DEFAULT_PARAMS, k: 2 }, []);
    expect(d.singular).toEqual({ mean: [30 / DEFAULT_PARAMS.depth, null], sem: [1 / DEFAULT_PARAMS.depth, null] });
  });

  it('spectrum: the QR caveat is stated for depth-scaled ResNets only', () => {
    const note = (over: Partial<typeof DEFAULT_PARAMS>) => spectrumData(null, { ...DEFAULT_PARAMS, ...over }, []).note;
    expect(note({ arch: 'res', ascale: 'sqrtL' })).toMatch(/read \(1\/L\) log σᵢ\(J\)/);
    expect(note({ arch: 'full', ascale: 'power', beta: 1 })).not.toBeNull();
    expect(note({ arch: 'res', ascale: 'const' })).toBeNull();
    expect(note({ arch: 'res', ascale: 'power', beta: 0.4 })).toBeNull();
    expect(note({ arch: 'ff', ascale: 'sqrtL' })).toBeNull();
  });

  it('density variable: factor and label for each toggle', () => {
    expect(densityFactor({ squared: false, perLayer: true }, 100)).toBe(1);
    expect(densityFactor({ squared: true, perLayer: true }, 100)).toBe(2);
    expect(densityFactor({ squared: false, perLayer: false }, 100)).toBe(100);
    expect(densityFactor({ squared: true, perLayer: false }, 100)).toBe(200);
    expect(densityLabel({ squared: true, perLayer: false })).toBe('log σ²');
    expect(densityLabel({ squared: false, perLayer: true })).toBe('(1/L) log σ');
  });

  it('density: rescales bin edges, keeps the zero count, and says why when k < N', () => {
    const d = densityData(snap({}), DEFAULT_PARAMS, { squared: true, perLayer: false }, []);
    expect(d.unavailable).toBeNull();
    expect(d.edges).toEqual([-200, 0, 200]);
    expect(d.zeros).toBe(4);
    expect(d.total).toBe(8);
    const partial = densityData(snap({}), { ...DEFAULT_PARAMS, k: 8 }, { squared: false, perLayer: true }, []);
    expect(partial.unavailable).toMatch(/k = 8 < N = 32/);
    expect(partial.counts).toEqual([]);
    const none = densityData(
      snap({ histogram: null, logSingularValuesNote: 'Singular values were not requested.' }),
      DEFAULT_PARAMS,
      { squared: false, perLayer: true },
      [],
    );
    expect(none.unavailable).toBe('Singular values were not requested.');
  });

  it('density: marks the outlier of residual nets with a non-odd activation, at the mean top value', () => {
    const p = { ...DEFAULT_PARAMS, arch: 'res' as const, act: 'relu' as const };
    const d = densityData(snap({ params: p }), p, { squared: false, perLayer: true }, []);
    expect(d.markers).toHaveLength(1);
    expect(d.markers[0]!.x).toBeCloseTo(30 / p.depth, 12);
    const odd = densityData(snap({}), { ...p, act: 'tanh' }, { squared: false, perLayer: true }, []);
    expect(odd.markers).toEqual([]);
  });

  it('convergence: running estimates and theory levels', () => {
    const d = convergenceData(snap({}), [{ y: 0.1, label: 'exact' }]);
    expect(d.layer).toEqual([10, 20]);
    expect(d.bottom).toEqual([null, null]);
    expect(d.levels).toHaveLength(1);
    expect(convergenceData(null, []).layer).toEqual([]);
  });
});
