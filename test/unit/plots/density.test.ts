// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { drawDensity, histogramDensity, zerosNote } from '../../../src/plots/density';
import { LIGHT_PALETTE } from '../../../src/plots/palette';
import type { DensityPlotData, PlotSize } from '../../../src/plots/types';
import { axisInverse, badValues, messageText, freshSvg, HOSTILE, injectedElements, num, pathPoints, plotArea } from './helpers';

const SIZE: PlotSize = { width: 600, height: 400, fontSize: 12 };
const AREA = plotArea(SIZE);

let svg: SVGSVGElement;
beforeEach(() => {
  svg = freshSvg();
});

const data = (over: Partial<DensityPlotData> = {}): DensityPlotData => ({
  unavailable: null,
  edges: [-2, -1.5, -0.5, 0, 1],
  counts: [3, 4, 1, 2],
  zeros: 6,
  total: 16,
  xLabel: '(1/L) log σ',
  theory: [],
  markers: [],
  ...over,
});

const bars = () => [...svg.querySelectorAll('[data-role="bin"]')];
const message = () => messageText(svg);

/** The area under the drawn bars, in data units, read back through the drawn y axis and the bin edges. */
function drawnArea(edges: number[]): number {
  const inv = axisInverse(svg, '.y-axis');
  return bars().reduce((sum, b, i) => sum + (inv(num(b, 'y') + num(b, 'height')) - inv(num(b, 'y'))) * -1 * (edges[i + 1]! - edges[i]!), 0);
}

describe('density: normalization', () => {
  it('heights are count / (total × width), so the area is the finite fraction', () => {
    const d = data();
    const h = histogramDensity(d);
    expect(h).toEqual([3 / (16 * 0.5), 4 / 16, 1 / (16 * 0.5), 2 / 16]);
    const area = h.reduce((s, v, i) => s + v * (d.edges[i + 1]! - d.edges[i]!), 0);
    expect(area).toBeCloseTo(10 / 16, 12);
  });

  it('the drawn bars have that area (unequal bins), each spanning its bin', () => {
    const d = data();
    drawDensity(svg, d, SIZE, LIGHT_PALETTE);
    expect(bars()).toHaveLength(4);
    expect(drawnArea(d.edges)).toBeCloseTo(10 / 16, 9);
    const invX = axisInverse(svg, '.x-axis');
    bars().forEach((b, i) => {
      expect(invX(num(b, 'x'))).toBeCloseTo(d.edges[i]!, 9);
      expect(num(b, 'y') + num(b, 'height')).toBeCloseTo(AREA.height, 9);
    });
    expect(svg.querySelector('.y-label')!.textContent).toBe('density');
    expect(svg.querySelector('.x-label')!.textContent).toBe('(1/L) log σ');
    expect(badValues(svg)).toEqual([]);
  });

  it('without zeros the area is 1', () => {
    const d = data({ zeros: 0, total: 10 });
    drawDensity(svg, d, SIZE, LIGHT_PALETTE);
    expect(drawnArea(d.edges)).toBeCloseTo(1, 9);
    expect(svg.querySelector('.zeros')).toBeNull();
  });

  it('states the zeros that it cannot bin', () => {
    drawDensity(svg, data(), SIZE, LIGHT_PALETTE);
    const note = "6 zero singular values (σ = 0, log = −∞) not shown: 6 of 16; the bars' area is 0.625";
    expect(zerosNote(6, 16)).toBe(note);
    expect(zerosNote(1, 4)).toBe("1 zero singular value (σ = 0, log = −∞) not shown: 1 of 4; the bars' area is 0.75");
    expect(zerosNote(0, 4)).toBeNull();
    // Drawn in wrapped lines; the words are all there.
    expect([...svg.querySelectorAll('.zeros tspan')].map((t) => t.textContent).join(' ')).toBe(note);
  });
});

