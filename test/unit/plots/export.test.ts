// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { convergenceColumns, csvCell, densityColumns, downloadBlob, phaseColumns, spectrumColumns, svgMarkup, toCsv } from '../../../src/plots/export';
import { drawPhase, drawSpectrum, LIGHT_PALETTE } from '../../../src/plots/index';
import type { DensityPlotData, SpectrumPlotData } from '../../../src/plots/types';
import { freshSvg, HOSTILE, SVG_NS } from './helpers';

/** A minimal RFC 4180 reader, to check that what toCsv writes reads back as the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('toCsv', () => {
  it('header row, RFC 4180 quoting, empty cells for null and NaN, infinities spelled out, CRLF, padding', () => {
    const csv = toCsv({ a: [1, null, -Infinity], 'b, "quoted"': ['x', 'line\nbreak'], c: [NaN, Infinity] });
    expect(csv).toBe('a,"b, ""quoted""",c\r\n1,x,\r\n,"line\nbreak",Infinity\r\n-Infinity,,\r\n');
  });

  it('round-trips awkward text through a CSV reader', () => {
    const texts = ['plain', 'comma, here', 'say "hi"', 'cr\r\nlf', ' padded ', HOSTILE, '', '-Infinity', 'λ₁ = −∞'];
    const csv = toCsv({ text: texts, n: texts.map((_, i) => -(i + 1) / 3) });
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['text', 'n']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(texts);
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual(texts.map((_, i) => -(i + 1) / 3));
    expect(rows.every((r) => r.length === 2)).toBe(true);
  });

  it('numbers are written exactly (round-trip), no quoting for plain values', () => {
    for (const v of [0.1 + 0.2, -1e-300, 123456789.123, 5e-324]) expect(Number(csvCell(v))).toBe(v);
    expect(csvCell(-Infinity)).toBe('-Infinity');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(' x')).toBe('" x"');
    expect(toCsv({})).toBe('\r\n');
  });
});

const spectrum: SpectrumPlotData = {
  k: 3,
  mean: [0.1, -0.2, null],
  sem: [0.01, null, null],
  count: [4, 4, 0],
  samples: 4,
  layers: 10,
  singular: null,
  note: null,
  theory: [
    { id: 'newman', label: 'Exact, finite N', note: '', x: [1 / 3, 2 / 3, 1], y: [0.1, -0.3, null], style: 'points' },
    { id: 'residual-outlier', label: 'edge', note: '', x: [0.5], y: [], style: 'vline' },
  ],
};

describe('per-plot columns', () => {
  it('spectrum: one row per exponent, -Infinity where no sample is finite, theory as labelled column pairs', () => {
    const cols = spectrumColumns(spectrum);
    expect(cols['i']).toEqual([1, 2, 3]);
    expect(cols['i/k']).toEqual([1 / 3, 2 / 3, 1]);
    expect(cols['lambda_i per layer']).toEqual([0.1, -0.2, -Infinity]);
    expect(cols['standard error']).toEqual([0.01, null, null]);
    expect(cols['finite samples']).toEqual([4, 4, 0]);
    expect(cols['theory Exact, finite N: lambda per layer']).toEqual([0.1, -0.3, null]);
    expect(cols['theory edge: i/k']).toEqual([0.5]);
    const rows = parseCsv(toCsv(cols));
    expect(rows).toHaveLength(4);
    expect(rows[3]![2]).toBe('-Infinity');
    expect(rows[0]).toContain('theory Exact, finite N: i/k');
    // Before any layer a null mean is "no data", not -Infinity.
    expect(spectrumColumns({ ...spectrum, layers: 0 })['lambda_i per layer']).toEqual([0.1, -0.2, null]);
  });

  it('spectrum: two curves with the same label keep separate columns', () => {
    const cols = spectrumColumns({
      ...spectrum,
      theory: [
        { id: 'newman', label: 'same', note: '', x: [1], y: [1], style: 'points' },
        { id: 'free-spectrum', label: 'same', note: '', x: [2], y: [2], style: 'line' },
      ],
    });
    expect(cols['theory same: lambda per layer']).toEqual([1]);
    expect(cols['theory same (free-spectrum): lambda per layer']).toEqual([2]);
  });

  it('density: bins with the density actually drawn, zeros and total, markers, theory', () => {
    const d: DensityPlotData = {
      unavailable: null,
      edges: [0, 1, 3],
      counts: [2, 4],
      zeros: 2,
      total: 8,
      xLabel: 'log σ',
      theory: [{ id: 'pennington', label: 'PSG', note: '', x: [0, 1], y: [0.2, 0.3], style: 'line' }],
      markers: [{ x: 2, label: 'outlier' }],
    };
    const cols = densityColumns(d);
    expect(cols['bin low (log σ)']).toEqual([0, 1]);
    expect(cols['bin high (log σ)']).toEqual([1, 3]);
    expect(cols['density']).toEqual([2 / 8, 4 / 16]);
    expect(cols['zero singular values (log = -Infinity, not binned)']).toEqual([2]);
    expect(cols['all values']).toEqual([8]);
    expect(cols['marker']).toEqual(['outlier']);
    expect(cols['theory PSG: density']).toEqual([0.2, 0.3]);
    const un = densityColumns({ ...d, unavailable: 'k < N', edges: [], counts: [] });
    expect(un['note']).toEqual(['k < N']);
    expect(un['density']).toEqual([]);
  });

  it('convergence and phase (long format, sb2 outer, sw2 inner)', () => {
    expect(convergenceColumns({ layer: [1, 2], top: [0.1, null], bottom: [null, -1], mean: [0, 0], levels: [{ y: 0.5, label: 'exact' }] })).toEqual({
      layer: [1, 2],
      'top lambda_1': [0.1, null],
      'mean of finite lambda_i': [0, 0],
      'bottom lambda_k': [null, -1],
      'theory level': ['exact'],
      'theory value': [0.5],
    });
    const p = phaseColumns({
      sw2: [1, 2],
      sb2: [0, 0.5],
      logChi1: [-0.5, null, 0.1, 0.2],
      critical: [{ sb2: 0, sw2: null }],
      current: { sw2: 1.5, sb2: 0 },
      activation: 'tanh',
    });
    expect(p['sw2']).toEqual([1, 2, 1, 2]);
    expect(p['sb2']).toEqual([0, 0, 0.5, 0.5]);
    expect(p['log_chi1']).toEqual([-0.5, null, 0.1, 0.2]);
    expect(p['critical line sw2']).toEqual([null]);
    expect(p['current sw2']).toEqual([1.5]);
  });
});

describe('svgMarkup', () => {
  let svg: SVGSVGElement;
  beforeEach(() => {
    svg = freshSvg();
  });

  it('is a standalone SVG document: XML declaration, one xmlns, explicit size, literal colours, no tab stops', () => {
    drawPhase(
      svg,
      { sw2: [1, 2], sb2: [0, 1], logChi1: [0, 1, -1, null], critical: [], current: { sw2: 1, sb2: 0 }, activation: HOSTILE },
      { width: 300, height: 200, fontSize: 12 },
      LIGHT_PALETTE,
      () => {},
    );
    const text = svgMarkup(svg);
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
    expect(text.match(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(1);
    expect(text).toMatch(/<svg [^>]*width="300"/);
    expect(text).toMatch(/<svg [^>]*height="\d+(\.\d+)?"/);
    expect(text).not.toMatch(/var\(--|<style|class="[^"]*"\s+style=/);
    expect(text).not.toContain('tabindex');
    expect(text).not.toContain('<img');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The page's svg keeps its tab stop.
    expect(svg.querySelector('[tabindex="0"]')).not.toBeNull();
    // It parses back as SVG with the same elements.
    const doc = new DOMParser().parseFromString(text.replace(/^<\?xml[^>]*>\n/, ''), 'image/svg+xml');
    expect(doc.documentElement.namespaceURI).toBe(SVG_NS);
    expect(doc.documentElement.querySelectorAll('*').length).toBe(svg.querySelectorAll('*').length);
  });

  it('gives an svg without width/height the viewBox size', () => {
    const bare = document.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
    bare.setAttribute('viewBox', '0 0 320 180');
    const text = svgMarkup(bare);
    expect(text).toMatch(/width="320"/);
    expect(text).toMatch(/height="180"/);
    expect(text.match(/xmlns=/g)).toHaveLength(1);
  });

  it('of a drawn spectrum contains its points', () => {
    drawSpectrum(svg, spectrum, { width: 300, height: 200, fontSize: 12 }, LIGHT_PALETTE);
    expect(svgMarkup(svg).match(/data-role="exponent"/g)).toHaveLength(2);
  });
});

describe('downloadBlob', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('clicks a temporary download link for an object URL, removes it, and revokes the URL later', () => {
    vi.useFakeTimers();
    const create = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:test/1');
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const clicked: { href: string; download: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download, attached: this.isConnected });
    });
    const blob = new Blob(['a,b\r\n'], { type: 'text/csv' });
    downloadBlob(blob, 'spectrum.csv');
    expect(create).toHaveBeenCalledWith(blob);
    expect(clicked).toEqual([{ href: 'blob:test/1', download: 'spectrum.csv', attached: true }]);
    expect(document.querySelector('a[download]')).toBeNull();
    expect(revoke).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(revoke).toHaveBeenCalledWith('blob:test/1');
  });
});

// svgToPngBlob is not unit tested: happy-dom neither decodes an SVG into an <img> nor has a 2D canvas
// (see its doc comment). It needs a browser test (Chromium), which the e2e suite does not have yet.
