/**
 * Exports of a plot: the SVG as drawn (standalone, literal colours), a PNG rendered from it, and the data
 * behind it as CSV (one header row, RFC 4180 quoting) or JSON.
 */
import type { ConvergencePlotData, DensityPlotData, PhasePlotData, SpectrumPlotData } from './types';
import { histogramDensity } from './density';

export function svgMarkup(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('version', '1.1');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** PNG at `scale` times the SVG's size. Browser only (needs image decoding and a canvas). */
export async function svgToPngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const width = Number(svg.getAttribute('width')) || 800;
  const height = Number(svg.getAttribute('height')) || 500;
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be rendered to an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas available');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

type Cell = number | string | null | undefined;

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return String(v);
  }
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Columns of possibly different lengths; shorter ones are padded with empty cells. */
export function toCsv(columns: Record<string, Cell[]>): string {
  const names = Object.keys(columns);
  const rows = Math.max(0, ...names.map((n) => columns[n]!.length));
  const lines = [names.map(csvCell).join(',')];
  for (let r = 0; r < rows; r++) lines.push(names.map((n) => csvCell(columns[n]![r])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** One row per exponent; theory curves follow as their own (x, y) column pairs. */
export function spectrumColumns(d: SpectrumPlotData): Record<string, Cell[]> {
  const cols: Record<string, Cell[]> = {
    i: d.mean.map((_, i) => i + 1),
    'i/k': d.mean.map((_, i) => (i + 1) / d.k),
    // -Infinity where no sample has a finite value (exactly singular direction).
    lambda_per_layer: d.mean.map((m) => (m === null && d.layers > 0 ? -Infinity : m)),
    sem: d.sem,
    finite_samples: d.count,
  };
  for (const c of d.theory) {
    cols[`${c.id} x`] = c.x;
    cols[`${c.id} y`] = c.y;
  }
  return cols;
}

export function densityColumns(d: DensityPlotData): Record<string, Cell[]> {
  const heights = histogramDensity(d);
  const cols: Record<string, Cell[]> = {
    [`bin_lo ${d.xLabel}`]: d.edges.slice(0, -1),
    [`bin_hi ${d.xLabel}`]: d.edges.slice(1),
    count: d.counts,
    density: heights,
    zero_singular_values: [d.zeros],
    total_values: [d.total],
  };
  for (const c of d.theory) {
    cols[`${c.id} x`] = c.x;
    cols[`${c.id} density`] = c.y;
  }
  return cols;
}

export function convergenceColumns(d: ConvergencePlotData): Record<string, Cell[]> {
  const cols: Record<string, Cell[]> = { layer: d.layer, top: d.top, mean: d.mean, bottom: d.bottom };
  if (d.levels.length) {
    cols['theory level'] = d.levels.map((l) => l.label);
    cols['theory value'] = d.levels.map((l) => l.y);
  }
  return cols;
}

/** Long format: one row per grid cell. */
export function phaseColumns(d: PhasePlotData): Record<string, Cell[]> {
  const sw2: number[] = [];
  const sb2: number[] = [];
  const chi: (number | null)[] = [];
  d.sb2.forEach((b, j) =>
    d.sw2.forEach((w, i) => {
      sw2.push(w);
      sb2.push(b);
      chi.push(d.logChi1[j * d.sw2.length + i] ?? null);
    }),
  );
  return { sw2, sb2, log_chi1: chi, 'critical sb2': d.critical.map((c) => c.sb2), 'critical sw2': d.critical.map((c) => c.sw2) };
}
