import { describe, expect, it } from 'vitest';
import { parsePresentation, serializePresentation, PLOT_IDS } from '../../../src/ui/explorer/presentation';

const from = (query: string) => {
  const q = new URLSearchParams(query);
  return parsePresentation((k) => q.get(k));
};

describe('presentation keys', () => {
  it('defaults: full page, every plot, every control, system theme, automatic backend', () => {
    const { presentation, corrections } = from('');
    expect(presentation).toEqual({ embed: false, plots: [...PLOT_IDS], controls: null, theme: 'auto', backend: 'auto' });
    expect(corrections).toEqual([]);
  });

  it('reads embed, plot and control lists, theme and backend', () => {
    const { presentation, corrections } = from('embed=1&plots=density,spectrum,density&controls=depth,sw2&theme=dark&backend=cpu');
    expect(presentation).toEqual({ embed: true, plots: ['density', 'spectrum'], controls: ['depth', 'sw2'], theme: 'dark', backend: 'cpu' });
    expect(corrections).toEqual([]);
    expect(from('controls=none').presentation.controls).toEqual([]);
  });

  it('reports every unusable value and keeps a working layout', () => {
    const { presentation, corrections } = from('embed=maybe&plots=<script>&controls=depth,evil&theme=neon&backend=quantum');
    expect(presentation).toEqual({ embed: false, plots: [...PLOT_IDS], controls: ['depth'], theme: 'auto', backend: 'auto' });
    expect(corrections.map((c) => c.key).sort()).toEqual(['backend', 'controls', 'embed', 'plots', 'plots', 'theme']);
    expect(corrections.find((c) => c.key === 'plots')!.reason).toContain('"<script>"');
  });

  it('shortens very long hostile values in messages', () => {
    const { corrections } = from(`theme=${'x'.repeat(5000)}`);
    expect(corrections[0]!.reason.length).toBeLessThan(200);
  });

  it('serializes only what differs from the default, and reads back the same', () => {
    const p = from('embed=1&plots=spectrum&controls=none&theme=light&backend=gpu').presentation;
    const text = serializePresentation(p);
    expect(text).toBe('embed=1&plots=spectrum&controls=none&theme=light&backend=gpu');
    expect(from(text).presentation).toEqual(p);
    expect(serializePresentation(from('').presentation)).toBe('');
  });
});
