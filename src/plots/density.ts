/**
 * The singular-value density of J: a histogram normalized as a density of all values (count / (total ×
 * bin width)), so that exactly zero singular values, which cannot be binned, lower the area to the finite
 * fraction instead of disappearing; they are stated in words. Theory densities are drawn in the same
 * normalization, and markers (e.g. the outlier of residual nets with a non-odd activation) as dashed lines.
 */
import { scaleLinear } from 'd3';
import type { DensityPlotData, Palette, PlotSize } from './types';
import { beginPlot, clipTo, drawAxes, drawMessage, finiteExtent, padExtent, type LegendEntry } from './frame';
import { drawTheory, theoryLegend } from './theory-curves';

/** Heights of the histogram bars: count / (total × width). */
export function histogramDensity(data: Pick<DensityPlotData, 'edges' | 'counts' | 'total'>): number[] {
  return data.counts.map((c, i) => {
    const w = data.edges[i + 1]! - data.edges[i]!;
    return data.total > 0 && w > 0 ? c / (data.total * w) : 0;
  });
}

export function drawDensity(svg: SVGSVGElement, data: DensityPlotData, size: PlotSize, palette: Palette): void {
  const ready = data.unavailable === null && data.counts.length > 0;
  const legend: LegendEntry[] = [];
  if (ready) legend.push({ label: `measured (${data.total - data.zeros} values)`, color: palette.dataBand, kind: 'band' });
  if (ready) legend.push(...theoryLegend(data.theory, palette));
  for (const m of ready ? data.markers : []) legend.push({ label: m.label, color: palette.accent, kind: 'line', dash: '5 4' });
  const f = beginPlot(svg, size, palette, `Density of ${data.xLabel} of the singular values of J`, legend);
  if (!ready) {
    const x = scaleLinear().domain([0, 1]).range([0, f.width]);
    const y = scaleLinear().domain([0, 1]).range([f.height, 0]);
    drawAxes(f, x, y, data.xLabel, 'density');
    drawMessage(f, data.unavailable ?? 'Waiting for the first finished sample…');
    return;
  }
  const heights = histogramDensity(data);
  const xExtent: [number, number] = [data.edges[0]!, data.edges[data.edges.length - 1]!];
  const markerXs = data.markers.map((m) => m.x);
  const [lo, hi] = finiteExtent([...xExtent, ...markerXs])!;
  const x = scaleLinear().domain(padExtent([lo, hi])).range([0, f.width]);
  // Theory may be far taller near an integrable edge singularity; cap the axis at 1.6× the histogram.
  const maxBar = Math.max(...heights, 1e-300);
  const theoryMax = finiteExtent(data.theory.flatMap((c) => (c.style === 'vline' ? [] : c.y)))?.[1] ?? 0;
  const y = scaleLinear()
    .domain([0, Math.max(maxBar, Math.min(theoryMax, 1.6 * maxBar)) * 1.08])
    .nice()
    .range([f.height, 0]);
  drawAxes(f, x, y, data.xLabel, 'density');
  const body = f.g.append('g').attr('clip-path', clipTo(f));
  const bars = body.append('g').attr('class', 'histogram');
  heights.forEach((h, i) => {
    const x0 = x(data.edges[i]!);
    const x1 = x(data.edges[i + 1]!);
    bars
      .append('rect')
      .attr('data-role', 'bin')
      .attr('x', Math.min(x0, x1))
      .attr('width', Math.max(0.5, Math.abs(x1 - x0) - 0.5))
      .attr('y', y(h))
      .attr('height', Math.max(0, f.height - y(h)))
      .attr('fill', palette.dataBand)
      .attr('stroke', palette.data)
      .attr('stroke-width', 0.6);
  });
  drawTheory(body, data.theory, x, y, f.height, palette);
  for (const m of data.markers) {
    if (!Number.isFinite(m.x)) continue;
    body
      .append('line')
      .attr('class', 'marker')
      .attr('x1', x(m.x))
      .attr('x2', x(m.x))
      .attr('y1', 0)
      .attr('y2', f.height)
      .attr('stroke', palette.accent)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', '5 4')
      .append('title')
      .text(m.label);
  }
  if (data.zeros > 0) {
    f.g
      .append('text')
      .attr('class', 'zeros')
      .attr('x', f.width - 4)
      .attr('y', size.fontSize * 1.1)
      .attr('text-anchor', 'end')
      .attr('fill', palette.foreground)
      .text(`${data.zeros} of ${data.total} singular values are exactly 0 (log = −∞), not shown`);
  }
}
