#!/usr/bin/env node
/**
 * `npm run build`: the app (dist/index.html + assets), the library module (dist/lyapunov-explorer.js) and the
 * single-file offline page (dist/lyapunov-explorer-offline.html), through Vite's JS API. The end-to-end
 * tests' global setup calls buildAll() too, so what they test is what ships.
 */
import { build } from 'vite';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildAll({ quiet = false } = {}) {
  const logLevel = quiet ? 'warn' : 'info';
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel });
  await build({ root, configFile: join(root, 'vite.lib.config.ts'), logLevel });
  await build({ root, configFile: join(root, 'vite.single.config.ts'), logLevel });
  copyFileSync(join(root, 'dist-single/index.html'), join(root, 'dist/lyapunov-explorer-offline.html'));
  rmSync(join(root, 'dist-single'), { recursive: true, force: true });
  return join(root, 'dist');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
