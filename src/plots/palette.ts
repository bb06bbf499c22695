/**
 * Colour palettes for the plots: the Okabe-Ito set (distinguishable with the common colour-vision
 * deficiencies) on a light and a dark background. Colours are literal so exports match the screen.
 */
import type { Palette } from './types';

export const LIGHT_PALETTE: Palette = {
  background: '#ffffff',
  foreground: '#1a1a1a',
  muted: '#5c5c5c',
  grid: '#e3e3e3',
  data: '#0072b2',
  dataBand: 'rgba(0, 114, 178, 0.22)',
  theory: ['#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'],
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

/** WCAG 2 contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const lum = (hex: string) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
