/**
 * The Lyapunov spectrum: lambda_i (per layer) against i/k with a ±1 SE band, theory overlays, and the
 * exponents that are -Infinity in every sample (mean null) drawn as downward triangles pinned to the bottom
 * edge, outside the data range, and counted in words.
 */
import { lambdaName } from '../math/notation';
import { area, line, scaleLinear } from 'd3';
import type { Palette, PlotSize, SpectrumPlotData } from './types';
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
  textWidth,
  valueText,
  type LegendEntry,
} from './frame';
import { drawTheory, theoryLegend } from './theory-curves';

const SV_DASH = '6 3';

export function drawSpectrum(svg: SVGSVGElement, data: SpectrumPlotData, size: PlotSize, palette: Palette): void {
  const k = data.k;
  const n = Math.min(k, data.mean.length);
  const hasData = data.layers > 0 && n > 0;
  const mean = (i: number): number | null => (isFiniteNumber(data.mean[i]) ? data.mean[i]! : null);
  const sem = (i: number): number | null => (isFiniteNumber(data.sem[i]) ? data.sem[i]! : null);
  const idx = Array.from({ length: hasData ? n : 0 }, (_, i) => i);
  const finiteIdx = idx.filter((i) => mean(i) !== null);
  // null (or -Infinity) in every sample: an exactly singular direction. NaN or +Infinity would be an
  // engine bug; they are neither drawn nor counted as -Infinity.
  const negInf = idx.filter((i) => data.mean[i] === null || data.mean[i] === -Infinity);

  const legend: LegendEntry[] = [];
  if (hasData) legend.push({ label: `QR estimate (1/L) Σ log|Rᵢᵢ| (${data.samples} samples, ±1 SE)`, color: palette.data, kind: 'line' });
  const sv = hasData && data.singular ? data.singular : null;
  const svIdx = sv ? sv.mean.map((_, i) => i).filter((i) => isFiniteNumber(sv.mean[i])) : [];
  if (svIdx.length > 0) legend.push({ label: '(1/L) log σᵢ(J), SVD of J', color: palette.accent, kind: 'line', dash: SV_DASH });
  if (negInf.length > 0) legend.push({ label: 'λᵢ = −∞ in every sample', color: palette.foreground, kind: 'triangle' });
  legend.push(...theoryLegend(data.theory, palette));
  const f = beginPlot(svg, size, palette, 'Lyapunov spectrum: exponent per layer against i/k (QR order)', legend);

  const xs = (i: number) => (i + 1) / k;
  const lows = finiteIdx.map((i) => mean(i)! - (sem(i) ?? 0));
  const highs = finiteIdx.map((i) => mean(i)! + (sem(i) ?? 0));
  const theoryY = data.theory.flatMap((c) => (c.style === 'vline' ? [] : c.y));
  const svY = sv ? svIdx.map((i) => sv.mean[i]!) : [];
  const extent = finiteExtent([...lows, ...highs, ...theoryY, ...svY]) ?? [-1, 1];
  const x = scaleLinear().domain([0, 1]).range([0, f.width]);
  const y = scaleLinear().domain(padExtent(extent)).nice().range([f.height, 0]);
  drawAxes(f, x, y, 'i / k', 'λᵢ (per layer)');
  const body = f.g.append('g').attr('clip-path', clipTo(f));

  // The zero line: exponents above it grow, below it shrink.
  const [y0, y1] = y.domain() as [number, number];
  if (y0 < 0 && y1 > 0)
    body
      .append('line')
      .attr('class', 'zero-line')
      .attr('x1', 0)
      .attr('x2', f.width)
      .attr('y1', y(0))
      .attr('y2', y(0))
      .attr('stroke', palette.muted)
      .attr('stroke-width', 1.2);

  if (finiteIdx.length > 0) {
    const band = area<number>()
      .defined((i) => mean(i) !== null && sem(i) !== null)
      .x((i) => x(xs(i)))
      .y0((i) => y(mean(i)! - sem(i)!))
      .y1((i) => y(mean(i)! + sem(i)!));
    body.append('path').attr('class', 'sem-band').attr('d', band(idx)).attr('fill', palette.dataBand).attr('stroke', 'none');
    const path = line<number>()
      .defined((i) => mean(i) !== null)
      .x((i) => x(xs(i)))
      .y((i) => y(mean(i)!));
    body.append('path').attr('class', 'measured').attr('d', path(idx)).attr('fill', 'none').attr('stroke', palette.data).attr('stroke-width', 2);
  }
  drawTheory(body, data.theory, x, y, f.height, palette);
  if (sv && svIdx.length > 0) {
    // sigma_i in descending order at the same i/k as the QR index: the comparison the note asks for.
    const svLine = line<number>()
      .defined((i) => isFiniteNumber(sv.mean[i]))
      .x((i) => x(xs(i)))
      .y((i) => y(sv.mean[i]!));
    const g = body.append('g').attr('class', 'singular-per-layer');
    g.append('title').text('(1/L) log σᵢ(J): the singular values of the whole Jacobian at this depth, per layer, descending');
    g.append('path').attr('d', svLine(idx)).attr('fill', 'none').attr('stroke', palette.accent).attr('stroke-width', 2).attr('stroke-dasharray', SV_DASH);
  }

  const fs = size.fontSize;
  if (finiteIdx.length > 0) {
    const r = Math.max(2, Math.min(fs / 3, f.width / k / 3));
    const points = f.g.append('g').attr('class', 'exponents');
    for (const i of finiteIdx) {
      const m = mean(i)!;
      const s = sem(i);
      points
        .append('circle')
        .attr('data-role', 'exponent')
        .attr('data-index', i + 1)
        .attr('cx', x(xs(i)))
        .attr('cy', y(m))
        .attr('r', r)
        .attr('fill', palette.data)
        .append('title')
        .text(
          `${lambdaName(i + 1)} = ${valueText(m)}${s !== null ? ` ± ${valueText(s)}` : ''} per layer (finite in ${data.count[i] ?? 0} of ${data.samples} samples)`,
        );
    }
  }
  // Theory markers (finite-N values at single indices) go on top of the measured points: where theory
  // and measurement agree, the filled point would otherwise hide the hollow marker.
  body
    .selectAll<SVGGElement, unknown>('g.theory')
    .filter(function () {
      return this.querySelector('circle') !== null;
    })
    .each(function () {
      f.g.node()!.appendChild(this);
    });
  if (negInf.length > 0)
    drawNegInf(
      f.g,
      negInf.map((i) => x(xs(i))),
      negInf,
      f.width,
      f.height,
      fs,
      palette,
    );

  if (data.note && hasData) drawCornerNote(f, data.note, 'spectrum-note');
  if (!hasData) drawMessage(f, data.layers > 0 || k <= 0 ? 'No exponents to show.' : 'Waiting for the first layers…');
  else if (finiteIdx.length === 0) drawMessage(f, `All ${n} exponents are −∞ in every sample: every direction collapsed to exactly 0.`);
}

