import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../src/params/presets';
import { parseQuery, serializeParams } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';

function paramsOf(id: string): Params {
  const preset = PRESETS.find((p) => p.id === id);
  if (preset === undefined) throw new Error(`no preset ${id}`);
  return parseQuery(preset.query).params;
}

describe('PRESETS', () => {
  it.each(PRESETS.map((p) => [p.id, p] as const))('%s parses with zero corrections and runs fast on a CPU', (_, preset) => {
    const { params, corrections } = parseQuery(preset.query);
    expect(corrections).toEqual([]);
    expect(params.width).toBeLessThanOrEqual(64);
    expect(params.samples).toBeLessThanOrEqual(64);
    expect(preset.label.length).toBeGreaterThan(0);
    expect(preset.description.length).toBeGreaterThan(20);
    // The preset's query is already canonical: re-serializing it gives the same Params.
    expect(parseQuery(serializeParams(params)).params).toEqual(params);
  });

  it('has unique ids and at least the required presets', () => {
    const ids = PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(PRESETS.length).toBeGreaterThanOrEqual(8);
  });

  it('sets the physics each preset is about', () => {
    expect(paramsOf('linear-theory')).toMatchObject({ act: 'linear', sw2: 1, width: 16, depth: 200, weights: 'gauss', arch: 'ff' });
    expect(paramsOf('tanh-critical')).toMatchObject({ act: 'tanh', sw2: 1.7609546396, sb2: 0.05 });
    expect(paramsOf('tanh-ordered')).toMatchObject({ act: 'tanh', sw2: 0.5 });
    expect(paramsOf('tanh-chaotic')).toMatchObject({ act: 'tanh', sw2: 4 });
    expect(paramsOf('relu-he')).toMatchObject({ act: 'relu', sw2: 2, sb2: 0 });
    expect(paramsOf('resnet-sqrtL')).toMatchObject({ arch: 'res', alpha: 1, ascale: 'sqrtL', act: 'tanh', sw2: 1, depth: 200 });
    expect(paramsOf('orth-isometry')).toMatchObject({ weights: 'orth', act: 'tanh', sw2: 1.05, sb2: 2.01e-5, depth: 100 });
    expect(paramsOf('sparse-linear')).toMatchObject({ weights: 'sparse', p: 0.1, act: 'linear', width: 64, depth: 50 });
  });
});
