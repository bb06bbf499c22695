/**
 * Running estimates of the top, bottom and mean exponent against layer, with theory levels as labelled
 * horizontal dashed lines. The three series differ in dash pattern as well as colour, so the plot reads in
 * grayscale; null (no finite estimate yet, or −∞) breaks a line.
 */
import { line, scaleLinear } from 'd3';
import type { ConvergencePlotData, Palette, PlotSize } from './types';
import { beginPlot, clipTo, drawAxes, drawMessage, finiteExtent, halo, isFiniteNumber, padExtent, truncate, valueText, type LegendEntry } from './frame';
import { theoryColor } from './theory-curves';

export const CONVERGENCE_SERIES = [
  { key: 'top', label: 'top λ₁', dash: null },
  { key: 'mean', label: 'mean of finite λᵢ', dash: '7 4' },
  { key: 'bottom', label: 'bottom λₖ', dash: '2 3' },
] as const;

const LEVEL_DASH = '5 4';

export function drawConvergence(svg: SVGSVGElement, data: ConvergencePlotData, size: PlotSize, palette: Palette): void {
  const colors = [palette.data, palette.muted, palette.chaotic];
  const legend: LegendEntry[] = CONVERGENCE_SERIES.map((s, i) => ({ label: s.label, color: colors[i]!, kind: 'line', dash: s.dash ?? undefined }));
  const levels = data.levels.filter((l) => isFiniteNumber(l.y));
  levels.forEach((l, i) => legend.push({ label: l.label, color: theoryColor(palette, i + 1), kind: 'line', dash: LEVEL_DASH }));
  const f = beginPlot(svg, size, palette, 'Running estimates of the exponents against layer', legend);
  const n = data.layer.length;
  const lastLayer = n > 0 ? data.layer[n - 1]! : NaN;
  const ys = finiteExtent([...data.top, ...data.bottom, ...data.mean, ...levels.map((l) => l.y)]);
  const x = scaleLinear()
    .domain([0, isFiniteNumber(lastLayer) ? Math.max(1, lastLayer) : 1])
    .range([0, f.width]);
  const y = scaleLinear()
    .domain(padExtent(ys ?? [-1, 1]))
    .nice()
    .range([f.height, 0]);
  drawAxes(f, x, y, 'layer l', 'running estimate (per layer)', { integerX: true });
  if (n === 0) {
    drawMessage(f, 'Waiting for the first layers…');
    return;
  }
  const body = f.g.append('g').attr('clip-path', clipTo(f));
  const fs = size.fontSize;
  levels.forEach((l, i) => {
    const color = theoryColor(palette, i + 1);
    const lg = body.append('g').attr('class', 'level');
    lg.append('title').text(`${l.label}: ${valueText(l.y)}`);
    lg.append('line')
      .attr('x1', 0)
      .attr('x2', f.width)
      .attr('y1', y(l.y))
      .attr('y2', y(l.y))
      .attr('stroke', color)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', LEVEL_DASH);
    // Labelled at the left end, above the line (the running estimates settle at the right end).
    lg.append('text')
      .attr('class', 'level-label')
      .attr('x', 4)
      .attr('y', y(l.y) - 3)
      .attr('font-size', fs * 0.8)
      .call(halo, palette)
      .text(`${truncate(l.label, 48)} = ${valueText(l.y)}`);
  });
  const idx = data.layer.map((_, i) => i);
  CONVERGENCE_SERIES.forEach((s, si) => {
    const values = data[s.key];
    const path = line<number>()
      .defined((i) => isFiniteNumber(values[i]) && isFiniteNumber(data.layer[i]))
      .x((i) => x(data.layer[i]!))
      .y((i) => y(values[i]!));
    const d = path(idx);
    const p = body
      .append('path')
      .attr('class', `series series-${s.key}`)
      .attr('fill', 'none')
      .attr('stroke', colors[si]!)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', s.dash);
    if (d) p.attr('d', d);
    // A finite estimate between two gaps (the only layer of a depth-1 run, or one between −∞ layers)
    // makes no line segment: it is drawn as a dot, so no measured value is invisible. Unclipped: the y
    // domain holds every finite value, and the last layer's dot sits on the right edge.
    const finite = (i: number) => i >= 0 && i < n && isFiniteNumber(values[i]) && isFiniteNumber(data.layer[i]);
    for (const i of idx.filter((i) => finite(i) && !finite(i - 1) && !finite(i + 1)))
      f.g
        .append('circle')
        .attr('class', `series-point series-${s.key}`)
        .attr('cx', x(data.layer[i]!))
        .attr('cy', y(values[i]!))
        .attr('r', 3)
        .attr('fill', colors[si]!);
  });
}
