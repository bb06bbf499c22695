/**
 * The power activation ReLU^a (docs/THEORY.md 5.9) through the theory that reads its entry: Gaussian
 * moments, the variance fixed point, chi_1 = a^2/(2a - 1) independent of sw2 at zero bias, the c-map's
 * fixed point, and what the spectrum overlays and the phase diagram draw for it.
 */
import { describe, expect, it } from 'vitest';
import { activationOf } from '../../../src/model/index';
import { parseQuery } from '../../../src/params/url';
import { applicableTheories } from '../../../src/theory/catalog';
import { gaussianKernel } from '../../../src/theory/kernel';
import { chi1, expectations, fixedPoint } from '../../../src/theory/meanfield';
import { phasePlotData, spectrumOverlays } from '../../../src/theory/overlays';

const at = (apow: number) => activationOf({ act: 'relupow', apow });

describe('ReLU^a mean field', () => {
  it('has the sanity moments of docs/THEORY.md section 6', () => {
    const e = expectations(at(0.75), 2);
    expect(e.ephi).toBeCloseTo(0.5169583178, 9);
    expect(e.ephi2).toBeCloseTo(0.7232045423, 9);
    expect(e.edphi2).toBeCloseTo(0.4068025551, 9);
    expect(e.edphi4).toBe(Infinity); // a <= 3/4
    expect(expectations(at(3), 2).ephi2).toBeCloseTo(60, 10);
    expect(expectations(at(3), 2).edphi2).toBeCloseTo(54, 10);
    expect(expectations(at(3), 0.5).edphi2).toBeCloseTo(3.375, 12);
    // a = 2: E phi = q/2, E phi^2 = 3q^2/2, E phi'^2 = 2q.
    const sq = expectations(at(2), 1.7);
    expect(sq.ephi).toBeCloseTo(0.85, 12);
    expect(sq.ephi2).toBeCloseTo(1.5 * 1.7 ** 2, 12);
    expect(sq.edphi2).toBeCloseTo(3.4, 12);
  });

  it('finds the zero-bias fixed point q* = (sw2 K_{2a})^{1/(1-a)} for a < 1', () => {
    for (const [sw2, q] of [
      [1, 0.034194369],
      [1.5, 0.173108993],
      [3, 2.769743888],
    ] as const) {
      const fp = fixedPoint(at(0.75), sw2, 0);
      expect(fp.kind).toBe('finite');
      expect(fp.kind === 'finite' && Math.abs(fp.q / q - 1)).toBeLessThan(1e-8);
    }
  });

  it('has chi_1 = a^2/(2a - 1) at zero bias whatever sw2 (never ordered for a != 1)', () => {
    for (const [a, chi] of [
      [0.6, 1.8],
      [0.75, 1.125],
      [0.9, 1.0125],
    ] as const)
      for (const sw2 of [0.7, 1.5, 4]) {
        const fp = fixedPoint(at(a), sw2, 0);
        if (fp.kind !== 'finite') throw new Error(`no finite fixed point at a = ${a}, sw2 = ${sw2}`);
        expect(chi1(at(a), sw2, fp.q), `a = ${a}, sw2 = ${sw2}`).toBeCloseTo(chi, 9);
      }
    expect(0.5 * Math.log(chi1(at(0.75), 1.5, (fixedPoint(at(0.75), 1.5, 0) as { q: number }).q))).toBeCloseTo(0.0588915178, 9);
  });

  it('has a fixed point c* < 1 of the c-map c -> k_a(c)/k_a(1), with c = 1 unstable (slope chi_1 > 1)', () => {
    const act = at(0.75);
    const map = (c: number) => gaussianKernel(act, 1, 1, c) / gaussianKernel(act, 1, 1, 1);
    // The map's slope at c* is close to 1, so iterating converges slowly: bisect map(c) - c instead.
    let lo = 0.9;
    let hi = 1 - 1e-9;
    expect(map(lo) - lo).toBeGreaterThan(0);
    expect(map(hi) - hi).toBeLessThan(0);
    for (let i = 0; i < 60; i++) {
      const mid = 0.5 * (lo + hi);
      if (map(mid) - mid > 0) lo = mid;
      else hi = mid;
    }
    expect(0.5 * (lo + hi)).toBeCloseTo(0.995722808, 9);
    // Started just below 1, the iterates move away from 1 (down to c*).
    expect(map(1 - 1e-6)).toBeLessThan(1 - 1e-6);
  });
});

describe('ReLU^a overlays', () => {
  it('draws the mean-field top exponent without a 1/N term for a <= 3/4, and says why', () => {
    const p = parseQuery('act=relupow&apow=0.75&sw2=1.5&sb2=0&transient=50').params;
    const top = spectrumOverlays(p).find((c) => c.id === 'meanfield-top')!;
    expect(top.y[0]).toBeCloseTo(0.0588915178, 8);
    expect(top.note).toMatch(/E phi'\^4 diverges/);
  });

  it('hides the mean-field overlays of a feedforward ReLU^2 net, whose variance blows up', () => {
    const a = applicableTheories(parseQuery('act=relupow&apow=2&sw2=1.5').params);
    expect(a.find((x) => x.id === 'meanfield-top')!.reason).toMatch(/diverges/);
    expect(a.find((x) => x.id === 'residual-outlier')!.applies).toBe(false);
    // With a skip connection it is non-odd: the outlier applies.
    expect(applicableTheories(parseQuery('act=relupow&apow=2&arch=res').params).find((x) => x.id === 'residual-outlier')!.applies).toBe(true);
  });

  it('draws its chi_1 in the phase diagram: log(9/8) along the zero-bias row at a = 3/4', () => {
    const grid = phasePlotData(at(0.75), { sw2: 1.5, sb2: 0 }, { n: [8, 6] });
    expect(grid.activation).toBe('ReLU^0.75');
    const nW = grid.sw2.length;
    for (let i = 0; i < nW; i++) if (grid.sw2[i]! > 0) expect(grid.logChi1[i]!).toBeCloseTo(Math.log(1.125), 8);
    // A different exponent is a different map (the cache must tell shapes apart).
    const other = phasePlotData(at(0.9), { sw2: 1.5, sb2: 0 }, { n: [8, 6] });
    expect(other.logChi1[1]!).toBeCloseTo(Math.log(1.0125), 8);
  });
});
