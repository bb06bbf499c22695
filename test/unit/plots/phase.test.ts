// @vitest-environment happy-dom
import { interpolateRgb } from 'd3';
import { beforeEach, describe, expect, it } from 'vitest';
import { drawPhase, LOG_CHI_CLAMP, phaseColor, pointerIn } from '../../../src/plots/phase';
import { DARK_PALETTE, LIGHT_PALETTE } from '../../../src/plots/palette';
import type { PhasePlotData, PlotSize } from '../../../src/plots/types';
import { axisInverse, badValues, freshSvg, HOSTILE, injectedElements, messageText, num, pathPoints, plotArea, translation } from './helpers';

const SIZE: PlotSize = { width: 600, height: 400, fontSize: 12 };
const AREA = plotArea(SIZE);

let svg: SVGSVGElement;
beforeEach(() => {
  svg = freshSvg();
});

// sw2 cells span [0.5, 4.5] (edges halfway between points), sb2 cells span [-0.25, 0.75].
const phase = (over: Partial<PhasePlotData> = {}): PhasePlotData => ({
  sw2: [1, 2, 3, 4],
  sb2: [0, 0.5],
  logChi1: [-1, -0.1, 0.2, null, -1, -0.3, 0, 0.5],
  critical: [
    { sb2: 0, sw2: 2.2 },
    { sb2: 0.25, sw2: 2.4 },
    { sb2: 0.5, sw2: null },
  ],
  current: { sw2: 2.5, sb2: 0.25 },
  activation: 'tanh',
  ...over,
});

/** A click whose offsetX/offsetY (used where there is no layout) are set. */
function clickAt(x: number, y: number): MouseEvent {
  const ev = new MouseEvent('click', { bubbles: true });
  Object.defineProperty(ev, 'offsetX', { value: x });
  Object.defineProperty(ev, 'offsetY', { value: y });
  return ev;
}

