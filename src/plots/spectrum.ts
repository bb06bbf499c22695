/**
 * The Lyapunov spectrum: lambda_i (per layer) against i/k with a ±1 SE band, theory overlays, and the
 * exponents that are -Infinity in every sample drawn as triangles on the bottom edge and counted.
 */
import { area, line, scaleLinear } from 'd3';
import type { Palette, PlotSize, SpectrumPlotData } from './types';
import { beginPlot, clipTo, drawAxes, drawMessage, finiteExtent, padExtent, type LegendEntry } from './frame';
import { drawTheory, theoryLegend } from './theory-curves';

export function drawSpectrum(svg: SVGSVGElement, data: SpectrumPlotData, size: PlotSize, palette: Palette): void {
  const k = data.k;
  const hasData = data.layers > 0 && data.mean.length === k && k > 0;
  const legend: LegendEntry[] = [];
  if (hasData) legend.push({ label: `measured (${data.samples} samples, ±1 SE)`, color: palette.data, kind: 'line' });
  legend.push(...theoryLegend(data.theory, palette));
  const f = beginPlot(svg, size, palette, 'Lyapunov spectrum: exponent per layer against i/k', legend);

  const xs = (i: number) => (i + 1) / Math.max(1, k);
  const lows = data.mean.map((m, i) => (m === null ? null : m - (data.sem[i] ?? 0)));
  const highs = data.mean.map((m, i) => (m === null ? null : m + (data.sem[i] ?? 0)));
  const theoryY = data.theory.flatMap((c) => (c.style === 'vline' ? [] : c.y));
  const extent = finiteExtent(hasData ? [...lows, ...highs, ...theoryY] : theoryY) ?? [-1, 1];
  const x = scaleLinear().domain([0, 1]).range([0, f.width]);
  const y = scaleLinear().domain(padExtent(extent)).nice().range([f.height, 0]);
  drawAxes(f, x, y, 'i / k', 'λᵢ (per layer)');
  const clip = clipTo(f);
  const body = f.g.append('g').attr('clip-path', clip);

  // The zero line: exponents above it grow, below it shrink.
  const [y0, y1] = y.domain() as [number, number];
  if (y0 < 0 && y1 > 0) body.append('line').attr('x1', 0).attr('x2', f.width).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', palette.muted).attr('stroke-width', 1.2);

  if (hasData) {
    const idx = data.mean.map((_, i) => i);
    const band = area<number>()
      .defined((i) => data.mean[i] !== null && data.sem[i] !== null)
      .x((i) => x(xs(i)))
      .y0((i) => y(lows[i]!))
      .y1((i) => y(highs[i]!));
    body.append('path').attr('class', 'sem-band').attr('d', band(idx)).attr('fill', palette.dataBand).attr('stroke', 'none');
    const path = line<number>()
      .defined((i) => data.mean[i] !== null)
      .x((i) => x(xs(i)))
      .y((i) => y(data.mean[i]!));
    body.append('path').attr('class', 'measured').attr('d', path(idx)).attr('fill', 'none').attr('stroke', palette.data).attr('stroke-width', 2);
  }
  drawTheory(body, data.theory, x, y, f.height, palette);

  if (hasData) {
    const r = Math.max(2, Math.min(4, f.width / k / 3));
    const points = f.g.append('g').attr('class', 'exponents');
    data.mean.forEach((m, i) => {
      if (m === null) return;
      points
        .append('circle')
        .attr('data-role', 'exponent')
        .attr('data-index', i + 1)
        .attr('cx', x(xs(i)))
        .attr('cy', y(m))
        .attr('r', r)
        .attr('fill', palette.data)
        .append('title')
        .text(`λ${i + 1} = ${m.toFixed(5)}${data.sem[i] !== null ? ` ± ${data.sem[i]!.toFixed(5)}` : ''} (${data.count[i]} samples)`);
    });
    const negInf = data.mean.map((m, i) => (m === null ? i : -1)).filter((i) => i >= 0);
    if (negInf.length > 0) {
      const fs = size.fontSize;
      const s = fs * 0.4;
      const tri = f.g.append('g').attr('class', 'neg-inf');
      for (const i of negInf) {
        const cx = x(xs(i));
        tri
          .append('path')
          .attr('data-role', 'exponent-neg-inf')
          .attr('d', `M${cx - s},${f.height - 2 * s} L${cx + s},${f.height - 2 * s} L${cx},${f.height} Z`)
          .attr('fill', palette.theory[0]!)
          .append('title')
          .text(`λ${i + 1} = −∞ in every sample (exactly singular direction)`);
      }
      tri
        .append('text')
        .attr('class', 'neg-inf-label')
        .attr('x', x(xs(negInf[0]!)) - s)
        .attr('y', f.height - 2.6 * s)
        .attr('text-anchor', 'end')
        .attr('fill', palette.foreground)
        .attr('font-size', fs * 0.85)
        .text(`${negInf.length} exponent${negInf.length > 1 ? 's' : ''} = −∞ ▼`);
    }
  } else {
    drawMessage(f, k > 0 ? 'Waiting for the first layers…' : 'No exponents to show.');
  }
}
