// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { scaleLinear } from 'd3';
import {
  beginPlot,
  clipTo,
  drawAxes,
  drawMessage,
  finiteExtent,
  MAX_Y_TICK_CHARS,
  padExtent,
  tickText,
  valueText,
  wrapWords,
  yTickLabels,
} from '../../../src/plots/frame';
import { LIGHT_PALETTE } from '../../../src/plots/palette';
import type { PlotSize } from '../../../src/plots/types';
import { badValues, freshSvg, HOSTILE, injectedElements, num, plotArea, translation } from './helpers';

const SIZE: PlotSize = { width: 640, height: 400, fontSize: 14 };
let svg: SVGSVGElement;
beforeEach(() => {
  svg = freshSvg();
});

describe('beginPlot', () => {
  it('sizes the svg, names it for assistive technology, and paints a background', () => {
    const f = beginPlot(svg, SIZE, LIGHT_PALETTE, 'A title');
    expect(svg.getAttribute('viewBox')).toBe('0 0 640 400');
    expect(svg.getAttribute('width')).toBe('640');
    expect(svg.getAttribute('height')).toBe('400');
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe('A title');
    expect(svg.querySelector(':scope > title')!.textContent).toBe('A title');
    const bg = svg.querySelector(':scope > rect')!;
    expect(bg.getAttribute('fill')).toBe(LIGHT_PALETTE.background);
    expect(num(bg, 'width')).toBe(640);
    // Margins grow with the font size.
    const area = plotArea(SIZE);
    expect(translation(f.g.node())).toEqual([area.left, area.top]);
    expect([f.width, f.height]).toEqual([area.width, area.height]);
    const big = beginPlot(svg, { ...SIZE, fontSize: 28 }, LIGHT_PALETTE, 't');
    expect(big.width).toBeLessThan(f.width);
    expect(big.height).toBeLessThan(f.height);
  });

  it('lays the legend out below the plot area: swatch, label, and the note as a tooltip; the svg grows to fit', () => {
    beginPlot(svg, SIZE, LIGHT_PALETTE, 't', [
      { label: 'measured', color: '#0072b2', kind: 'line' },
      { label: 'theory', note: 'valid for N → ∞', color: '#d55e00', kind: 'points' },
      { label: 'band', color: '#cccccc', kind: 'band' },
      { label: 'minus infinity', color: '#000000', kind: 'triangle' },
    ]);
    const entries = [...svg.querySelectorAll('.legend-entry')];
    expect(entries).toHaveLength(4);
    expect(entries.map((e) => e.querySelector('text')!.textContent)).toEqual(['measured', 'theory', 'band', 'minus infinity']);
    expect(entries[0]!.querySelector('line')!.getAttribute('stroke')).toBe('#0072b2');
    expect(entries[1]!.querySelector('circle')!.getAttribute('stroke')).toBe('#d55e00');
    expect(entries[1]!.querySelector('title')!.textContent).toBe('theory: valid for N → ∞');
    expect(entries[0]!.querySelector('title')).toBeNull();
    expect(entries[2]!.querySelector('rect')).not.toBeNull();
    expect(entries[3]!.querySelector('path')).not.toBeNull();
    const [, legendY] = translation(svg.querySelector('.legend'));
    expect(legendY).toBeGreaterThanOrEqual(SIZE.height);
    expect(num(svg, 'height')).toBeGreaterThan(SIZE.height);
    expect(svg.getAttribute('viewBox')).toBe(`0 0 640 ${svg.getAttribute('height')}`);
  });

  it('wraps a long legend onto more rows on a narrow plot', () => {
    const legend = Array.from({ length: 6 }, (_, i) => ({ label: `curve number ${i}`, color: '#000000', kind: 'line' as const }));
    beginPlot(svg, SIZE, LIGHT_PALETTE, 't', legend);
    const wide = num(svg, 'height');
    beginPlot(svg, { ...SIZE, width: 260 }, LIGHT_PALETTE, 't', legend);
    expect(num(svg, 'height')).toBeGreaterThan(wide);
    const rows = new Set([...svg.querySelectorAll('.legend-entry')].map((e) => translation(e)[1]));
    expect(rows.size).toBeGreaterThan(1);
  });

  it('takes hostile text as text', () => {
    beginPlot(svg, SIZE, LIGHT_PALETTE, HOSTILE, [{ label: HOSTILE, note: HOSTILE, color: '#000000', kind: 'line' }]);
    const f = beginPlot(svg, SIZE, LIGHT_PALETTE, HOSTILE, [{ label: HOSTILE, note: HOSTILE, color: '#000000', kind: 'line' }]);
    drawMessage(f, HOSTILE);
    expect(injectedElements(svg)).toBe(0);
    expect(svg.getAttribute('aria-label')).toBe(HOSTILE);
    expect(svg.querySelector('.legend-entry text')!.textContent).toBe(HOSTILE);
    expect(svg.querySelector('.message')!.textContent).toBe(HOSTILE);
  });

  it('replaces everything on a redraw', () => {
    const f = beginPlot(svg, SIZE, LIGHT_PALETTE, 't', [{ label: 'a', color: '#000000', kind: 'line' }]);
    clipTo(f);
    const first = svg.outerHTML;
    const g = beginPlot(svg, SIZE, LIGHT_PALETTE, 't', [{ label: 'a', color: '#000000', kind: 'line' }]);
    clipTo(g);
    expect(clipTo(g)).toBe(g.clip);
    expect(svg.querySelectorAll('clipPath')).toHaveLength(1);
    expect(svg.outerHTML).toBe(first);
  });
});