describe('density: overlays', () => {
  it('draws theory densities as lines on the same scale, and markers as labelled dashed lines', () => {
    drawDensity(
      svg,
      data({
        theory: [{ id: 'pennington', label: 'PSG density', note: 'N → ∞', x: [-2, -1, 0, 1], y: [0.1, 0.5, null, 0.2], style: 'line' }],
        markers: [{ x: 0.5, label: 'outlier' }],
      }),
      SIZE,
      LIGHT_PALETTE,
    );
    const path = svg.querySelector('.theory-pennington path')!;
    const { points, moves } = pathPoints(path.getAttribute('d'));
    expect(moves).toBe(2);
    const inv = axisInverse(svg, '.y-axis');
    expect(inv(points[1]![1])).toBeCloseTo(0.5, 5);
    const marker = svg.querySelector('.marker')!;
    const line = marker.querySelector('line')!;
    expect(axisInverse(svg, '.x-axis')(num(line, 'x1'))).toBeCloseTo(0.5, 9);
    expect(line.getAttribute('stroke-dasharray')).toBeTruthy();
    expect(marker.querySelector('title')!.textContent).toBe('outlier: 0.5');
    expect(marker.querySelector('.marker-label')!.textContent).toBe('outlier (0.5)');
    const legend = [...svg.querySelectorAll('.legend-entry text')].map((t) => t.textContent);
    expect(legend).toEqual(['measured: 10 of 16 values (density of all values)', 'PSG density', 'outlier']);
    expect(badValues(svg)).toEqual([]);
  });

  it('caps the y axis when a theory density spikes (integrable edge singularity)', () => {
    drawDensity(svg, data({ theory: [{ id: 'pennington', label: 't', note: '', x: [-2, -1.99], y: [1000, 1], style: 'line' }] }), SIZE, LIGHT_PALETTE);
    const top = axisInverse(svg, '.y-axis')(0);
    expect(top).toBeLessThan(1.6 * 0.375 * 1.08 * 1.5);
    expect(top).toBeGreaterThan(0.375);
  });
});

describe('density: nothing to plot', () => {
  it('unavailable: only the message, no axes or bars', () => {
    const why = 'The singular values of J need all N directions: k = 8 < N = 16.';
    drawDensity(svg, data({ unavailable: why }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe(why);
    expect(bars()).toHaveLength(0);
    expect(svg.querySelector('.x-axis')).toBeNull();
    expect(svg.querySelector('.legend')).toBeNull();
    expect(badValues(svg)).toEqual([]);
  });

  it('no sample yet: axes and a waiting message', () => {
    drawDensity(svg, data({ edges: [], counts: [], zeros: 0, total: 0 }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe('Waiting for the first finished sample…');
    expect(svg.querySelector('.x-axis')).not.toBeNull();
    expect(badValues(svg)).toEqual([]);
  });

  it('all singular values zero: says so instead of waiting', () => {
    drawDensity(svg, data({ edges: [], counts: [], zeros: 12, total: 12 }), SIZE, LIGHT_PALETTE);
    expect(message()).toBe('All 12 singular values are exactly 0 (σ = 0, log = −∞): there is no finite value to bin.');
    expect(bars()).toHaveLength(0);
  });

  it('malformed bins (edges not counts + 1, or non-finite) draw no bars and no NaN', () => {
    drawDensity(svg, data({ edges: [0, 1], counts: [1, 2, 3] }), SIZE, LIGHT_PALETTE);
    expect(bars()).toHaveLength(0);
    expect(badValues(svg)).toEqual([]);
    drawDensity(svg, data({ edges: [0, NaN, 2], counts: [1, 2] }), SIZE, LIGHT_PALETTE);
    expect(bars()).toHaveLength(0);
    expect(badValues(svg)).toEqual([]);
  });
});

describe('density: robustness', () => {
  it('is idempotent', () => {
    const d = data({ markers: [{ x: 0.2, label: 'm' }] });
    drawDensity(svg, d, SIZE, LIGHT_PALETTE);
    const first = svg.outerHTML;
    drawDensity(svg, data({ unavailable: 'no' }), SIZE, LIGHT_PALETTE);
    drawDensity(svg, d, SIZE, LIGHT_PALETTE);
    expect(svg.outerHTML).toBe(first);
  });

  it('hostile axis label, marker label and unavailable reason stay text', () => {
    drawDensity(svg, data({ xLabel: HOSTILE, markers: [{ x: 0, label: HOSTILE }] }), SIZE, LIGHT_PALETTE);
    expect(injectedElements(svg)).toBe(0);
    expect(svg.querySelector('.x-label')!.textContent).toBe(HOSTILE);
    drawDensity(svg, data({ unavailable: HOSTILE }), SIZE, LIGHT_PALETTE);
    expect(injectedElements(svg)).toBe(0);
    expect(message()).toBe(HOSTILE);
  });
});
