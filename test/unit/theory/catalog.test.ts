import { describe, expect, it } from 'vitest';
import { applicableTheories, THEORY_CATALOG } from '../../../src/theory/catalog';
import { parseQuery } from '../../../src/params/url';

const applying = (q: string) => applicableTheories(parseQuery(q).params).filter((a) => a.applies).map((a) => a.id).sort();

describe('theory catalog', () => {
  it('documents every overlay', () => {
    for (const e of THEORY_CATALOG) {
      expect(e.validity.length).toBeGreaterThan(20);
      expect(e.source.length).toBeGreaterThan(5);
    }
  });
  it('picks the exact results only where they hold', () => {
    expect(applying('act=linear&weights=gauss')).toEqual(['free-spectrum', 'fuss-catalan', 'meanfield-top', 'newman', 'pennington']);
    expect(applying('act=relu&sw2=2&sb2=0')).toContain('relu-exact');
    expect(applying('act=relu&sw2=2&sb2=0.1')).not.toContain('relu-exact');
    expect(applying('act=linear&weights=orth')).not.toContain('newman');
    expect(applying('act=linear&arch=res&alpha=0.5&ascale=const')).toEqual(['residual-linear-spectrum', 'residual-linear-top']);
    expect(applying('act=relu&arch=res&ascale=sqrtL&depth=100')).toEqual(['residual-outlier', 'tarnowski']);
    expect(applying('act=tanh&arch=res&ascale=sqrtL&depth=100')).toEqual(['residual-small-c', 'tarnowski']);
  });
  it('explains why a curve is hidden', () => {
    const res = applicableTheories(parseQuery('act=gelu&sw2=10&sb2=2').params);
    const top = res.find((a) => a.id === 'meanfield-top')!;
    expect(top.applies).toBe(false);
    expect(top.reason).toMatch(/diverges/);
    expect(res.find((a) => a.id === 'pennington')!.applies).toBe(false);
    const k = applicableTheories(parseQuery('act=linear&width=32&k=8').params).find((a) => a.id === 'fuss-catalan')!;
    expect(k.reason).toMatch(/k = N/);
  });
});
