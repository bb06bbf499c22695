#!/usr/bin/env node
/**
 * `npm run bench:ui`: interactivity of the built page in headless Chromium (no WebGPU, so the CPU engine in
 * Web Workers runs). Prints JSON:
 *  - firstPlotMs: from a committed change (the depth slider's change event) to the first plot drawn with data
 *    of the new run (performance marks lx-commit / lx-first-plot set by the element), per repetition;
 *  - longTasks: main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while the runs were going.
 * Targets (issue 4): first plot < 150 ms at the default size, no long task > 50 ms during a CPU run.
 */
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from './build-all.mjs';

const repetitions = Number(process.env.REPS ?? 8);
await buildAll({ quiet: true });
const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const base = server.resolvedUrls.local[0];
const dir = mkdtempSync(join(tmpdir(), 'lx-bench-'));
const context = await chromium.launchPersistentContext(dir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-first-run', '--disable-background-networking'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: true });
  });
  const loadStart = Date.now();
  await page.goto(`${base}?backend=cpu`);
  const done = () =>
    page.waitForFunction(() => document.querySelector('lyapunov-explorer')?.snapshot?.done === true, undefined, { timeout: 60000, polling: 20 });
  await done();
  const firstLoadMs = Date.now() - loadStart;
  const afterLoad = await page.evaluate(() => window.__longTasks.length);
  const firstPlotMs = [];
  for (let r = 0; r < repetitions; r++) {
    await page.evaluate(() => performance.clearMarks());
    // Commit a new depth exactly as releasing the slider does (a change event from the range input).
    await page.evaluate((step) => {
      const el = document.querySelector('lyapunov-explorer');
      const control = [...el.shadowRoot.querySelectorAll('param-control')].find((c) => c.spec.name === 'depth');
      const range = control.shadowRoot.querySelector('input[type=range]');
      range.value = String(Number(range.value) + (step % 2 ? -1 : 1));
      range.dispatchEvent(new Event('change', { bubbles: true }));
    }, r);
    await page.waitForFunction(() => performance.getEntriesByName('lx-first-plot').length > 0, undefined, { timeout: 30000, polling: 5 });
    firstPlotMs.push(
      await page.evaluate(() =>
        Math.round(performance.getEntriesByName('lx-first-plot')[0].startTime - performance.getEntriesByName('lx-commit')[0].startTime),
      ),
    );
    await done();
  }
  const tasks = await page.evaluate(() => window.__longTasks);
  const during = tasks.slice(afterLoad);
  const sorted = [...firstPlotMs].sort((a, b) => a - b);
  const snap = await page.evaluate(() => document.querySelector('lyapunov-explorer').snapshot);
  console.log(
    JSON.stringify(
      {
        page: base,
        params: snap.params,
        backend: snap.backend,
        firstLoadToDoneMs: firstLoadMs,
        firstPlotMs: { runs: firstPlotMs, median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), target: 150 },
        longTasks: {
          duringRuns: during.length,
          maxMs: Math.max(0, ...during.map((t) => t.duration)),
          all: during,
          atLoad: tasks.slice(0, afterLoad),
          target: 'none > 50 ms',
        },
      },
      null,
      1,
    ),
  );
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.httpServer.close(r));
}
