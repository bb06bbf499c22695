/**
 * Exports of a plot: the SVG as drawn (standalone, literal colours), a PNG rendered from it, and the data
 * behind it as CSV (one header row, RFC 4180 quoting). The plots draw with presentation attributes and
 * literal colours only (no CSS classes for styling, no CSS variables), so the markup needs no inlining.
 */
import type { ConvergencePlotData, DensityPlotData, PhasePlotData, SpectrumPlotData, SignalPlotData, TheoryCurve } from './types';
import { histogramDensity } from './density';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** The SVG as a standalone document: XML declaration, SVG namespace, explicit width and height. */
export function svgMarkup(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  // As a namespace declaration (not a plain attribute), so serializers never write xmlns twice.
  clone.removeAttribute('xmlns');
  clone.setAttributeNS(XMLNS_NS, 'xmlns', SVG_NS);
  clone.setAttribute('version', '1.1');
  if (!clone.getAttribute('width') || !clone.getAttribute('height')) {
    const vb = (clone.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
    const box = svg.getBoundingClientRect();
    const w = vb.length === 4 && vb[2]! > 0 ? vb[2]! : box.width || 800;
    const h = vb.length === 4 && vb[3]! > 0 ? vb[3]! : box.height || 500;
    clone.setAttribute('width', String(w));
    clone.setAttribute('height', String(h));
  }
  // Interaction belongs to the page, not the file.
  for (const el of clone.querySelectorAll('[tabindex]')) el.removeAttribute('tabindex');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/**
 * PNG at `scale` times the SVG's size. Browser only: it needs the SVG decoded and rasterized by an <img>
 * and a 2D canvas, neither of which happy-dom implements (its Image never loads and its canvas has no
 * context), so it is not unit tested. It was checked by hand in headless Chromium (a 2x PNG of the right
 * size and background); no automated test covers it yet. Kept minimal for that reason.
 */
export async function svgToPngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const markup = svgMarkup(svg);
  const width = Number(svg.getAttribute('width')) || 800;
  const height = Number(svg.getAttribute('height')) || 500;
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
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

/** Save a blob under `filename` through a temporary <a download> link. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export type CsvCell = number | string | null | undefined;

/** One CSV field: null/undefined/NaN empty, ±Infinity spelled out, text quoted where RFC 4180 needs it. */
export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return String(v);
  }
  // Quote fields with a comma, quote or line break (RFC 4180), and fields with outer spaces (which
  // spreadsheets would otherwise trim).
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * CSV with one header row (the column names) and CRLF line ends (RFC 4180). Columns may differ in length:
 * shorter ones are padded with empty cells.
 */
export function toCsv(columns: Record<string, CsvCell[]>): string {
  const names = Object.keys(columns);
  const rows = Math.max(0, ...names.map((n) => columns[n]!.length));
  const lines = [names.map(csvCell).join(',')];
  for (let r = 0; r < rows; r++) lines.push(names.map((n) => csvCell(columns[n]![r])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A theory curve as two columns headed by its legend label: "<label>: <x name>" and "<label>: <y name>". */
function theoryColumns(cols: Record<string, CsvCell[]>, curves: TheoryCurve[], xName: string, yName: string): void {
  for (const c of curves) {
    // The id keeps two curves with the same label apart.
    let name = `theory ${c.label}`;
    if (`${name}: ${xName}` in cols) name = `${name} (${c.id})`;
    cols[`${name}: ${xName}`] = c.style === 'vline' ? c.x.slice(0, 1) : c.x;
    cols[`${name}: ${yName}`] = c.style === 'vline' ? [] : c.y;
  }
}

/**
 * One row per exponent (i, i/k, lambda per layer with -Infinity where no sample is finite, SE, finite
 * samples); then each theory curve as its own pair of columns (its x and y), on its own rows from the top.
 */
export function spectrumColumns(d: SpectrumPlotData): Record<string, CsvCell[]> {
  const cols: Record<string, CsvCell[]> = {
    i: d.mean.map((_, i) => i + 1),
    'i/k': d.mean.map((_, i) => (i + 1) / d.k),
    // -Infinity where no sample has a finite value (exactly singular direction).
    'lambda_i per layer': d.mean.map((m) => (m === null && d.layers > 0 ? -Infinity : m)),
    'standard error': d.sem,
    'finite samples': d.count,
    samples: [d.samples],
    layers: [d.layers],
  };
  theoryColumns(cols, d.theory, 'i/k', 'lambda per layer');
  return cols;
}

/**
 * One row per bin (edges, count, density = count / (total × width), whose sum × width is the finite
 * fraction), the number of zero singular values and of all values in the first row, markers, and the
 * theory densities as column pairs.
 */
export function densityColumns(d: DensityPlotData): Record<string, CsvCell[]> {
  const heights = d.unavailable === null ? histogramDensity(d) : [];
  const cols: Record<string, CsvCell[]> = {
    [`bin low (${d.xLabel})`]: d.edges.slice(0, -1),
    [`bin high (${d.xLabel})`]: d.edges.slice(1),
    count: d.counts,
    density: heights,
    'zero singular values (log = -Infinity, not binned)': [d.zeros],
    'all values': [d.total],
  };
  if (d.unavailable !== null) cols['note'] = [d.unavailable];
  if (d.markers.length) {
    cols['marker'] = d.markers.map((m) => m.label);
    cols[`marker (${d.xLabel})`] = d.markers.map((m) => m.x);
  }
  theoryColumns(cols, d.theory, d.xLabel, 'density');
  return cols;
}

/** One row per checkpoint layer; theory levels as a label/value column pair. */
export function convergenceColumns(d: ConvergencePlotData): Record<string, CsvCell[]> {
  const cols: Record<string, CsvCell[]> = { layer: d.layer, 'top lambda_1': d.top, 'mean of finite lambda_i': d.mean, 'bottom lambda_k': d.bottom };
  if (d.levels.length) {
    cols['theory level'] = d.levels.map((l) => l.label);
    cols['theory value'] = d.levels.map((l) => l.y);
  }
  return cols;
}

/** One row per recorded layer: mean and SE of each quantity; then each panel's theory curves as column pairs. */
export function signalColumns(d: SignalPlotData): Record<string, CsvCell[]> {
  const cols: Record<string, CsvCell[]> = { layer: d.layers };
  for (const p of d.panels) {
    cols[`${p.key} mean`] = p.mean;
    cols[`${p.key} SE`] = p.sem;
  }
  for (const p of d.panels)
    theoryColumns(
      cols,
      p.theory.map((c) => ({ ...c, label: `${p.key} ${c.label}` })),
      'layer',
      p.key,
    );
  return cols;
}

/** Long format, one row per grid cell (sw2, sb2, log chi_1); then the critical line and the current point. */
export function phaseColumns(d: PhasePlotData): Record<string, CsvCell[]> {
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
  return {
    sw2,
    sb2,
    log_chi1: chi,
    'critical line sb2': d.critical.map((c) => c.sb2),
    'critical line sw2': d.critical.map((c) => c.sw2),
    'current sw2': [d.current.sw2],
    'current sb2': [d.current.sb2],
  };
}