describe('phase: heat map', () => {
  it('one cell per grid point, at its place: row j = sb2[j] from the bottom, column i = sw2[i]', () => {
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE);
    const cells = [...svg.querySelectorAll('.cells rect')];
    expect(cells).toHaveLength(8);
    const cw = AREA.width / 4;
    const ch = AREA.height / 2;
    // Cell (i = 0, j = 0) is bottom-left; (i = 3, j = 1) top-right. Widths overlap by half a pixel.
    expect(num(cells[0]!, 'x')).toBeCloseTo(0, 9);
    expect(num(cells[0]!, 'y')).toBeCloseTo(ch, 9);
    expect(num(cells[0]!, 'width')).toBeCloseTo(cw + 0.5, 9);
    expect(num(cells[7]!, 'x')).toBeCloseTo(3 * cw, 9);
    expect(num(cells[7]!, 'y')).toBeCloseTo(0, 9);
    expect(axisInverse(svg, '.x-axis')(num(cells[1]!, 'x') + cw / 2)).toBeCloseTo(2, 9);
    expect(axisInverse(svg, '.y-axis')(num(cells[4]!, 'y') + ch / 2)).toBeCloseTo(0.5, 9);
    expect(svg.querySelector('.x-label')!.textContent).toBe('σw²');
    expect(svg.querySelector('.y-label')!.textContent).toBe('σb²');
    expect(badValues(svg)).toEqual([]);
  });

  it('diverging colours centred at log chi_1 = 0, clamped, grey where undefined', () => {
    const p = LIGHT_PALETTE;
    expect(phaseColor(p, 0)).toBe(interpolateRgb(p.background, p.ordered)(0));
    expect(phaseColor(p, -LOG_CHI_CLAMP)).toBe(interpolateRgb(p.background, p.ordered)(0.85));
    expect(phaseColor(p, -100)).toBe(phaseColor(p, -LOG_CHI_CLAMP));
    expect(phaseColor(p, 100)).toBe(interpolateRgb(p.background, p.chaotic)(0.85));
    expect(phaseColor(p, LOG_CHI_CLAMP / 2)).toBe(interpolateRgb(p.background, p.chaotic)(0.425));
    expect(phaseColor(p, null)).toBe(p.grid);
    expect(phaseColor(p, NaN)).toBe(p.grid);
    expect(LOG_CHI_CLAMP).toBeGreaterThanOrEqual(1);
    drawPhase(svg, phase(), SIZE, DARK_PALETTE);
    const fills = [...svg.querySelectorAll('.cells rect')].map((r) => r.getAttribute('fill'));
    expect(fills[3]).toBe(DARK_PALETTE.grid);
    expect(fills[6]).toBe(phaseColor(DARK_PALETTE, 0));
    expect(fills[0]).toBe(phaseColor(DARK_PALETTE, -1));
  });

  it('critical line broken where there is none; current point marked and labelled; colour legend', () => {
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE);
    const crit = pathPoints(svg.querySelector('.critical')!.getAttribute('d'));
    expect(crit.points).toHaveLength(2);
    expect(axisInverse(svg, '.x-axis')(crit.points[0]![0])).toBeCloseTo(2.2, 4);
    const dot = svg.querySelector('.current circle')!;
    expect(num(dot, 'cx')).toBeCloseTo(0.5 * AREA.width, 9);
    expect(num(dot, 'cy')).toBeCloseTo(0.5 * AREA.height, 9);
    expect(svg.querySelector('.current text')!.textContent).toBe('(2.5, 0.25)');
    const legend = [...svg.querySelectorAll('.legend-entry text')].map((t) => t.textContent);
    expect(legend).toEqual(expect.arrayContaining(['ordered χ₁ < 1', 'chaotic χ₁ > 1', 'edge of chaos χ₁ = 1']));
    expect(badValues(svg)).toEqual([]);
  });

  it('an empty grid gives a message; a non-finite current point is not drawn', () => {
    drawPhase(svg, phase({ sw2: [], sb2: [], logChi1: [], critical: [] }), SIZE, LIGHT_PALETTE);
    expect(messageText(svg)).toBe('No phase diagram for this activation.');
    expect(badValues(svg)).toEqual([]);
    // While the map is computed elsewhere the caller says so instead.
    drawPhase(svg, phase({ sw2: [], sb2: [], logChi1: [], critical: [], message: 'Computing the mean-field map…' }), SIZE, LIGHT_PALETTE);
    expect(messageText(svg)).toBe('Computing the mean-field map…');
    drawPhase(svg, phase({ current: { sw2: NaN, sb2: 0 } }), SIZE, LIGHT_PALETTE);
    expect(svg.querySelector('.current')).toBeNull();
    expect(badValues(svg)).toEqual([]);
  });
});