/** Downward triangles at the bottom edge of the plot for exponents that are −∞, and their count in words. */
function drawNegInf(g: ReturnType<typeof beginPlot>['g'], cxs: number[], indices: number[], width: number, height: number, fs: number, palette: Palette): void {
  const s = fs * 0.4;
  const tri = g.append('g').attr('class', 'neg-inf');
  cxs.forEach((cx, j) => {
    tri
      .append('path')
      .attr('data-role', 'exponent-neg-inf')
      .attr('data-index', indices[j]! + 1)
      .attr('d', `M${cx - s},${height - 2 * s}L${cx + s},${height - 2 * s}L${cx},${height}Z`)
      .attr('fill', palette.foreground)
      .append('title')
      .text(`${lambdaName(indices[j]! + 1)} = −∞ in every sample (an exactly singular direction)`);
  });
  const count = indices.length;
  const label = `${count} exponent${count === 1 ? '' : 's'} = −∞`;
  // The label sits beside the triangles, on whichever side has room (they are usually at the right end).
  const lo = Math.min(...cxs) - s * 1.5;
  const hi = Math.max(...cxs) + s * 1.5;
  const w = textWidth(label, fs * 0.85);
  const left = lo >= w || lo >= width - hi;
  tri
    .append('text')
    .attr('class', 'neg-inf-label')
    .attr('x', left ? Math.max(0, lo) : Math.min(width, hi))
    .attr('y', height - s)
    .attr('dy', '0.1em')
    .attr('text-anchor', left ? 'end' : 'start')
    .attr('font-size', fs * 0.85)
    .call(halo, palette)
    .text(label);
}
