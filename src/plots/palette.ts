/**
 * Colour palettes for the plots: the Okabe-Ito set (distinguishable with the common colour-vision
 * deficiencies) on a light and a dark background. Colours are literal, not CSS variables, so that exports
 * match the screen.
 *
 * Contrast against the background (WCAG 2; checked in test/unit/plots/palette.test.ts): text colours
 * (foreground, muted) at least 4.5:1; the data colour, the current-point accent and the first four theory
 * colours at least 3:1 (graphical objects). On white, Okabe-Ito orange (#e69f00, 2.2:1) and sky blue
 * (#56b4e9, 2.3:1) fall short, so the light theme uses them only for a fifth and sixth overlay.
 */
import type { Palette } from './types';

export const LIGHT_PALETTE: Palette = {
  background: '#ffffff',
  foreground: '#1a1a1a',
  muted: '#5c5c5c',
  grid: '#e3e3e3',
  data: '#0072b2',
  dataBand: 'rgba(0, 114, 178, 0.22)',
  theory: ['#d55e00', '#009e73', '#cc79a7', '#000000', '#e69f00', '#56b4e9'],
  ordered: '#0072b2',
  chaotic: '#d55e00',
  accent: '#000000',
};

export const DARK_PALETTE: Palette = {
  background: '#15171a',
  foreground: '#e8e8e8',
  muted: '#a8adb3',
  grid: '#2c3035',
  data: '#56b4e9',
  dataBand: 'rgba(86, 180, 233, 0.25)',
  theory: ['#e69f00', '#009e73', '#cc79a7', '#f0e442', '#d55e00', '#ffffff'],
  ordered: '#56b4e9',
  chaotic: '#e69f00',
  accent: '#ffffff',
};

export function paletteFor(dark: boolean): Palette {
  return dark ? DARK_PALETTE : LIGHT_PALETTE;
}

/** WCAG 2 relative luminance of a #rrggbb or #rgb colour. */
export function relativeLuminance(color: string): number {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) throw new Error(`relativeLuminance: expected #rgb or #rrggbb, got ${JSON.stringify(color)}`);
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours (#rrggbb or #rgb), from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
