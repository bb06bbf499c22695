/**
 * Shared helpers for the plot tests (happy-dom): a fresh <svg>, the plot-area geometry restated from the
 * layout rule in src/plots/frame.ts, a scan for NaN/Infinity, and scales read back from drawn axes.
 */
import type { PlotSize } from '../../../src/plots/types';

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function freshSvg(): SVGSVGElement {
  document.body.replaceChildren();
  const svg = document.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
  document.body.append(svg);
  return svg;
}

/** The plot area for a size, restating the rule: margins top 1.2, right 1.2, bottom 3.2, left 4.4 font sizes. */
export function plotArea(size: PlotSize): { left: number; top: number; width: number; height: number } {
  const fs = size.fontSize;
  const left = Math.round(fs * 4.4);
  const top = Math.round(fs * 1.2);
  return { left, top, width: size.width - left - Math.round(fs * 1.2), height: size.height - top - Math.round(fs * 3.2) };
}

/** Every attribute value and text node that says NaN or Infinity, or is "undefined"/"null". */
export function badValues(root: Element): string[] {
  const bad: string[] = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of el.getAttributeNames()) {
      const v = el.getAttribute(a)!;
      if (/NaN|Infinity|undefined|null/.test(v)) bad.push(`<${el.tagName} ${a}="${v}">`);
    }
    for (const n of el.childNodes)
      if (n.nodeType === 3 && /NaN|Infinity|undefined/.test(n.textContent ?? '')) bad.push(`<${el.tagName}> text "${n.textContent}"`);
  }
  return bad;
}

/** The translation of a transform="translate(x,y)" attribute. */
export function translation(el: Element | null): [number, number] {
  const m = /translate\(\s*([-\d.e]+)[ ,]\s*([-\d.e]+)\s*\)/.exec(el?.getAttribute('transform') ?? '');
  if (!m) throw new Error(`no translate() on ${el?.outerHTML.slice(0, 80)}`);
  return [Number(m[1]), Number(m[2])];
}

const parseTick = (t: string) => Number(t.replace(/−/g, '-'));

/**
 * The linear map pixel -> value of a drawn d3 axis, fitted from its first and last ticks (their labels and
 * translate offsets). For '.y-axis' the pixel is y, for '.x-axis' it is x, both in plot-area coordinates.
 */
/** The value of a "×10⁻³" axis multiplier (1 when there is none). */
export function multiplierValue(text: string | null): number {
  if (text === null) return 1;
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  const match = /^×10(⁻?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(text);
  if (!match) throw new Error(`unreadable axis multiplier ${text}`);
  const exponent = Number([...match[2]!].map((c) => digits.indexOf(c)).join(''));
  return Number(`1e${match[1] ? -exponent : exponent}`);
}

export function axisInverse(svg: SVGSVGElement, axis: '.x-axis' | '.y-axis'): (px: number) => number {
  const ticks = [...svg.querySelectorAll(`${axis} .tick`)];
  if (ticks.length < 2) throw new Error(`${axis} has fewer than two ticks`);
  // The y ticks may be in units of a power of ten, named by ".y-multiplier" (×10⁻³).
  const unit = axis === '.y-axis' ? multiplierValue(svg.querySelector('.y-multiplier')?.textContent ?? null) : 1;
  const pts = ticks.map((t) => {
    const [tx, ty] = translation(t);
    return { px: axis === '.x-axis' ? tx : ty, v: unit * parseTick(t.querySelector('text')!.textContent!) };
  });
  const a = pts[0]!;
  const b = pts[pts.length - 1]!;
  return (px) => a.v + ((px - a.px) * (b.v - a.v)) / (b.px - a.px);
}

/** Numbers in an SVG path's d attribute, as [x, y] pairs, and how many subpaths (M commands) it has. */
export function pathPoints(d: string | null): { points: [number, number][]; moves: number } {
  if (!d) return { points: [], moves: 0 };
  const nums = (d.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi) ?? []).map(Number);
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) points.push([nums[i]!, nums[i + 1]!]);
  return { points, moves: (d.match(/M/g) ?? []).length };
}

export const num = (el: Element | null, attr: string): number => {
  const v = el?.getAttribute(attr);
  if (v === null || v === undefined) throw new Error(`no ${attr} on ${el?.tagName}`);
  return Number(v);
};

export const HOSTILE = '<img src=x onerror=alert(1)>';

/** No element that markup in a label could have created. */
export function injectedElements(root: Element): number {
  return root.querySelectorAll('img, script, iframe, foreignObject, a').length;
}

/** The centred message, its wrapped lines joined by spaces; null when there is none. */
export function messageText(svg: SVGSVGElement): string | null {
  const m = svg.querySelector('.message');
  return m ? [...m.querySelectorAll('tspan')].map((t) => t.textContent).join(' ') : null;
}
