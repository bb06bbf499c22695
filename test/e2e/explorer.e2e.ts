/**
 * The page end to end in headless Chromium: the numbers it shows are the CLI's numbers for the same URL, a
 * slider moved by keyboard commits to the URL and reruns, embed mode, hostile links, no request outside the
 * origin, no console errors, and screenshots at phone, laptop and projector sizes (test-artifacts/).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromiumAvailable, finishedSnapshot, launch, screenshot, type PageSnapshot, type Session } from './browser';

const baseUrl = inject('baseUrl');
const required = process.env.CI === 'true' || process.env.REQUIRE_CHROMIUM === '1';
if (!chromiumAvailable() && !required) {
  console.warn('e2e tests skipped: /usr/bin/chromium not found. Install it (apt-get install chromium libvulkan1) or set CI=true to make this a failure.');
}

/** The CLI's JSON for a query, on the CPU engine (float64). */
function cli(query: string): PageSnapshot {
  const out = execFileSync('node', ['scripts/cli.mjs', 'main', '--query', query, '--json', '--backend', 'cpu', '--workers', '1'], { encoding: 'utf8' });
  return JSON.parse(out) as PageSnapshot;
}

/**
 * The signal plot for a query: drawn with no NaN, the expected theory present, the mean curve in each of the
 * four panels, its CSV export carrying the snapshot's forward numbers; then a screenshot of the panel.
 */
