// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { drawSpectrum } from '../../../src/plots/spectrum';
import { DARK_PALETTE, LIGHT_PALETTE } from '../../../src/plots/palette';
import type { PlotSize, SpectrumPlotData, TheoryCurve } from '../../../src/plots/types';
import { axisInverse, badValues, messageText, freshSvg, HOSTILE, injectedElements, num, pathPoints, plotArea } from './helpers';

const SIZE: PlotSize = { width: 600, height: 400, fontSize: 12 };
const AREA = plotArea(SIZE);

let svg: SVGSVGElement;
beforeEach(() => {
  svg = freshSvg();
});

const spectrum = (over: Partial<SpectrumPlotData> = {}): SpectrumPlotData => ({
  k: 4,
  mean: [0.5, 0, -0.5, -1],
  sem: [0.05, 0.05, null, 0.05],
  count: [8, 8, 8, 8],
  samples: 8,
  layers: 100,
  singular: null,
  note: null,
  theory: [],
  ...over,
});

const points = () => [...svg.querySelectorAll('[data-role="exponent"]')];
const message = () => messageText(svg);

describe('spectrum: scales', () => {
  it('places lambda_i at x = (i+1)/k and on a y scale covering mean ± SE, padded 6% and niced', () => {
    drawSpectrum(svg, spectrum(), SIZE, LIGHT_PALETTE);
    const pts = points();
    expect(pts).toHaveLength(4);
    pts.forEach((p, i) => expect(num(p, 'cx')).toBeCloseTo(((i + 1) / 4) * AREA.width, 9));
    // mean ± SE spans [-1.05, 0.55]; padded by 6% of 1.6 it is [-1.146, 0.646]; niced to 0.2 steps,
    // [-1.2, 0.8]. So lambda = -1 is at (0.8 + 1) / 2 of the plot-area height from its top, lambda = 0.5
    // at 0.3 / 2.
    expect(num(pts[3]!, 'cy')).toBeCloseTo(0.9 * AREA.height, 9);
    expect(num(pts[0]!, 'cy')).toBeCloseTo(0.15 * AREA.height, 9);
    // The axis says the same: its ticks invert the pixel back to lambda.
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(num(pts[3]!, 'cy'))).toBeCloseTo(-1, 9);
    expect(inv(0)).toBeCloseTo(0.8, 9);
    expect(inv(AREA.height)).toBeCloseTo(-1.2, 9);
    expect(axisInverse(svg, '.x-axis')(AREA.width)).toBeCloseTo(1, 9);
    expect(svg.querySelector('.x-label')!.textContent).toBe('i / k');
    expect(svg.querySelector('.y-label')!.textContent).toBe('λᵢ (per layer)');
    expect(badValues(svg)).toEqual([]);
  });

  it('the SE band spans mean ± sem and skips indices without a standard error', () => {
    drawSpectrum(svg, spectrum({ mean: [0.5, 0, -0.5, -1], sem: [0.1, 0.1, null, 0.1] }), SIZE, LIGHT_PALETTE);
    const band = pathPoints(svg.querySelector('.sem-band')!.getAttribute('d'));
    // Index 2 has no SE: the band breaks into [0, 1] and [3].
    expect(band.moves).toBe(2);
    const inv = axisInverse(svg, '.y-axis');
    // d3 writes path coordinates with 3 decimals: 1e-3 px is about 4e-6 in lambda here.
    const atFirst = band.points.filter(([x]) => Math.abs(x - 0.25 * AREA.width) < 1e-3).map(([, y]) => inv(y));
    expect(atFirst.sort((a, b) => a - b)).toEqual([expect.closeTo(0.4, 5), expect.closeTo(0.6, 5)]);
    // The measured line is not broken by a missing SE.
    expect(pathPoints(svg.querySelector('.measured')!.getAttribute('d')).moves).toBe(1);
  });

  it('equal values: pads by ±0.5 so the point sits mid-plot', () => {
    drawSpectrum(svg, spectrum({ k: 3, mean: [0.3, 0.3, 0.3], sem: [null, null, null], count: [1, 1, 1], samples: 1 }), SIZE, LIGHT_PALETTE);
    for (const p of points()) expect(num(p, 'cy')).toBeCloseTo(0.5 * AREA.height, 9);
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(0)).toBeCloseTo(0.8, 9);
    expect(inv(AREA.height)).toBeCloseTo(-0.2, 9);
    expect(badValues(svg)).toEqual([]);
  });

  it('the y range also covers finite theory values', () => {
    const theory: TheoryCurve[] = [{ id: 'newman', label: 'exact', note: '', x: [0.5, 1], y: [2, null], style: 'points' }];
    drawSpectrum(svg, spectrum({ theory }), SIZE, LIGHT_PALETTE);
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(0)).toBeGreaterThanOrEqual(2);
    expect(inv(AREA.height)).toBeLessThanOrEqual(-1.05);
  });
});

