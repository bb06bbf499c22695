/**
 * The singular-value density of J. The histogram is normalized as a probability density of ALL values,
 * count / (total × bin width), so the bars' area is the finite fraction (total − zeros) / total: exactly
 * zero singular values (log = −∞), which cannot be binned, lower the area instead of disappearing, and
 * the plot states how many there are. Theory densities come in the same variable and normalization (their
 * producer includes the finite mass). Markers (e.g. the outlier of residual nets with a non-odd
 * activation) are labelled dashed vertical lines.
 */
import { scaleLinear } from 'd3';
import type { DensityPlotData, Palette, PlotSize } from './types';
import {
  beginPlot,
  clipTo,
  drawAxes,
  drawCornerNote,
  drawMessage,
  finiteExtent,
  halo,
  isFiniteNumber,
  padExtent,
  truncate,
  valueText,
  type LegendEntry,
} from './frame';
import { drawTheory, theoryLegend } from './theory-curves';

/** Heights of the histogram bars: count / (total × width), so that their area is the finite fraction. */
export function histogramDensity(data: Pick<DensityPlotData, 'edges' | 'counts' | 'total'>): number[] {
  return data.counts.map((c, i) => {
    const w = data.edges[i + 1]! - data.edges[i]!;
    return data.total > 0 && w > 0 && Number.isFinite(w) ? c / (data.total * w) : 0;
  });
}

/** The sentence about zero singular values, or null when there are none. */
export function zerosNote(zeros: number, total: number): string | null {
  if (!(zeros > 0)) return null;
  const plural = zeros === 1 ? 'value' : 'values';
  return `${zeros} zero singular ${plural} (σ = 0, log = −∞) not shown: ${zeros} of ${total}; the bars' area is ${valueText((total - zeros) / total)}`;
}

export function drawDensity(svg: SVGSVGElement, data: DensityPlotData, size: PlotSize, palette: Palette): void {
  const title = `Density of ${data.xLabel} of the singular values of J`;
  if (data.unavailable !== null) {
    // Nothing to plot: only the reason, no empty axes that look like a plot of nothing.
    drawMessage(beginPlot(svg, size, palette, title), data.unavailable);
    return;
  }
  const binned = data.counts.length > 0 && data.edges.length === data.counts.length + 1 && data.edges.every(Number.isFinite);
  const legend: LegendEntry[] = [];
  if (binned) {
    legend.push({ label: `measured: ${data.total - data.zeros} of ${data.total} values (density of all values)`, color: palette.dataBand, kind: 'band' });
    legend.push(...theoryLegend(data.theory, palette));
    for (const m of data.markers) legend.push({ label: m.label, color: palette.accent, kind: 'line', dash: '5 4' });
  }
  const f = beginPlot(svg, size, palette, title, legend);
  if (!binned) {
    drawAxes(f, scaleLinear().domain([0, 1]).range([0, f.width]), scaleLinear().domain([0, 1]).range([f.height, 0]), data.xLabel, 'density');
    const allZero = data.total > 0 && data.zeros >= data.total;
    drawMessage(
      f,
      allZero
        ? `All ${data.total} singular values are exactly 0 (σ = 0, log = −∞): there is no finite value to bin.`
        : 'Waiting for the first finished sample…',
    );
    return;
  }
  const heights = histogramDensity(data);
  const edges = data.edges;
  const [lo, hi] = finiteExtent([edges[0], edges[edges.length - 1], ...data.markers.map((m) => m.x)])!;
  const x = scaleLinear()
    .domain(padExtent([lo, hi]))
    .range([0, f.width]);
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
    const x0 = x(edges[i]!);
    const x1 = x(edges[i + 1]!);
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
  const fs = size.fontSize;
  for (const m of data.markers) {
    if (!isFiniteNumber(m.x)) continue;
    const mg = body.append('g').attr('class', 'marker');
    mg.append('title').text(`${m.label}: ${valueText(m.x)}`);
    mg.append('line')
      .attr('x1', x(m.x))
      .attr('x2', x(m.x))
      .attr('y1', 0)
      .attr('y2', f.height)
      .attr('stroke', palette.accent)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', '5 4');
    const right = x(m.x) > f.width * 0.6;
    mg.append('text')
      .attr('class', 'marker-label')
      .attr('x', x(m.x) + (right ? -4 : 4))
      .attr('y', f.height - fs * 0.6)
      .attr('text-anchor', right ? 'end' : 'start')
      .attr('font-size', fs * 0.85)
      .call(halo, palette)
      .text(`${truncate(m.label, 40)} (${valueText(m.x)})`);
  }
  const note = zerosNote(data.zeros, data.total);
  if (note) drawCornerNote(f, note, 'zeros');
}