async function checkSignalPlot(s: Session, query: string, backend: RegExp, theory: string[], note: RegExp | null, shot: string): Promise<void> {
  await s.page.goto(`${baseUrl}/?${query}&plots=signal`);
  const snap = (await finishedSnapshot(s.page)) as PageSnapshot & { forward: { layers: number[]; grad: { mean: (number | null)[] } } };
  expect(snap.backend).toMatch(backend);
  const panel = s.page.locator('lyapunov-explorer plot-panel.signal');
  await expect.poll(async () => panel.locator(`svg [data-theory="${theory.at(-1)}"]`).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  const svg = await panel.locator('svg').evaluate((e) => e.outerHTML);
  expect(svg).not.toMatch(/NaN|Infinity/);
  for (const id of theory) expect(await panel.locator(`svg [data-theory="${id}"]`).count(), id).toBeGreaterThan(0);
  expect(await panel.locator('svg path.series-mean').count()).toBe(4);
  if (note) expect(await panel.locator('svg .signal-note').textContent()).toMatch(note);
  const [download] = await Promise.all([
    s.page.waitForEvent('download'),
    s.page.getByRole('button', { name: 'Download Signal propagation with depth as CSV' }).click(),
  ]);
  const rows = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n')
    .map((r) => r.split(','));
  const col = rows[0]!.indexOf('grad mean');
  expect(col).toBeGreaterThan(0);
  snap.forward.layers.forEach((l, i) => {
    expect(Number(rows[i + 1]![0])).toBe(l);
    expect(Number(rows[i + 1]![col])).toBeCloseTo(snap.forward.grad.mean[i]!, 9);
  });
  expect(s.consoleErrors).toEqual([]);
  await panel.screenshot({ path: await screenshot(s.page, shot).then((p) => p.replace(/\.png$/, '-panel.png')) });
}

function expectOwnOrigin(s: Session): void {
  const foreign = s.requests.filter((u) => !u.startsWith(baseUrl) && !u.startsWith('data:') && !u.startsWith('blob:'));
  expect(foreign, 'requests outside the page origin').toEqual([]);
}

describe.skipIf(!chromiumAvailable() && !required)('explorer in Chromium without WebGPU (CPU engine)', () => {
  let s: Session;
  beforeAll(async () => {
    s = await launch({ webgpu: false });
  });
  afterAll(async () => {
    await s?.close();
  });

  const QUERY = 'width=12&depth=40&sw2=1.8&sb2=0.05&act=tanh&samples=6&seed=7';

  it('shows the CLI numbers for the same URL, on the CPU with the reason stated', async () => {
    await s.page.goto(`${baseUrl}/?${QUERY}`);
    const snap = await finishedSnapshot(s.page);
    const ref = cli(QUERY);
    expect(snap.params).toEqual(ref.params);
    expect(snap.samples).toBe(6);
    expect(snap.layers).toBe(40);
    expect(snap.backend).toMatch(/CPU/);
    expect(snap.exponents.mean.length).toBe(12);
    snap.exponents.mean.forEach((m, i) => expect(m!).toBeCloseTo(ref.exponents.mean[i]!, 9));
    snap.logSingularValues!.mean.forEach((m, i) => expect(m!).toBeCloseTo(ref.logSingularValues!.mean[i]!, 8));
    // The status line names the engine; the spectrum plot has one marker per exponent.
    const status = await s.page.locator('lyapunov-explorer').locator('.status').innerText();
    expect(status).toMatch(/CPU/);
    expect(status).toMatch(/40 of 40 layers × 6 of 6 samples/);
    const points = await s.page.locator('lyapunov-explorer plot-panel.spectrum svg [data-role="exponent"]').count();
    expect(points).toBe(12);
    expectOwnOrigin(s);
    expect(s.consoleErrors).toEqual([]);
  });

  it('moves the depth slider by keyboard: the URL and the plot follow', async () => {
    await s.page.goto(`${baseUrl}/?${QUERY}`);
    const before = await finishedSnapshot(s.page);
    const slider = s.page.locator('lyapunov-explorer param-control').filter({ hasText: 'Depth L' }).locator('input[type=range]');
    await slider.focus();
    await s.page.keyboard.press('ArrowRight');
    await s.page.waitForFunction(() => new URLSearchParams(location.search).get('depth') === '41');
    await s.page.waitForFunction(() => {
      const snap = (document.querySelector('lyapunov-explorer') as unknown as { snapshot: { done: boolean; params: { depth: number } } | null }).snapshot;
      return snap?.done === true && snap.params.depth === 41;
    });
    const after = await finishedSnapshot(s.page);
    expect(after.layers).toBe(41);
    expect(after.exponents.mean[0]).not.toBe(before.exponents.mean[0]);
    const ref = cli(QUERY.replace('depth=40', 'depth=41'));
    after.exponents.mean.forEach((m, i) => expect(m!).toBeCloseTo(ref.exponents.mean[i]!, 9));
    // Every other key is written too, so the link reproduces the view exactly.
    const url = new URL(s.page.url());
    expect(url.searchParams.get('v')).toBe('1');
    expect(url.searchParams.get('seed')).toBe('7');
    expect(s.consoleErrors).toEqual([]);
  });

  it('embed mode: chrome-less, only the chosen plot and control, arrow keys left alone', async () => {
    await s.page.goto(`${baseUrl}/?${QUERY}&embed=1&plots=spectrum&controls=depth`);
    await finishedSnapshot(s.page);
    const el = s.page.locator('lyapunov-explorer');
    expect(await el.locator('header.bar').count()).toBe(0);
    expect(await el.locator('plot-panel').count()).toBe(1);
    expect(await el.locator('param-control').count()).toBe(1);
    // With nothing focused, arrow keys belong to the slide deck: nothing changes.
    await s.page.locator('body').click({ position: { x: 2, y: 2 } });
    await s.page.keyboard.press('ArrowRight');
    await s.page.keyboard.press('ArrowDown');
    await s.page.waitForTimeout(300);
    expect(new URL(s.page.url()).searchParams.get('depth')).toBe('40');
    await screenshot(s.page, 'embed-spectrum-1280');
  });

  it('hostile links: corrected with a notice, nothing executes, nothing injected', async () => {
    let dialogs = 0;
    s.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const xss = encodeURIComponent('"><img src=x onerror=alert(1)><script>alert(2)</script>');
    const query = `width=${xss}&depth=1e400&sw2=NaN&samples=-5&act=${xss}&seed=${xss}&${xss}=1&plots=${xss}&theme=${xss}&samples=4&depth=20`;
    await s.page.goto(`${baseUrl}/?${query}`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.corrections.length).toBeGreaterThanOrEqual(4);
    const notices = await s.page.locator('lyapunov-explorer .notices li').allInnerTexts();
    expect(notices.length).toBeGreaterThanOrEqual(6);
    expect(notices.join('\n')).toContain('<img src=x');
    const injected = await s.page.evaluate(() => {
      const root = document.querySelector('lyapunov-explorer')!.shadowRoot!;
      return root.querySelectorAll('img, script').length + document.querySelectorAll('img').length;
    });
    expect(injected).toBe(0);
    expect(dialogs).toBe(0);
    // Every notice can be dismissed.
    const first = s.page.locator('lyapunov-explorer .notices li button').first();
    await first.click();
    expect(await s.page.locator('lyapunov-explorer .notices li').count()).toBe(notices.length - 1);
    expectOwnOrigin(s);
  });

  for (const [name, width, height] of [
    ['phone-360', 360, 780],
    ['laptop-1280', 1280, 800],
    ['projector-1920x1080', 1920, 1080],
    ['4k-3840x2160', 3840, 2160],
  ] as const) {
    it(`renders at ${width}px without horizontal overflow (screenshot ${name})`, async () => {
      await s.page.setViewportSize({ width, height });
      await s.page.goto(`${baseUrl}/?width=16&depth=60&act=tanh&sw2=1.8&sb2=0.05&samples=8&transient=10`);
      await finishedSnapshot(s.page);
      await s.page.waitForTimeout(200);
      await screenshot(s.page, name);
      const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }

  it('runs the power activation ReLU^a: its exponent knob, its mean-field curve, the CLI numbers (screenshot relupow-cpu)', async () => {
    // A residual net: feedforward ReLU^a nets are chaotic for every a != 1 (chi_1 = a^2/(2a - 1) > 1), and a
    // chaotic forward pass carries the last-bit differences of the browser's and Node's pow to O(SE).
    const query = 'act=relupow&apow=0.8&arch=res&alpha=1&ascale=sqrtL&width=12&depth=60&sw2=1.5&sb2=0&samples=6&seed=7';
    await s.page.goto(`${baseUrl}/?${query}`);
    const snap = await finishedSnapshot(s.page);
    const ref = cli(query);
    expect(snap.params).toEqual(ref.params);
    snap.exponents.mean.forEach((m, i) => expect(m!).toBeCloseTo(ref.exponents.mean[i]!, 9));
    // The exponent knob is shown and live (not dimmed) for this activation only.
    const knob = s.page.locator('lyapunov-explorer param-control').filter({ hasText: 'Power a of ReLU' });
    expect(await knob.count()).toBe(1);
    expect(await knob.getAttribute('class')).not.toMatch(/irrelevant/);
    // Its theory is drawn: the outlier of a non-odd activation in a residual net, chi_1 on the phase map.
    const caption = await s.page.locator('lyapunov-explorer plot-panel.density details.theory summary').innerText();
    expect(caption).toMatch(/Outlier singular value/);
    expect(await s.page.locator('lyapunov-explorer plot-panel.phase svg rect').count()).toBeGreaterThan(10);
    expect(s.consoleErrors).toEqual([]);
    await screenshot(s.page, 'relupow-cpu');
    await s.page.goto(`${baseUrl}/?act=tanh`);
    await finishedSnapshot(s.page);
    expect(await s.page.locator('lyapunov-explorer param-control').filter({ hasText: 'Power a of ReLU' }).getAttribute('class')).toMatch(/irrelevant/);
  });

  it('dark theme by theme=dark', async () => {
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await s.page.goto(`${baseUrl}/?width=16&depth=60&act=relu&sw2=2&samples=8&theme=dark`);
    await finishedSnapshot(s.page);
    const bg = await s.page.evaluate(() => getComputedStyle(document.querySelector('lyapunov-explorer')!).backgroundColor);
    expect(bg).toBe('rgb(21, 23, 26)');
    await screenshot(s.page, 'dark-relu-1280');
  });

  it('exports a plot as PNG, SVG, CSV and JSON with the numbers shown', async () => {
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await s.page.goto(`${baseUrl}/?width=10&depth=30&samples=4&act=tanh&sw2=1.5`);
    const snap = await finishedSnapshot(s.page);
    const save = async (kind: string) => {
      const [download] = await Promise.all([
        s.page.waitForEvent('download'),
        s.page.getByRole('button', { name: `Download Lyapunov spectrum as ${kind}` }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`lyapunov-spectrum.${kind.toLowerCase()}`);
      return readFileSync((await download.path())!);
    };
    const png = await save('PNG');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    expect(w).toBeGreaterThan(600); // 2x the on-screen plot
    expect(h).toBeGreaterThan(300);
    // Not blank: decode it in the page and count the colours actually painted.
    const colours = await s.page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < px.length; i += 4 * 7) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
      return seen.size;
    }, png.toString('base64'));
    expect(colours).toBeGreaterThan(20);
    const svg = (await save('SVG')).toString('utf8');
    expect(svg).toMatch(/^<\?xml|^<svg/);
    expect(svg.match(/data-role="exponent"/g)?.length).toBe(10);
    // One row per exponent first (theory curves add their own columns and rows).
    const csv = (await save('CSV'))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((r) => r.split(','));
    const col = csv[0]!.indexOf('lambda_i per layer');
    expect(col).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect(Number(csv[i + 1]![col])).toBeCloseTo(snap.exponents.mean[i]!, 9);
    expect(csv[11]?.[col] ?? '').toBe('');
    const json = JSON.parse((await save('JSON')).toString('utf8')) as { params: { width: number }; plot: { mean: (number | null)[] } };
    expect(json.params.width).toBe(10);
    json.plot.mean.forEach((m, i) => expect(m).toBeCloseTo(snap.exponents.mean[i]!, 12));
    expect(s.consoleErrors).toEqual([]);
  });

  it('draws the signal plot for a residual tanh net on the CPU: mean field and power laws (screenshot signal-cpu-panel)', async () => {
    await s.page.setViewportSize({ width: 1280, height: 900 });
    await checkSignalPlot(
      s,
      'width=16&depth=60&samples=6&act=tanh&arch=res&alpha=1&ascale=const&sw2=2&c0=0.9',
      /^CPU/,
      ['signal-meanfield', 'residual-power-law'],
      null,
      'signal-cpu',
    );
  });

  it('the library module runs from a plain page with attributes as URL keys', async () => {
    await s.page.goto(`${baseUrl}/library-demo.html`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.params.depth).toBe(50);
    expect(snap.params.act).toBe('tanh');
    expect(snap.exponents.mean.length).toBe(snap.params.width);
    expectOwnOrigin(s);
  });

  it('the single-file offline build makes no request but itself', async () => {
    const before = s.requests.length;
    await s.page.goto(`${baseUrl}/lyapunov-explorer-offline.html?width=8&depth=30&samples=4`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.layers).toBe(30);
    const own = s.requests.slice(before).filter((u) => !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(own).toEqual([`${baseUrl}/lyapunov-explorer-offline.html?width=8&depth=30&samples=4`]);
  });
});

describe.skipIf(!chromiumAvailable() && !required)('explorer in Chromium with WebGPU on SwiftShader', () => {
  let s: Session;
  beforeAll(async () => {
    s = await launch({ webgpu: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs the WebGPU engine, exponents and singular values, matching the CLI to float32 tolerance', async () => {
    const query = 'width=12&depth=40&sw2=1.8&sb2=0.05&act=tanh&samples=6&seed=7';
    await s.page.goto(`${baseUrl}/?${query}`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.backend).toMatch(/^gpu \(float32/);
    // The singular values are the GPU's own, not the CPU's recomputation of samples the GPU gave up on.
    expect(snap.warnings.filter((w) => /recomputed in float64/.test(w))).toEqual([]);
    const ref = cli(query);
    // Per sample the engines agree to 1e-3 per layer (test/gpu); the means of 6 samples do too.
    snap.exponents.mean.forEach((m, i) => expect(Math.abs(m! - ref.exponents.mean[i]!)).toBeLessThan(1e-3));
    // log sigma_i(J) over the whole depth from the GPU's T = R_L ... R_1: 1e-2 + 1e-3 |log sigma|.
    snap.logSingularValues!.mean.forEach((m, i) => {
      const r = ref.logSingularValues!.mean[i]!;
      expect(Math.abs(m! - r), `log sigma ${i + 1}`).toBeLessThan(1e-2 + 1e-3 * Math.abs(r));
    });
    const status = await s.page.locator('lyapunov-explorer').locator('.status').innerText();
    expect(status).toMatch(/gpu \(float32/);
    const bins = await s.page.locator('lyapunov-explorer plot-panel.density svg [data-role="bin"]').count();
    expect(bins).toBeGreaterThan(3);
    expect(s.consoleErrors).toEqual([]);
    await screenshot(s.page, 'webgpu-1280');
  });

  it('runs ReLU^2 in a residual net on the GPU, matching the CLI to float32 tolerance', async () => {
    const query = 'act=relupow&apow=2&arch=res&alpha=1&ascale=L&width=12&depth=40&sw2=1.5&samples=6&seed=7';
    await s.page.goto(`${baseUrl}/?${query}`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.backend).toMatch(/^gpu \(float32/);
    const ref = cli(query);
    snap.exponents.mean.forEach((m, i) => expect(Math.abs(m! - ref.exponents.mean[i]!)).toBeLessThan(1e-3));
    expect(s.consoleErrors).toEqual([]);
  });

  it('draws the signal plot of a full-block ResNet with c_l = l^-1.5 on the GPU, with its convergence condition (screenshot signal-gpu-panel)', async () => {
    await checkSignalPlot(
      s,
      'width=16&inner=8&depth=60&samples=6&act=tanh&arch=full&alpha=1&ascale=power&beta=1.5&backend=gpu',
      /^gpu \(float32/,
      ['signal-meanfield'],
      /β = 1\.5 > 1: Σ c_l < ∞/,
      'signal-gpu',
    );
  });

  it('says why it uses the CPU for sparse feedforward nets (float32 cannot count their exact zeros)', async () => {
    await s.page.goto(`${baseUrl}/?width=8&depth=30&samples=4&weights=sparse&p=0.5`);
    const snap = await finishedSnapshot(s.page);
    expect(snap.backend).toMatch(/^CPU .* — sparse feedforward weights need float64/);
    const status = await s.page.locator('lyapunov-explorer').locator('.status').innerText();
    expect(status).toMatch(/sparse feedforward weights need float64/);
    expectOwnOrigin(s);
  });
});
