/**
 * The mean-field order/chaos map: log chi_1 over (sw2, sb2) as a heat map on a diverging scale centred at
 * chi_1 = 1, the critical line, and the current point. Clicking (or tapping) the map calls onPick with the
 * (sw2, sb2) under the pointer, clamped to the grid. The map is focusable and named for screen readers, but
 * it takes no keys: the sliders are the keyboard path, and arrow keys are never taken from the page.
 */
import { interpolateRgb, line, scaleLinear } from 'd3';
import type { Palette, PhasePlotData, PickHandler, PlotSize } from './types';
import { beginPlot, drawAxes, drawMessage, halo, isFiniteNumber, valueText, type LegendEntry } from './frame';

/** |log chi_1| beyond this is drawn at full colour. */
export const LOG_CHI_CLAMP = 1.5;

/** Colour of a cell: ordered colour for log chi_1 < 0, chaotic for > 0, background at 0, grid colour for null. */
export function phaseColor(palette: Palette, logChi1: number | null): string {
  if (logChi1 === null || !Number.isFinite(logChi1)) return palette.grid;
  const t = Math.max(-1, Math.min(1, logChi1 / LOG_CHI_CLAMP));
  return t < 0 ? interpolateRgb(palette.background, palette.ordered)(-t * 0.85) : interpolateRgb(palette.background, palette.chaotic)(t * 0.85);
}

/** Cell boundaries halfway between grid points (the grid need not be uniform). */
function edges(values: number[]): number[] {
  const n = values.length;
  if (n === 1) return [values[0]! - 0.5, values[0]! + 0.5];
  const out = [values[0]! - (values[1]! - values[0]!) / 2];
  for (let i = 0; i < n - 1; i++) out.push((values[i]! + values[i + 1]!) / 2);
  out.push(values[n - 1]! + (values[n - 1]! - values[n - 2]!) / 2);
  return out;
}