describe('axes, grid, message', () => {
  it('draws ticks at the scale positions, labels and grid lines, with no NaN', () => {
    const f = beginPlot(svg, SIZE, LIGHT_PALETTE, 't');
    const x = scaleLinear().domain([0, 1]).range([0, f.width]);
    const y = scaleLinear().domain([-2, 2]).range([f.height, 0]);
    drawAxes(f, x, y, 'i / k', 'λᵢ (per layer)');
    expect(svg.querySelector('.x-label')!.textContent).toBe('i / k');
    expect(svg.querySelector('.y-label')!.textContent).toBe('λᵢ (per layer)');
    const yTicks = [...svg.querySelectorAll('.y-axis .tick')];
    const minus1 = yTicks.find((t) => t.querySelector('text')!.textContent === '−1')!;
    expect(minus1).toBeDefined();
    expect(translation(minus1)[1]).toBeCloseTo(0.75 * f.height, 9);
    expect(svg.querySelectorAll('.grid line').length).toBeGreaterThan(4);
    expect(badValues(svg)).toEqual([]);
  });

  it('prints long y ticks in units of a power of ten, named above the axis, where the axis label cannot collide with them', () => {
    // The small-residual ResNet preset's exponents, about ±0.001: ticks such as "−0.0004" (7 characters).
    const f = beginPlot(svg, SIZE, LIGHT_PALETTE, 't');
    const x = scaleLinear().domain([0, 1]).range([0, f.width]);
    const y = scaleLinear().domain([-0.0012, 0.0012]).range([f.height, 0]);
    drawAxes(f, x, y, 'i / k', 'λᵢ (per layer)');
    const ticks = [...svg.querySelectorAll('.y-axis .tick')];
    const labels = ticks.map((t) => t.querySelector('text')!.textContent!);
    expect(labels).toEqual(['−1.2', '−1', '−0.8', '−0.6', '−0.4', '−0.2', '0', '0.2', '0.4', '0.6', '0.8', '1', '1.2']);
    // Each label still sits at its value's position: "0.4" at y(0.0004).
    expect(translation(ticks[labels.indexOf('0.4')]!)[1]).toBeCloseTo(y(0.0004), 9);
    expect(svg.querySelector('.y-multiplier')!.textContent).toBe('×10⁻³');
    expect(num(svg.querySelector('.y-multiplier')!, 'y')).toBeLessThan(0);
    // Short ticks are left alone, with no multiplier.
    svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const g = beginPlot(svg, SIZE, LIGHT_PALETTE, 't');
    drawAxes(g, x, scaleLinear().domain([-2, 2]).range([g.height, 0]), 'i / k', 'λᵢ (per layer)');
    expect(svg.querySelector('.y-multiplier')).toBeNull();
  });

  it('chooses the power of ten of the largest tick, and only when it shortens the labels', () => {
    expect(yTickLabels([-0.001, -0.0005, 0, 0.0005, 0.001])).toEqual({ exponent: -3, labels: ['−1', '−0.5', '0', '0.5', '1'], multiplier: '×10⁻³' });
    expect(yTickLabels([0, 0.0002, 0.0004, 0.0006])).toMatchObject({ exponent: -4, labels: ['0', '2', '4', '6'], multiplier: '×10⁻⁴' });
    expect(yTickLabels([0, 500000, 1000000, 1500000])).toMatchObject({ exponent: 6, labels: ['0', '0.5', '1', '1.5'], multiplier: '×10⁶' });
    expect(yTickLabels([-2.5e-7, 0, 2.5e-7])).toMatchObject({ exponent: -7, labels: ['−2.5', '0', '2.5'] });
    // Up to five characters print as they are ("−0.25", "12000", "0.001").
    for (const ticks of [
      [-0.25, 0, 0.25],
      [0, 6000, 12000],
      [0, 0.001],
      [-1, 1],
    ])
      expect(yTickLabels(ticks)).toMatchObject({ exponent: 0, multiplier: null });
    // A narrow range far from zero is not helped by a power of ten: printed as is.
    expect(yTickLabels([100.01, 100.02, 100.03])).toMatchObject({ exponent: 0, labels: ['100.01', '100.02', '100.03'] });
    for (const ticks of [[], [0], [NaN, 0]]) expect(yTickLabels(ticks).multiplier).toBeNull();
    const labels = yTickLabels([-0.0015, -0.001, -0.0005, 0, 0.0005, 0.001, 0.0015]).labels;
    expect(Math.max(...labels.map((l) => l.length))).toBeLessThanOrEqual(MAX_Y_TICK_CHARS);
  });

  it('centres a message in the plot area and wraps it', () => {
    const f = beginPlot(svg, { width: 300, height: 200, fontSize: 12 }, LIGHT_PALETTE, 't');
    drawMessage(f, 'Waiting for the first layers of a rather long computation to finish, please');
    const text = svg.querySelector('.message')!;
    expect(num(text, 'x')).toBe(f.width / 2);
    expect(text.getAttribute('text-anchor')).toBe('middle');
    expect(text.querySelectorAll('tspan').length).toBeGreaterThan(1);
  });
});