describe('spectrum: exponents that are −∞', () => {
  it('are drawn as counted triangles pinned to the bottom edge, not in the data range', () => {
    drawSpectrum(svg, spectrum({ mean: [0.1, -0.2, null, null], sem: [0.01, 0.01, null, null], count: [8, 8, 0, 0] }), SIZE, LIGHT_PALETTE);
    expect(points()).toHaveLength(2);
    const tris = [...svg.querySelectorAll('[data-role="exponent-neg-inf"]')];
    expect(tris.map((t) => t.getAttribute('data-index'))).toEqual(['3', '4']);
    for (const [j, t] of tris.entries()) {
      const pts = pathPoints(t.getAttribute('d')).points;
      const ys = pts.map(([, y]) => y);
      // Pointing down, tip on the bottom edge of the plot area, centred on x = i/k.
      expect(Math.max(...ys)).toBeCloseTo(AREA.height, 9);
      const tip = pts.find(([, y]) => Math.abs(y - AREA.height) < 1e-9)!;
      expect(tip[0]).toBeCloseTo(((j + 3) / 4) * AREA.width, 9);
      expect(pts.filter(([, y]) => y < AREA.height)).toHaveLength(2);
    }
    expect(svg.querySelector('.neg-inf-label')!.textContent).toBe('2 exponents = −∞');
    // The y range is set by the finite exponents alone: [-0.21, 0.11] padded and niced.
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(AREA.height)).toBeGreaterThan(-0.5);
    expect(svg.querySelector('.measured')!.getAttribute('d')).not.toBeNull();
    expect([...svg.querySelectorAll('.legend-entry text')].map((t) => t.textContent)).toContain('λᵢ = −∞ in every sample');
    expect(badValues(svg)).toEqual([]);
  });

  it('says "1 exponent" for one', () => {
    drawSpectrum(svg, spectrum({ mean: [0.1, 0, -0.1, null] }), SIZE, DARK_PALETTE);
    expect(svg.querySelector('.neg-inf-label')!.textContent).toBe('1 exponent = −∞');
    expect(svg.querySelectorAll('[data-role="exponent-neg-inf"]')).toHaveLength(1);
  });

  it('all −∞: triangles for all and a message, no exception, no NaN', () => {
    drawSpectrum(svg, spectrum({ mean: [null, null, null, null], sem: [null, null, null, null], count: [0, 0, 0, 0] }), SIZE, LIGHT_PALETTE);
    expect(points()).toHaveLength(0);
    expect(svg.querySelectorAll('[data-role="exponent-neg-inf"]')).toHaveLength(4);
    expect(svg.querySelector('.neg-inf-label')!.textContent).toBe('4 exponents = −∞');
    expect(message()).toContain('All 4 exponents are −∞');
    expect(badValues(svg)).toEqual([]);
  });

  it('a -Infinity mean (instead of null) counts as −∞; NaN is dropped, never printed', () => {
    drawSpectrum(svg, spectrum({ mean: [0.2, NaN, -0.1, -Infinity], sem: [NaN, 0.1, Infinity, null] }), SIZE, LIGHT_PALETTE);
    expect(points()).toHaveLength(2);
    expect(svg.querySelectorAll('[data-role="exponent-neg-inf"]')).toHaveLength(1);
    expect(badValues(svg)).toEqual([]);
  });
});