export function drawPhase(svg: SVGSVGElement, data: PhasePlotData, size: PlotSize, palette: Palette, onPick?: PickHandler): void {
  const legend: LegendEntry[] = [
    { label: 'ordered χ₁ < 1', color: palette.ordered, kind: 'band' },
    { label: 'chaotic χ₁ > 1', color: palette.chaotic, kind: 'band' },
    { label: 'edge of chaos χ₁ = 1', color: palette.foreground, kind: 'line' },
    { label: 'current (σw², σb²)', color: palette.accent, kind: 'marker' },
  ];
  if (data.logChi1.some((v) => v === null)) legend.push({ label: 'q* diverges (no fixed point)', color: palette.grid, kind: 'band' });
  const title = `Mean-field phase diagram for ${data.activation}: log χ₁ over σw² and σb²`;
  const nx = data.sw2.length;
  const ny = data.sb2.length;
  const usable = nx > 0 && ny > 0 && data.sw2.every(Number.isFinite) && data.sb2.every(Number.isFinite);
  const f = beginPlot(svg, size, palette, title, usable ? legend : []);
  if (!usable) {
    const x = scaleLinear().domain([0, 1]).range([0, f.width]);
    drawAxes(f, x, scaleLinear().domain([0, 1]).range([f.height, 0]), 'σw²', 'σb²');
    drawMessage(f, data.message ?? 'No phase diagram for this activation.');
    return;
  }
  const ex = edges(data.sw2);
  const ey = edges(data.sb2);
  const x = scaleLinear().domain([ex[0]!, ex[nx]!]).range([0, f.width]);
  const y = scaleLinear().domain([ey[0]!, ey[ny]!]).range([f.height, 0]);
  const cells = f.g.append('g').attr('class', 'cells');
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = data.logChi1[j * nx + i] ?? null;
      cells
        .append('rect')
        .attr('x', x(ex[i]!))
        .attr('y', y(ey[j + 1]!))
        // Half a pixel of overlap hides anti-aliasing seams between cells.
        .attr('width', Math.max(0, x(ex[i + 1]!) - x(ex[i]!)) + 0.5)
        .attr('height', Math.max(0, y(ey[j]!) - y(ey[j + 1]!)) + 0.5)
        .attr('fill', phaseColor(palette, v));
    }
  }
  drawAxes(f, x, y, 'σw²', 'σb²');
  f.g.select('.grid').remove();

  const crit = line<{ sb2: number; sw2: number | null }>()
    .defined((d) => isFiniteNumber(d.sw2) && isFiniteNumber(d.sb2) && d.sw2 >= ex[0]! && d.sw2 <= ex[nx]!)
    .x((d) => x(d.sw2!))
    .y((d) => y(d.sb2));
  const critPath = f.g.append('path').attr('class', 'critical').attr('fill', 'none').attr('stroke', palette.foreground).attr('stroke-width', 2.2);
  const d = crit(data.critical);
  if (d) critPath.attr('d', d);

  const fs = size.fontSize;
  const { sw2, sb2 } = data.current;
  if (isFiniteNumber(sw2) && isFiniteNumber(sb2)) {
    const cx = x(Math.max(ex[0]!, Math.min(ex[nx]!, sw2)));
    const cy = y(Math.max(ey[0]!, Math.min(ey[ny]!, sb2)));
    const current = f.g.append('g').attr('class', 'current');
    current
      .append('circle')
      .attr('cx', cx)
      .attr('cy', cy)
      .attr('r', fs * 0.45)
      .attr('fill', palette.accent)
      .attr('stroke', palette.background)
      .attr('stroke-width', 2);
    const flip = cx > f.width * 0.7;
    current
      .append('text')
      .attr('x', cx + fs * 0.7 * (flip ? -1 : 1))
      .attr('y', cy < fs * 1.2 ? cy + fs * 1.4 : cy - fs * 0.6)
      .attr('text-anchor', flip ? 'end' : 'start')
      .call(halo, palette)
      .text(`(${valueText(sw2)}, ${valueText(sb2)})`);
  }

  if (onPick) {
    // An interactive child: the <svg> is a named group, not an image (role="img" would hide the button).
    f.svg.attr('role', 'group');
    const lo = (v: number[]) => Math.max(0, v[0]!);
    const hi = (v: number[]) => Math.max(0, v[v.length - 1]!);
    const target = f.g
      .append('rect')
      .attr('class', 'pick-area')
      .attr('width', f.width)
      .attr('height', f.height)
      .attr('fill', 'transparent')
      .attr('stroke', 'none')
      .attr('cursor', 'crosshair')
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-label', 'Phase diagram: click a point to set σw² and σb² to it (the sliders set them from the keyboard)');
    target.append('title').text('Click to set σw² and σb² to this point');
    // A visible focus ring (outline styles do not apply to SVG children everywhere).
    target.on('focus', () => target.attr('stroke', palette.accent).attr('stroke-width', 3));
    target.on('blur', () => target.attr('stroke', 'none').attr('stroke-width', null));
    target.on('click', (event: MouseEvent) => {
      const [px, py] = pointerIn(target.node()!, event, f.width, f.height);
      if (!isFiniteNumber(px) || !isFiniteNumber(py)) return;
      onPick(clamp(x.invert(px), lo(data.sw2), hi(data.sw2)), clamp(y.invert(py), lo(data.sb2), hi(data.sb2)));
    });
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * Pointer position inside the plot-area rect, in its own user units (0..width, 0..height). Uses the rect's
 * screen box where the browser lays it out, so CSS scaling of the <svg> is undone; where there is no layout
 * (happy-dom, or a detached svg), offsetX/offsetY, which are then taken relative to the rect.
 */
export function pointerIn(rect: SVGRectElement, event: MouseEvent, width: number, height: number): [number, number] {
  const box = rect.getBoundingClientRect();
  if (box.width > 0 && box.height > 0) {
    return [((event.clientX - box.left) / box.width) * width, ((event.clientY - box.top) / box.height) * height];
  }
  return [event.offsetX, event.offsetY];
}
