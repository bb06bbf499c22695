/**
 * Signal propagation against layer (docs/THEORY.md 5.14, 5.15): four small panels, q = |x_l|^2/N, the
 * cosine c_l of two inputs, dist = |x_l - x'_l|^2/N and grad = log|J_l...J_1 u|, each as the mean over
 * networks with a +-1 SE band and the theory curves (mean field, large-l asymptotes) beside it. The layer
 * axis is logarithmic ('loglog': polynomial laws are straight lines) or linear ('linlog': exponential laws
 * are); q and dist use a log y axis whenever all their values are positive, the cosine and grad (already
 * a logarithm) a linear one.
 */
import { area, line, scaleLinear, scaleLog } from 'd3';
import type { Palette, PlotSize, SignalPlotData } from './types';
import {
  beginPlot,
  clipTo,
  type AxisScale,
  drawAxes,
  drawCornerNote,
  drawMessage,
  finiteExtent,
  isFiniteNumber,
  padExtent,
  type Frame,
  type LegendEntry,
} from './frame';
import { theoryColor } from './theory-curves';

const THEORY_DASHES = [null, '7 4', '2 3'];

/** Index of a theory curve's kind in the legend (same colour and dash in every panel). */
function theoryKinds(data: SignalPlotData): string[] {
  const kinds: string[] = [];
  for (const p of data.panels) for (const c of p.theory) if (!kinds.includes(c.id)) kinds.push(c.id);
  return kinds;
}

export function drawSignal(svg: SVGSVGElement, data: SignalPlotData, size: PlotSize, palette: Palette): void {
  const kinds = theoryKinds(data);
  const legend: LegendEntry[] = [{ label: `mean ± SE over ${data.samples} networks`, color: palette.data, kind: 'line' }];
  for (const [i, id] of kinds.entries()) {
    const c = data.panels.flatMap((p) => p.theory).find((t) => t.id === id)!;
    legend.push({
      label: id === 'signal-meanfield' ? 'mean field' : 'large-l asymptote',
      note: c.note,
      color: theoryColor(palette, i),
      kind: 'line',
      dash: THEORY_DASHES[i] ?? undefined,
    });
  }
  const f = beginPlot(svg, size, palette, 'Signal, two-input geometry and gradient against layer', legend);
  const fs = size.fontSize;
  // Two columns and two rows of panels inside the frame; the right column needs room for its own y axis.
  const gapX = fs * 4.6;
  const gapY = fs * 3.4;
  const w = (f.width - gapX) / 2;
  const h = (f.height - gapY) / 2;
  // One clip rectangle in each panel's own coordinates (all panels have the same size).
  const clip = clipTo({ ...f, width: w, height: h, clip: undefined });
  data.panels.forEach((panel, i) => {
    const col = i % 2;
    const row = Math.floor(i / 2);
    const g = f.g
      .append('g')
      .attr('class', `signal-panel signal-${panel.key}`)
      .attr('transform', `translate(${col * (w + gapX)},${row * (h + gapY)})`);
    const sub: Frame = { ...f, g, width: w, height: h, clip };
    drawPanel(sub, data, panel, kinds, palette);
    // The schedule's convergence statement goes with the gradient, the quantity it is about.
    if (panel.key === 'grad' && data.notes.length > 0) drawCornerNote(sub, data.notes.join(' '), 'signal-note');
  });
}

function drawPanel(f: Frame, data: SignalPlotData, panel: SignalPlotData['panels'][number], kinds: string[], palette: Palette): void {
  const logX = data.scale === 'loglog';
  const keep = (l: number) => (logX ? l >= 1 : l >= 0);
  const idx = data.layers.map((_, i) => i).filter((i) => keep(data.layers[i]!));
  const theory = panel.theory.map((c) => ({ c, j: c.x.map((_, j) => j).filter((j) => keep(c.x[j]!) && isFiniteNumber(c.y[j])) }));
  const values = [
    ...idx.flatMap((i) => {
      const m = panel.mean[i];
      const s = panel.sem[i] ?? 0;
      return isFiniteNumber(m) ? [m - s, m + s] : [];
    }),
    ...theory.flatMap(({ c, j }) => j.map((k) => c.y[k]!)),
  ];
  // A log axis only pays off over more than a decade; a narrow range reads better on a linear one.
  const logY = panel.logY && values.length > 0 && values.every((v) => v > 0) && Math.max(...values) > 10 * Math.min(...values);
  const xs = [...idx.map((i) => data.layers[i]!), ...theory.flatMap(({ c, j }) => j.map((k) => c.x[k]!))];
  const xMax = Math.max(logX ? 2 : 1, ...xs);
  const x: AxisScale = logX ? scaleLog().domain([1, xMax]).range([0, f.width]) : scaleLinear().domain([0, xMax]).range([0, f.width]);
  const ext = finiteExtent(values) ?? [0, 1];
  const y: AxisScale = logY
    ? scaleLog()
        .domain(ext[0] === ext[1] ? [ext[0] / 2, ext[1] * 2] : ext)
        .nice()
        .range([f.height, 0])
    : scaleLinear().domain(padExtent(ext)).nice().range([f.height, 0]);
  drawAxes(f, x, y, 'layer l', panel.label, { integerX: !logX });
  if (idx.length === 0 || !idx.some((i) => isFiniteNumber(panel.mean[i]))) {
    drawMessage(f, data.waiting);
    return;
  }
  const body = f.g.append('g').attr('clip-path', clipTo(f));
  const finite = (i: number) => isFiniteNumber(panel.mean[i]);
  const band = area<number>()
    .defined((i) => finite(i) && isFiniteNumber(panel.sem[i]) && (!logY || panel.mean[i]! - panel.sem[i]! > 0))
    .x((i) => x(data.layers[i]!))
    .y0((i) => y(panel.mean[i]! - panel.sem[i]!))
    .y1((i) => y(panel.mean[i]! + panel.sem[i]!));
  body.append('path').attr('class', 'band').attr('d', band(idx)).attr('fill', palette.dataBand);
  const mean = line<number>()
    .defined((i) => finite(i) && (!logY || panel.mean[i]! > 0))
    .x((i) => x(data.layers[i]!))
    .y((i) => y(panel.mean[i]!));
  body.append('path').attr('class', 'series series-mean').attr('d', mean(idx)).attr('fill', 'none').attr('stroke', palette.data).attr('stroke-width', 2);
  for (const { c, j } of theory) {
    const k = kinds.indexOf(c.id);
    const g = body.append('g').attr('class', `theory theory-${c.id}`).attr('data-theory', c.id);
    g.append('title').text(`${c.label}: ${c.note}`);
    const path = line<number>()
      .x((m) => x(c.x[m]!))
      .y((m) => y(c.y[m]!));
    g.append('path')
      .attr('d', path(j))
      .attr('fill', 'none')
      .attr('stroke', theoryColor(palette, k))
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', THEORY_DASHES[k] ?? null);
  }
}
