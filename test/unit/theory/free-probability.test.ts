import { describe, expect, it } from 'vitest';
import { freeSpectrum, freeSpectrumIndexed, sTransformD2 } from '../../../src/theory/free-probability';
import { fixedPoint } from '../../../src/theory/meanfield';

const TS = [1, 0.75, 0.5, 0.25, 0.1];

describe('5.5 free-probability spectrum', () => {
  it('tanh sw2 = 2: the sheet values for Gaussian and orthogonal W', () => {
    const fp = fixedPoint('tanh', 2, 0);
    expect(fp.kind === 'finite' && Math.abs(fp.q - 0.6179647698) < 1e-9).toBe(true);
    const gauss = freeSpectrum('tanh', 2, 0, 'gauss', TS)!.lambda;
    const orth = freeSpectrum('tanh', 2, 0, 'orth', TS)!.lambda;
    [0.0501619, -0.14938711, -0.43715202, -0.93813264, -1.59593923].forEach((v, i) => expect(Math.abs(gauss[i]! - v)).toBeLessThan(1e-7));
    [0.0501619, -0.00554607, -0.09057843, -0.24498546, -0.44464669].forEach((v, i) => expect(Math.abs(orth[i]! - v)).toBeLessThan(1e-7));
  });

  it('is the triangle law for linear Gaussian nets', () => {
    const lam = freeSpectrum('linear', 1.7, 0, 'gauss', [0.9, 0.3])!.lambda;
    expect(lam[0]).toBeCloseTo(0.5 * Math.log(1.7 * 0.9), 14);
    expect(lam[1]).toBeCloseTo(0.5 * Math.log(1.7 * 0.3), 14);
  });

  it('is (1/2) log(sw2 (t - 1/2)) for ReLU with Gaussian W, -Infinity below t = 1/2', () => {
    const lam = freeSpectrum('relu', 2, 0, 'gauss', [0.9, 0.6, 0.4])!.lambda;
    expect(lam[0]).toBeCloseTo(0.5 * Math.log(2 * 0.4), 12);
    expect(lam[1]).toBeCloseTo(0.5 * Math.log(2 * 0.1), 12);
    expect(lam[2]).toBe(-Infinity);
  });

  it('solves psi_D continuously up to t = 1 (S(0) = 1/E d)', () => {
    const q = 0.6179647698;
    expect(Math.abs(sTransformD2('tanh', q, 1 - 1e-9) - sTransformD2('tanh', q, 1))).toBeLessThan(1e-6);
  });

  it('returns null without a finite fixed point, and indexes t_i = 1 - (i - 1/2)/N', () => {
    expect(freeSpectrum('tanh', 10, 0, 'gauss', [0.5])).not.toBeNull();
    expect(freeSpectrum('gelu', 10, 2, 'gauss', [0.5])).toBeNull();
    const idx = freeSpectrumIndexed(4, 2, 'linear', 1, 0, 'gauss')!;
    expect(idx.t).toEqual([0.875, 0.625]);
  });

  it('handles SELU (phi\' jumps at 0) consistently with the mean-field chi_1 at t = 1', () => {
    const fp = fixedPoint('selu', 1, 0.1);
    expect(fp.kind).toBe('finite');
    const lam = freeSpectrum('selu', 1, 0.1, 'gauss', [1, 0.5])!.lambda;
    expect(Number.isFinite(lam[1]!)).toBe(true);
    expect(lam[1]!).toBeLessThan(lam[0]!);
  });
});
