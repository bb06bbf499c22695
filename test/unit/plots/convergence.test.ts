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
    drawConvergence(
      svg,
      conv({
        levels: [
          { y: -0.5, label: 'mean-field' },
          { y: NaN, label: 'broken' },
        ],
      }),
      SIZE,
      LIGHT_PALETTE,
    );
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

  it('draws a finite estimate between gaps as a dot (a depth-1 run has nothing else to show)', () => {
    drawConvergence(svg, { layer: [1], top: [-0.0003], bottom: [-0.0047], mean: [-0.0016], levels: [] }, SIZE, LIGHT_PALETTE);
    const invX = axisInverse(svg, '.x-axis');
    const invY = axisInverse(svg, '.y-axis');
    const dots = [...svg.querySelectorAll('.series-point')];
    expect(dots.map((d) => d.getAttribute('class'))).toEqual(['series-point series-top', 'series-point series-mean', 'series-point series-bottom']);
    expect(dots.map((d) => invY(num(d, 'cy')))).toEqual([-0.0003, -0.0016, -0.0047].map((v) => expect.closeTo(v, 9)));
    expect(invX(num(dots[0]!, 'cx'))).toBeCloseTo(1, 9);
    // Layers are counted: whole-number ticks only (here 0 and 1, not 0.2, 0.4, ...).
    expect([...svg.querySelectorAll('.x-axis .tick text')].map((t) => t.textContent)).toEqual(['0', '1']);
    // conv()'s top has one such value (layer 10, then a gap); the joined ones stay lines.
    svg = freshSvg();
    drawConvergence(svg, conv(), SIZE, LIGHT_PALETTE);
    expect([...svg.querySelectorAll('.series-point')].map((d) => d.getAttribute('class'))).toEqual(['series-point series-top']);
    expect(axisInverse(svg, '.x-axis')(num(svg.querySelector('.series-point')!, 'cx'))).toBeCloseTo(10, 9);
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