describe('spectrum: before data, and empty data', () => {
  it('layers = 0: axes and "Waiting for the first layers…", no points; theory still drawn', () => {
    const theory: TheoryCurve[] = [{ id: 'free-spectrum', label: 'free', note: '', x: [0, 0.5, 1], y: [0.2, 0, -0.2], style: 'line' }];
    drawSpectrum(svg, spectrum({ layers: 0, mean: [], sem: [], count: [], samples: 0, theory }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe('Waiting for the first layers…');
    expect(svg.querySelector('.x-axis')).not.toBeNull();
    expect(svg.querySelector('.y-axis')).not.toBeNull();
    expect(points()).toHaveLength(0);
    expect(svg.querySelector('.measured')).toBeNull();
    expect(svg.querySelector('.theory-free-spectrum path')).not.toBeNull();
    expect(badValues(svg)).toEqual([]);
  });

  it('k = 0 or lengths that disagree: a message and no exception', () => {
    drawSpectrum(svg, spectrum({ k: 0, mean: [], sem: [], count: [] }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe('No exponents to show.');
    expect(badValues(svg)).toEqual([]);
    drawSpectrum(svg, spectrum({ k: 4, mean: [], sem: [], count: [] }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe('No exponents to show.');
    drawSpectrum(svg, spectrum({ k: 4, mean: [0.1, 0.2], sem: [], count: [] }), SIZE, LIGHT_PALETTE);
    expect(points()).toHaveLength(2);
    expect(badValues(svg)).toEqual([]);
  });
});

describe('spectrum: theory curves', () => {
  const theory: TheoryCurve[] = [
    { id: 'newman', label: 'Exact, finite N', note: 'valid for linear nets', x: [0.25, 0.5, 0.75, 1], y: [0.4, null, -0.4, -0.9], style: 'points' },
    { id: 'free-spectrum', label: 'Free probability', note: 'N → ∞', x: [0.1, 0.3, 0.5, 0.7, 0.9], y: [0.4, 0.3, null, -0.3, -0.4], style: 'line' },
    { id: 'residual-outlier', label: 'edge', note: 'a marker', x: [0.5], y: [], style: 'vline' },
  ];

  it('points as open markers, lines broken at null, vlines vertical; colours by order; legend with notes', () => {
    drawSpectrum(svg, spectrum({ theory }), SIZE, LIGHT_PALETTE);
    const circles = [...svg.querySelectorAll('.theory-newman circle')];
    expect(circles).toHaveLength(3);
    for (const c of circles) {
      expect(c.getAttribute('fill')).toBe('none');
      expect(c.getAttribute('stroke')).toBe(LIGHT_PALETTE.theory[0]);
    }
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(num(circles[2]!, 'cy'))).toBeCloseTo(-0.9, 9);
    const path = svg.querySelector('.theory-free-spectrum path')!;
    expect(path.getAttribute('stroke')).toBe(LIGHT_PALETTE.theory[1]);
    expect(pathPoints(path.getAttribute('d')).moves).toBe(2);
    const v = svg.querySelector('.theory-residual-outlier line')!;
    expect(num(v, 'x1')).toBeCloseTo(0.5 * AREA.width, 9);
    expect(num(v, 'x2')).toBe(num(v, 'x1'));
    expect(v.getAttribute('stroke')).toBe(LIGHT_PALETTE.theory[2]);
    const legend = [...svg.querySelectorAll('.legend-entry')];
    expect(legend.map((e) => e.querySelector('text')!.textContent)).toEqual([
      'QR estimate (1/L) Σ log|Rᵢᵢ| (8 samples, ±1 SE)',
      'Exact, finite N',
      'Free probability',
      'edge',
    ]);
    expect(legend[1]!.querySelector('title')!.textContent).toBe('Exact, finite N: valid for linear nets');
    expect(badValues(svg)).toEqual([]);
  });

  it('theory markers are painted after the measured points, so a match does not hide them', () => {
    drawSpectrum(svg, spectrum({ theory }), SIZE, LIGHT_PALETTE);
    const all = [...svg.querySelectorAll('[data-role="exponent"], .theory-newman circle')];
    const lastMeasured = all.map((e) => e.getAttribute('data-role')).lastIndexOf('exponent');
    const firstTheory = all.findIndex((e) => e.getAttribute('data-role') !== 'exponent');
    expect(firstTheory).toBeGreaterThan(lastMeasured);
    // Lines stay under the points (inside the clipped body).
    expect(svg.querySelector('.theory-free-spectrum')!.closest('[clip-path]')).not.toBeNull();
  });
});

describe('spectrum: robustness', () => {
  it('is idempotent: a redraw gives identical markup, and nothing of an earlier drawing survives', () => {
    drawSpectrum(svg, spectrum(), SIZE, LIGHT_PALETTE);
    const first = svg.outerHTML;
    const count = svg.querySelectorAll('*').length;
    drawSpectrum(svg, spectrum(), SIZE, LIGHT_PALETTE);
    expect(svg.querySelectorAll('*').length).toBe(count);
    expect(svg.outerHTML).toBe(first);
    drawSpectrum(
      svg,
      spectrum({ mean: [null, null, 1, 2], theory: [{ id: 'newman', label: 'x', note: '', x: [1], y: [1], style: 'points' }] }),
      SIZE,
      DARK_PALETTE,
    );
    drawSpectrum(svg, spectrum(), SIZE, LIGHT_PALETTE);
    expect(svg.outerHTML).toBe(first);
  });

  it('hostile label text stays text and creates no element', () => {
    drawSpectrum(svg, spectrum({ theory: [{ id: 'newman', label: HOSTILE, note: HOSTILE, x: [0.5], y: [0], style: 'points' }] }), SIZE, LIGHT_PALETTE);
    expect(injectedElements(svg)).toBe(0);
    expect(svg.querySelector('.legend-entry:nth-child(2) text')!.textContent).toBe(HOSTILE);
    expect(svg.textContent).toContain(`${HOSTILE}: ${HOSTILE}`);
  });
});

describe('spectrum: the SVD of J beside the QR estimator', () => {
  it('draws (1/L) log sigma_i(J) as its own series, with a gap at -Infinity, and the QR caveat as a note', () => {
    drawSpectrum(
      svg,
      spectrum({ singular: { mean: [0.9, 0.1, null, -1.2], sem: [0.01, 0.01, null, 0.01] }, note: 'Read (1/L) log σᵢ(J).' }),
      SIZE,
      LIGHT_PALETTE,
    );
    const d = svg.querySelector('.singular-per-layer path')!.getAttribute('d')!;
    expect(d.match(/M/g)?.length).toBe(2);
    expect(d).not.toMatch(/NaN/);
    expect(svg.querySelector('.spectrum-note')!.textContent).toContain('Read (1/L) log σᵢ(J).');
    const legend = [...svg.querySelectorAll('.legend-entry text')].map((e) => e.textContent);
    expect(legend).toContain('(1/L) log σᵢ(J), SVD of J');
  });
  it('draws neither without them', () => {
    drawSpectrum(svg, spectrum(), SIZE, LIGHT_PALETTE);
    expect(svg.querySelector('.singular-per-layer')).toBeNull();
    expect(svg.querySelector('.spectrum-note')).toBeNull();
  });
});
