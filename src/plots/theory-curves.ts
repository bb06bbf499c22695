/** Drawing theory overlays (lines, per-index points, vertical markers) in the palette's theory colours. */
import { line, type ScaleLinear } from 'd3';
import type { G, LegendEntry } from './frame';
import type { Palette, TheoryCurve } from './types';

const DASHES = [null, '7 4', '2 3', '10 3 2 3'];

export function theoryColor(palette: Palette, i: number): string {
  return palette.theory[i % palette.theory.length]!;
}

export function theoryLegend(curves: TheoryCurve[], palette: Palette): LegendEntry[] {
  return curves.map((c, i) => ({
    label: c.label,
    note: c.note,
    color: theoryColor(palette, i),
    kind: c.style === 'points' ? 'points' : 'line',
    dash: c.style === 'vline' ? '5 4' : (DASHES[i % DASHES.length] ?? undefined),
  }));
}

export function drawTheory(
  g: G,
  curves: TheoryCurve[],
  x: ScaleLinear<number, number>,
  y: ScaleLinear<number, number>,
  height: number,
  palette: Palette,
): void {
  curves.forEach((c, i) => {
    const color = theoryColor(palette, i);
    const group = g.append('g').attr('class', `theory theory-${c.id}`).attr('data-theory', c.id);
    group.append('title').text(`${c.label}: ${c.note}`);
    if (c.style === 'vline') {
      const x0 = c.x[0];
      if (x0 === undefined || !Number.isFinite(x0)) return;
      group
        .append('line')
        .attr('x1', x(x0))
        .attr('x2', x(x0))
        .attr('y1', 0)
        .attr('y2', height)
        .attr('stroke', color)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', '5 4');
      return;
    }
    const idx = c.x.map((_, j) => j).filter((j) => Number.isFinite(c.x[j]!));
    if (c.style === 'points') {
      for (const j of idx) {
        const v = c.y[j];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        group.append('circle').attr('cx', x(c.x[j]!)).attr('cy', y(v)).attr('r', 4.5).attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2);
      }
      return;
    }
    const path = line<number>()
      .defined((j) => {
        const v = c.y[j];
        return v !== null && v !== undefined && Number.isFinite(v);
      })
      .x((j) => x(c.x[j]!))
      .y((j) => y(c.y[j]!));
    group
      .append('path')
      .attr('d', path(idx))
      .attr('fill', 'none')
      .attr('stroke', color)
      .attr('stroke-width', 2.2)
      .attr('stroke-dasharray', DASHES[i % DASHES.length] ?? null);
  });
}
