/** Running estimates of the top, bottom and mean exponent against layer, with theory levels. */
import { line, scaleLinear } from 'd3';
import type { ConvergencePlotData, Palette, PlotSize } from './types';
import { beginPlot, clipTo, drawAxes, drawMessage, finiteExtent, padExtent, type LegendEntry } from './frame';
import { theoryColor } from './theory-curves';

const SERIES = [
  { key: 'top', label: 'top λ₁', dash: null },
  { key: 'mean', label: 'mean of finite λᵢ', dash: '7 4' },
  { key: 'bottom', label: 'bottom λₖ', dash: '2 3' },
] as const;

export function drawConvergence(svg: SVGSVGElement, data: ConvergencePlotData, size: PlotSize, palette: Palette): void {
  const colors = [palette.data, palette.muted, palette.chaotic];
  const legend: LegendEntry[] = SERIES.map((s, i) => ({ label: s.label, color: colors[i]!, kind: 'line', dash: s.dash ?? undefined }));
  data.levels.forEach((l, i) => legend.push({ label: l.label, color: theoryColor(palette, i + 1), kind: 'line', dash: '5 4' }));
  const f = beginPlot(svg, size, palette, 'Running estimates of the exponents against layer', legend);
  const n = data.layer.length;
  const ys = finiteExtent([...data.top, ...data.bottom, ...data.mean, ...data.levels.map((l) => l.y)]);
  const x = scaleLinear()
    .domain([0, n > 0 ? Math.max(1, data.layer[n - 1]!) : 1])
    .range([0, f.width]);
  const y = scaleLinear()
    .domain(padExtent(ys ?? [-1, 1]))
    .nice()
    .range([f.height, 0]);
  drawAxes(f, x, y, 'layer l', 'running estimate (per layer)');
  if (n === 0) {
    drawMessage(f, 'Waiting for the first layers…');
    return;
  }
  const body = f.g.append('g').attr('clip-path', clipTo(f));
  data.levels.forEach((l, i) => {
    if (!Number.isFinite(l.y)) return;
    body
      .append('line')
      .attr('class', 'level')
      .attr('x1', 0)
      .attr('x2', f.width)
      .attr('y1', y(l.y))
      .attr('y2', y(l.y))
      .attr('stroke', theoryColor(palette, i + 1))
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', '5 4')
      .append('title')
      .text(`${l.label}: ${l.y.toFixed(5)}`);
  });
  const idx = data.layer.map((_, i) => i);
  SERIES.forEach((s, si) => {
    const values = data[s.key];
    const path = line<number>()
      .defined((i) => values[i] !== null && Number.isFinite(values[i]!))
      .x((i) => x(data.layer[i]!))
      .y((i) => y(values[i]!));
    body
      .append('path')
      .attr('class', `series series-${s.key}`)
      .attr('d', path(idx))
      .attr('fill', 'none')
      .attr('stroke', colors[si]!)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', s.dash);
  });
}