describe('phase: picking', () => {
  it('without onPick: an image, nothing focusable', () => {
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE);
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.querySelector('[tabindex]')).toBeNull();
  });

  it('a click maps back to (sw2, sb2) through the scales (offset fallback, no layout in happy-dom)', () => {
    const picks: [number, number][] = [];
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE, (a, b) => picks.push([a, b]));
    const area = svg.querySelector<SVGRectElement>('.pick-area')!;
    expect(translation(area.parentElement)).toEqual([AREA.left, AREA.top]);
    expect(area.getBoundingClientRect().width).toBe(0);
    area.dispatchEvent(clickAt(AREA.width / 2, AREA.height / 2));
    area.dispatchEvent(clickAt(AREA.width * 0.125, AREA.height * 0.25));
    expect(picks).toHaveLength(2);
    expect(picks[0]![0]).toBeCloseTo(2.5, 9);
    expect(picks[0]![1]).toBeCloseTo(0.25, 9);
    // 1/8 of [0.5, 4.5] and 3/4 of the way up [-0.25, 0.75].
    expect(picks[1]![0]).toBeCloseTo(1, 9);
    expect(picks[1]![1]).toBeCloseTo(0.5, 9);
  });

  it('with layout, it uses the rendered box, so CSS scaling of the svg is undone', () => {
    const picks: [number, number][] = [];
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE, (a, b) => picks.push([a, b]));
    const area = svg.querySelector<SVGRectElement>('.pick-area')!;
    // Shown at half size, 100 px from the left and 40 px from the top of the viewport.
    const box = { left: 100, top: 40, width: AREA.width / 2, height: AREA.height / 2 };
    area.getBoundingClientRect = () =>
      ({ ...box, x: box.left, y: box.top, right: box.left + box.width, bottom: box.top + box.height, toJSON: () => box }) as DOMRect;
    area.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 100 + box.width * 0.75, clientY: 40 + box.height * 0.5 }));
    expect(picks[0]![0]).toBeCloseTo(0.5 + 0.75 * 4, 9);
    expect(picks[0]![1]).toBeCloseTo(0.25, 9);
    // The same computation, directly.
    const ev = new MouseEvent('click', { clientX: 100, clientY: 40 + box.height });
    expect(pointerIn(area, ev, AREA.width, AREA.height)).toEqual([0, AREA.height]);
  });

  it('clamps picks to the grid and never to a negative variance', () => {
    const picks: [number, number][] = [];
    drawPhase(svg, phase({ sb2: [0.1, 0.6], sw2: [0.2, 1, 2, 3] }), SIZE, LIGHT_PALETTE, (a, b) => picks.push([a, b]));
    const area = svg.querySelector('.pick-area')!;
    area.dispatchEvent(clickAt(-50, AREA.height + 80));
    area.dispatchEvent(clickAt(AREA.width + 5, -5));
    area.dispatchEvent(clickAt(1, AREA.height - 1));
    expect(picks[0]).toEqual([0.2, 0.1]);
    expect(picks[1]).toEqual([3, 0.6]);
    // The left/bottom half-cells lie outside the grid's points: clamped too.
    expect(picks[2]).toEqual([0.2, 0.1]);
    drawPhase(svg, phase({ sb2: [-0.1, 0.4], sw2: [1, 2] }), SIZE, LIGHT_PALETTE, (a, b) => picks.push([a, b]));
    svg.querySelector('.pick-area')!.dispatchEvent(clickAt(0, AREA.height));
    expect(picks[3]![1]).toBe(0);
  });

  it('focusable and named, with a visible focus ring, and takes no keys', () => {
    const picks: [number, number][] = [];
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE, (a, b) => picks.push([a, b]));
    const area = svg.querySelector<SVGRectElement>('.pick-area')!;
    expect(svg.getAttribute('role')).toBe('group');
    expect(area.getAttribute('tabindex')).toBe('0');
    expect(area.getAttribute('role')).toBe('button');
    expect(area.getAttribute('aria-label')).toMatch(/σw².*σb²/);
    area.dispatchEvent(new FocusEvent('focus'));
    expect(area.getAttribute('stroke')).toBe(LIGHT_PALETTE.accent);
    area.dispatchEvent(new FocusEvent('blur'));
    expect(area.getAttribute('stroke')).toBe('none');
    for (const key of ['ArrowLeft', 'ArrowUp', 'Enter', ' ']) {
      const ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
      area.dispatchEvent(ev);
      expect(ev.defaultPrevented).toBe(false);
    }
    expect(picks).toHaveLength(0);
  });

  it('is idempotent: one pick area and one handler call per click after redraws', () => {
    let calls = 0;
    const onPick = () => void calls++;
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE, onPick);
    const first = svg.outerHTML;
    drawPhase(svg, phase(), SIZE, LIGHT_PALETTE, onPick);
    expect(svg.outerHTML).toBe(first);
    expect(svg.querySelectorAll('.pick-area')).toHaveLength(1);
    svg.querySelector('.pick-area')!.dispatchEvent(clickAt(10, 10));
    expect(calls).toBe(1);
  });

  it('hostile activation name stays text', () => {
    drawPhase(svg, phase({ activation: HOSTILE }), SIZE, LIGHT_PALETTE);
    expect(injectedElements(svg)).toBe(0);
    expect(svg.querySelector('title')!.textContent).toContain(HOSTILE);
  });
});
