// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { contrastRatio, DARK_PALETTE, LIGHT_PALETTE, paletteFor, relativeLuminance } from '../../../src/plots/palette';

/** The eight Okabe-Ito colours (Okabe & Ito 2008), black included. */
const OKABE_ITO = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#000000'];

describe('WCAG contrast ratio', () => {
  it('matches the definition at known points', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 10);
    expect(contrastRatio('#0072b2', '#0072b2')).toBe(1);
    expect(contrastRatio('#fff', '#000')).toBeCloseTo(21, 10);
    // The usual threshold examples: #767676 is the lightest grey with 4.5:1 on white, #777777 just fails.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    // Mid grey: luminance of 0x80 is ((128/255 + 0.055) / 1.055)^2.4 = 0.21586.
    expect(relativeLuminance('#808080')).toBeCloseTo(0.21586, 5);
    // Channel weights: green counts most.
    expect(relativeLuminance('#00ff00')).toBeCloseTo(0.7152, 10);
    expect(relativeLuminance('#0000ff')).toBeCloseTo(0.0722, 10);
  });

  it('rejects what it cannot read instead of returning a wrong ratio', () => {
    expect(() => contrastRatio('rgba(0, 0, 0, 0.5)', '#ffffff')).toThrow();
    expect(() => contrastRatio('var(--fg)', '#ffffff')).toThrow();
  });
});

describe.each([
  ['light', LIGHT_PALETTE],
  ['dark', DARK_PALETTE],
])('%s palette', (_, p) => {
  it('text colours have at least 4.5:1 against the background', () => {
    expect(contrastRatio(p.foreground, p.background)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(p.muted, p.background)).toBeGreaterThanOrEqual(4.5);
  });

  it('data, accent and the first four theory colours have at least 3:1 (graphical objects)', () => {
    for (const c of [p.data, p.accent, ...p.theory.slice(0, 4)]) expect(contrastRatio(c, p.background), c).toBeGreaterThanOrEqual(3);
  });

  it('data and theory colours are Okabe-Ito, all different, and the data colour is not a theory colour', () => {
    // On a dark background the set's black becomes white.
    const allowed = p === DARK_PALETTE ? [...OKABE_ITO.filter((c) => c !== '#000000'), '#ffffff'] : OKABE_ITO;
    for (const c of [p.data, ...p.theory, p.ordered, p.chaotic]) expect(allowed).toContain(c.toLowerCase());
    expect(new Set(p.theory).size).toBe(p.theory.length);
    expect(p.theory).not.toContain(p.data);
    expect(p.ordered).not.toBe(p.chaotic);
  });

  it('holds literal colours only (exports must look like the screen)', () => {
    for (const v of Object.values(p).flat()) expect(v).not.toMatch(/var\(|currentColor/);
  });
});

describe('paletteFor', () => {
  it('picks the palette by theme', () => {
    expect(paletteFor(false)).toBe(LIGHT_PALETTE);
    expect(paletteFor(true)).toBe(DARK_PALETTE);
  });
});
