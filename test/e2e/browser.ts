/**
 * Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium through
 * playwright-core, with or without WebGPU on SwiftShader, a fresh profile per launch, and a record of every
 * request and console error so tests can assert "no network outside our origin" and "no console errors".
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const COMMON = ['--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface Session {
  context: BrowserContext;
  page: Page;
  requests: string[];
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function launch(options: { webgpu: boolean; width?: number; height?: number }): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'lx-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...COMMON, ...(options.webgpu ? WEBGPU : [])],
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    requests,
    consoleErrors,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PageSnapshot {
  params: Record<string, unknown>;
  corrections: { key: string; reason: string }[];
  backend: string;
  exponents: { mean: (number | null)[]; sem: (number | null)[]; count: number[] };
  logSingularValues: { mean: (number | null)[] } | null;
  layers: number;
  samples: number;
  done: boolean;
  warnings: string[];
}

/** Wait until the explorer's run has finished and return its snapshot (the element's public API). */
export async function finishedSnapshot(page: Page, timeout = 45_000): Promise<PageSnapshot> {
  await page.waitForFunction(
    () => (document.querySelector('lyapunov-explorer') as unknown as { snapshot: { done: boolean } | null } | null)?.snapshot?.done === true,
    undefined,
    {
      timeout,
      polling: 100,
    },
  );
  return page.evaluate(() => (document.querySelector('lyapunov-explorer') as unknown as { snapshot: PageSnapshot }).snapshot);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
