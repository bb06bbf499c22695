/**
 * The scaffolding every plot shares: size and accessibility attributes of the <svg>, background, margins
 * from the font size, axes with labels and grid lines, a legend laid out below the plot area (so it never
 * hides data), and a centred message for "no data yet" or "not available". Text only through .text().
 */
import { axisBottom, axisLeft, format, select, type ScaleLinear, type ScaleLogarithmic, type Selection } from 'd3';

/** A numeric axis scale: linear, or logarithmic (the signal plot's layer axis and positive quantities). */
export type AxisScale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;
import type { Palette, PlotSize } from './types';

export type G = Selection<SVGGElement, unknown, null, undefined>;

export interface Frame {
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  /** The plot area, translated by the margins. */
  g: G;
  width: number;
  height: number;
  size: PlotSize;
  palette: Palette;
  /** The clip path of the plot area, once made (see clipTo). */
  clip?: string;
}

export interface LegendEntry {
  label: string;
  /** Tooltip: where it is valid, caveats. */
  note?: string;
  color: string;
  kind: 'line' | 'points' | 'band' | 'marker' | 'triangle';
  dash?: string;
}

const shortFormat = format('~g');
const valueFormat = format('.4~g');
/** Tick text: short, with a typographic minus; never "NaN" or "Infinity" (non-finite ticks are blank). */
export function tickText(v: number): string {
  if (!Number.isFinite(v)) return '';
  return shortFormat(Math.abs(v) < 1e-12 ? 0 : v).replace(/-/g, '−');
}

/**
 * The longest y tick label that fits between the axis and its rotated label (the left margin is 4.4 font
 * sizes, the label's baseline 3.5 from the axis): five characters at the ticks' 0.85 font size.
 */
export const MAX_Y_TICK_CHARS = 5;
const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/**
 * Y tick labels that fit the margin: as they are when every one is at most MAX_Y_TICK_CHARS long,
 * otherwise in units of 10^exponent, the power of ten of the largest tick (as a plot in a paper prints
 * 0.5 and "×10⁻³" above the axis, not 0.0005), when that makes the longest label shorter.
 */
export function yTickLabels(ticks: number[]): { exponent: number; labels: string[]; multiplier: string | null } {
  const plain = ticks.map(tickText);
  const longest = (labels: string[]) => Math.max(0, ...labels.map((l) => l.length));
  const top = Math.max(0, ...ticks.filter(Number.isFinite).map(Math.abs));
  if (longest(plain) <= MAX_Y_TICK_CHARS || !(top > 0)) return { exponent: 0, labels: plain, multiplier: null };
  const exponent = Math.floor(Math.log10(top));
  // Divide by a power of ten written exactly (1e-3, not 10 ** -3 = 0.0010000000000000002).
  const unit = Number(`1e${exponent}`);
  const scaled = ticks.map((t) => tickText(t / unit));
  if (exponent === 0 || longest(scaled) >= longest(plain)) return { exponent: 0, labels: plain, multiplier: null };
  const power = String(exponent).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return { exponent, labels: scaled, multiplier: `×10${power}` };
}

/** A value in a label or tooltip: 4 significant digits, −∞/+∞ spelled as symbols, "—" for NaN or null. */
export function valueText(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  return valueFormat(v).replace(/-/g, '−');
}

/** A number that can be drawn: not null, not NaN, not ±Infinity. */
export function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Approximate rendered width of a text at font size fs (no DOM measurement: also works in tests). */
export function textWidth(text: string, fs: number): number {
  return text.length * fs * 0.56;
}

/** Legend rows below the plot: how many rows `entries` need at this width. */
function legendLayout(entries: LegendEntry[], width: number, fs: number): { x: number; row: number }[] {
  const out: { x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const e of entries) {
    const w = fs * 2.2 + Math.min(textWidth(e.label, fs), width - fs * 2.2);
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    out.push({ x, row });
    x += w + fs * 1.2;
  }
  return out;
}