describe('number formatting and extents', () => {
  it('ticks are short and never print NaN or Infinity', () => {
    expect(tickText(0.5)).toBe('0.5');
    expect(tickText(-1)).toBe('−1');
    expect(tickText(1e-17)).toBe('0');
    expect(tickText(-2.5e-7)).toBe('−2.5e−7');
    expect(tickText(1200000)).toBe('1.2e+6');
    for (const v of [NaN, Infinity, -Infinity]) expect(tickText(v)).toBe('');
  });

  it('values in labels: 4 significant digits, symbols for infinities', () => {
    expect(valueText(0.123456)).toBe('0.1235');
    expect(valueText(-1.7000000000000002)).toBe('−1.7');
    expect(valueText(-Infinity)).toBe('−∞');
    expect(valueText(Infinity)).toBe('+∞');
    expect(valueText(NaN)).toBe('—');
    expect(valueText(null)).toBe('—');
  });

  it('finite extent skips null and non-finite values; padding handles a single value', () => {
    expect(finiteExtent([null, 3, -Infinity, NaN, -1, undefined, Infinity])).toEqual([-1, 3]);
    expect(finiteExtent([null, NaN])).toBeNull();
    const [lo, hi] = padExtent([-1, 3]);
    expect(lo).toBeCloseTo(-1.24, 12);
    expect(hi).toBeCloseTo(3.24, 12);
    expect(padExtent([2, 2])).toEqual([1.5, 2.5]);
    const [a, b] = padExtent([40, 40]);
    expect(a).toBeCloseTo(36, 12);
    expect(b).toBeCloseTo(44, 12);
  });

  it('wraps words into lines of bounded length', () => {
    expect(wrapWords('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapWords('  ', 5)).toEqual([]);
  });
});
