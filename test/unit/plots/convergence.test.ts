// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { drawConvergence } from '../../../src/plots/convergence';
import { LIGHT_PALETTE } from '../../../src/plots/palette';
import type { ConvergencePlotData, PlotSize } from '../../../src/plots/types';
import { axisInverse, badValues, freshSvg, HOSTILE, injectedElements, messageText, num, pathPoints } from './helpers';

const SIZE: PlotSize = { width: 500, height: 320, fontSize: 12 };
let svg: SVGSVGElement;
beforeEach(() => {
  svg = freshSvg();
});

const conv = (over: Partial<ConvergencePlotData> = {}): ConvergencePlotData => ({
  layer: [10, 20, 30, 40],
  top: [0.1, null, 0.12, 0.11],
  bottom: [-0.9, -0.8, -0.85, -0.84],
  mean: [-0.4, -0.35, -0.36, -0.37],
  levels: [{ y: 0.11, label: 'exact λ₁' }],
  ...over,
});

describe('convergence', () => {
  it('draws three series against layer, on the drawn scales, broken at null', () => {
    drawConvergence(svg, conv(), SIZE, LIGHT_PALETTE);
    const invX = axisInverse(svg, '.x-axis');
    const invY = axisInverse(svg, '.y-axis');
    const top = pathPoints(svg.querySelector('.series-top')!.getAttribute('d'));
    expect(top.moves).toBe(2);
    expect(top.points.map(([x]) => invX(x))).toEqual([10, 30, 40].map((v) => expect.closeTo(v, 4)));
    expect(top.points.map(([, y]) => invY(y))).toEqual([0.1, 0.12, 0.11].map((v) => expect.closeTo(v, 4)));
    const bottom = pathPoints(svg.querySelector('.series-bottom')!.getAttribute('d'));
    expect(bottom.moves).toBe(1);
    expect(bottom.points).toHaveLength(4);
    expect(svg.querySelector('.x-label')!.textContent).toBe('layer l');
    expect(badValues(svg)).toEqual([]);
  });

  it('reads in grayscale: the three series differ in dash pattern as well as colour', () => {
    drawConvergence(svg, conv(), SIZE, LIGHT_PALETTE);
    const series = [...svg.querySelectorAll('.series')];
    expect(series).toHaveLength(3);
    expect(new Set(series.map((s) => s.getAttribute('stroke-dasharray') ?? 'solid')).size).toBe(3);
    expect(new Set(series.map((s) => s.getAttribute('stroke'))).size).toBe(3);
    // The legend shows the same dashes.
    const legendDashes = [...svg.querySelectorAll('.legend-entry line')].slice(0, 3).map((l) => l.getAttribute('stroke-dasharray') ?? 'solid');
    expect(legendDashes).toEqual(series.map((s) => s.getAttribute('stroke-dasharray') ?? 'solid'));
  });

  it('draws levels as labelled horizontal dashed lines at their value; a non-finite level is skipped', () => {
    drawConvergence(svg, conv({ levels: [{ y: -0.5, label: 'mean-field' }, { y: NaN, label: 'broken' }] }), SIZE, LIGHT_PALETTE);
    const levels = [...svg.querySelectorAll('g.level')];
    expect(levels).toHaveLength(1);
    const line = levels[0]!.querySelector('line')!;
    expect(num(line, 'y1')).toBe(num(line, 'y2'));
    expect(axisInverse(svg, '.y-axis')(num(line, 'y1'))).toBeCloseTo(-0.5, 9);
    expect(line.getAttribute('stroke-dasharray')).toBeTruthy();
    expect(levels[0]!.querySelector('.level-label')!.textContent).toBe('mean-field = −0.5');
    expect([...svg.querySelectorAll('.legend-entry text')].map((t) => t.textContent)).toEqual(['top λ₁', 'mean of finite λᵢ', 'bottom λₖ', 'mean-field']);
    expect(badValues(svg)).toEqual([]);
  });

  it('a series with no finite value draws no line and no NaN', () => {
    drawConvergence(svg, conv({ bottom: [null, null, null, null] }), SIZE, LIGHT_PALETTE);
    expect(svg.querySelector('.series-bottom')!.getAttribute('d')).toBeNull();
    expect(badValues(svg)).toEqual([]);
  });

  it('empty: axes and a waiting message', () => {
    drawConvergence(svg, { layer: [], top: [], bottom: [], mean: [], levels: [] }, SIZE, LIGHT_PALETTE);
    expect(messageText(svg)).toBe('Waiting for the first layers…');
    expect(svg.querySelectorAll('.series')).toHaveLength(0);
    expect(badValues(svg)).toEqual([]);
  });

  it('is idempotent and keeps hostile labels as text', () => {
    drawConvergence(svg, conv({ levels: [{ y: 0, label: HOSTILE }] }), SIZE, LIGHT_PALETTE);
    const first = svg.outerHTML;
    drawConvergence(svg, conv({ levels: [{ y: 0, label: HOSTILE }] }), SIZE, LIGHT_PALETTE);
    expect(svg.outerHTML).toBe(first);
    expect(injectedElements(svg)).toBe(0);
    expect(svg.querySelector('.level-label')!.textContent).toBe(`${HOSTILE} = 0`);
  });
});