export function beginPlot(svgEl: SVGSVGElement, size: PlotSize, palette: Palette, title: string, legend: LegendEntry[] = []): Frame {
  const fs = size.fontSize;
  // The top margin holds the y axis's power of ten when its ticks need one (yTickLabels).
  const margin = { top: Math.round(fs * 1.2), right: Math.round(fs * 1.2), bottom: Math.round(fs * 3.2), left: Math.round(fs * 4.4) };
  const width = Math.max(10, size.width - margin.left - margin.right);
  const height = Math.max(10, size.height - margin.top - margin.bottom);
  const layout = legendLayout(legend, width, fs);
  const rows = legend.length ? Math.max(...layout.map((l) => l.row)) + 1 : 0;
  const totalHeight = size.height + rows * fs * 1.5 + (rows ? fs * 0.3 : 0);

  const svg = select(svgEl);
  svg.selectAll('*').remove();
  svg
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 ${size.width} ${totalHeight}`)
    .attr('width', size.width)
    .attr('height', totalHeight)
    .attr('role', 'img')
    .attr('aria-label', title)
    .attr('font-family', 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif')
    .attr('font-size', fs);
  svg.append('title').text(title);
  svg.append('rect').attr('width', size.width).attr('height', totalHeight).attr('fill', palette.background);
  const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);

  if (legend.length) {
    const lg = svg
      .append('g')
      .attr('class', 'legend')
      .attr('transform', `translate(${margin.left},${size.height + fs * 0.2})`);
    legend.forEach((e, i) => {
      const { x, row } = layout[i]!;
      const item = lg
        .append('g')
        .attr('class', 'legend-entry')
        .attr('transform', `translate(${x},${row * fs * 1.5})`);
      if (e.note) item.append('title').text(`${e.label}: ${e.note}`);
      const cy = fs * 0.55;
      if (e.kind === 'triangle') {
        const s = fs * 0.4;
        item
          .append('path')
          .attr('d', `M${fs * 0.8 - s},${cy - s}L${fs * 0.8 + s},${cy - s}L${fs * 0.8},${cy + s}Z`)
          .attr('fill', e.color);
      } else if (e.kind === 'band')
        item
          .append('rect')
          .attr('y', cy - fs * 0.35)
          .attr('width', fs * 1.6)
          .attr('height', fs * 0.7)
          .attr('fill', e.color);
      else if (e.kind === 'points' || e.kind === 'marker')
        item
          .append('circle')
          .attr('cx', fs * 0.8)
          .attr('cy', cy)
          .attr('r', fs * 0.28)
          .attr('fill', e.kind === 'marker' ? e.color : 'none')
          .attr('stroke', e.color)
          .attr('stroke-width', 1.5);
      else
        item
          .append('line')
          .attr('x1', 0)
          .attr('x2', fs * 1.6)
          .attr('y1', cy)
          .attr('y2', cy)
          .attr('stroke', e.color)
          .attr('stroke-width', 2.2)
          .attr('stroke-dasharray', e.dash ?? null);
      // Labels longer than the plot is wide are shortened; the full text stays in the tooltip.
      const maxChars = Math.max(8, Math.floor((width - fs * 2.2) / (fs * 0.56)));
      const label = truncate(e.label, maxChars);
      if (label !== e.label && !e.note) item.append('title').text(e.label);
      item
        .append('text')
        .attr('x', fs * 2.2)
        .attr('y', cy)
        .attr('dy', '0.35em')
        .attr('fill', palette.foreground)
        .text(label);
    });
  }
  return { svg, g, width, height, size, palette };
}

/** `integerX`: x is a count (layers), so it gets whole-number ticks only (no "layer 0.5" on a short run). */
export function drawAxes(f: Frame, x: AxisScale, y: AxisScale, xLabel: string, yLabel: string, options: { integerX?: boolean } = {}): void {
  const { g, width, height, palette, size } = f;
  const fs = size.fontSize;
  const xTicks = Math.max(2, Math.floor(width / (fs * 6)));
  const yTicks = Math.max(2, Math.floor(height / (fs * 3)));
  // Grid lines first, under everything. Axes use offset 0 (d3's default shifts ticks by half a pixel on
  // low-DPI screens), so ticks, grid lines and data share exact coordinates.
  const grid = g.append('g').attr('class', 'grid').attr('stroke', palette.grid).attr('stroke-width', 1);
  for (const t of ticksOf(y, yTicks)) grid.append('line').attr('x1', 0).attr('x2', width).attr('y1', y(t)).attr('y2', y(t));
  const xValues = ticksOf(x, xTicks).filter((t) => !options.integerX || Number.isInteger(t));
  for (const t of xValues) grid.append('line').attr('y1', 0).attr('y2', height).attr('x1', x(t)).attr('x2', x(t));

  const xAxis = g
    .append('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${height})`)
    .call(
      axisBottom(x)
        .offset(0)
        .tickValues(xValues)
        .tickFormat((v) => tickText(Number(v))),
    );
  // Long y ticks (0.0005, 1.2e+6) would run into the axis label: they are printed in units of a power
  // of ten, named above the axis.
  const yValues = ticksOf(y, yTicks);
  const yText = yTickLabels(yValues);
  const yAxis = g
    .append('g')
    .attr('class', 'y-axis')
    .call(
      axisLeft(y)
        .offset(0)
        .tickValues(yValues)
        .tickFormat((_, i) => yText.labels[i] ?? ''),
    );
  for (const axis of [xAxis, yAxis]) {
    axis.attr('font-size', fs * 0.85).attr('font-family', null);
    axis.selectAll('path, line').attr('stroke', palette.muted);
    axis.selectAll('text').attr('fill', palette.foreground);
  }
  g.append('text')
    .attr('class', 'x-label')
    .attr('x', width / 2)
    .attr('y', height + fs * 2.6)
    .attr('text-anchor', 'middle')
    .attr('fill', palette.foreground)
    .text(xLabel);
  g.append('text')
    .attr('class', 'y-label')
    .attr('transform', `translate(${-fs * 3.5},${height / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('fill', palette.foreground)
    .text(yLabel);
  if (yText.multiplier)
    g.append('text')
      .attr('class', 'y-multiplier')
      .attr('x', -fs * 0.4)
      .attr('y', -fs * 0.45)
      .attr('text-anchor', 'end')
      .attr('font-size', fs * 0.85)
      .attr('fill', palette.foreground)
      .text(yText.multiplier);
}

/**
 * Tick values: d3's, except that a log scale spanning several decades keeps only powers of ten (or every
 * second or third one), so labels never crowd.
 */
export function ticksOf(scale: AxisScale, count: number): number[] {
  const ticks = scale.ticks(count);
  if (!('base' in scale)) return ticks;
  const decades = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  if (decades.length < 2)
    return ticks.length <= count + 1 ? ticks : decades.length ? decades : ticks.filter((_, i) => i % Math.ceil(ticks.length / count) === 0);
  const step = Math.ceil(decades.length / Math.max(2, count));
  return decades.filter((_, i) => i % step === 0);
}

/** A centred message in the plot area (possibly over empty axes). Long text is wrapped into lines. */
export function drawMessage(f: Frame, message: string): void {
  const fs = f.size.fontSize;
  const lines = wrapWords(message, Math.max(12, Math.floor(f.width / (fs * 0.56))));
  const text = f.g
    .append('text')
    .attr('class', 'message')
    .attr('x', f.width / 2)
    .attr('y', f.height / 2 - ((lines.length - 1) * fs * 1.3) / 2)
    .attr('text-anchor', 'middle')
    .attr('fill', f.palette.muted);
  lines.forEach((l, i) =>
    text
      .append('tspan')
      .attr('x', f.width / 2)
      .attr('dy', i === 0 ? 0 : fs * 1.3)
      .text(l),
  );
}

/** Extent of the finite numbers in `values`, or null. */
export function finiteExtent(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Pad an extent by 6% (or by 0.5 / 10% of the value when it is a single number). */
export function padExtent([lo, hi]: [number, number]): [number, number] {
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const d = Math.max(0.5, Math.abs(hi) * 0.1);
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * 0.06;
  return [lo - d, hi + d];
}

/** Clip-path ids: one per <svg> element for its lifetime, so a redraw produces identical markup. */
const clipIds = new WeakMap<SVGSVGElement, string>();
let clipCounter = 0;

/** The clip path that keeps curves inside the plot area (made once per drawing); returns url(#id). */
export function clipTo(f: Frame): string {
  if (f.clip) return f.clip;
  const node = f.svg.node()!;
  let id = clipIds.get(node);
  if (!id) {
    id = `lx-clip-${++clipCounter}`;
    clipIds.set(node, id);
  }
  f.svg.append('defs').append('clipPath').attr('id', id).append('rect').attr('width', f.width).attr('height', f.height);
  f.clip = `url(#${id})`;
  return f.clip;
}

/** Split text into lines of at most about maxChars characters, at spaces. */
export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (line && (line + ' ' + word).length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Text in the foreground colour with a background-coloured halo, legible over data: `text.call(halo, palette)`. */
export function halo(text: Selection<SVGTextElement, unknown, null, undefined>, palette: Palette): void {
  text.attr('fill', palette.foreground).attr('stroke', palette.background).attr('stroke-width', 3).attr('paint-order', 'stroke');
}

/** s cut to at most `max` characters, the last one an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A note in the top-right corner of the plot area, wrapped, with a halo so it stays legible over data. */
export function drawCornerNote(f: Frame, text: string, cls: string): void {
  const fs = f.size.fontSize;
  const lines = wrapWords(text, Math.max(16, Math.floor((f.width * 0.7) / (fs * 0.85 * 0.56))));
  const t = f.g
    .append('text')
    .attr('class', cls)
    .attr('y', fs * 1.1)
    .attr('text-anchor', 'end')
    .attr('font-size', fs * 0.85)
    .call(halo, f.palette);
  lines.forEach((l, i) =>
    t
      .append('tspan')
      .attr('x', f.width - 4)
      .attr('dy', i === 0 ? 0 : fs * 1.1)
      .text(l),
  );
}
