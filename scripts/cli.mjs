#!/usr/bin/env node
// Runs a bundled CLI entry (main or bench) from dist-cli/, rebuilding the bundle first only when a
// source is newer than it, so repeated CLI calls start in milliseconds instead of a build's second.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
process.argv.splice(2, 1);
const bundle = join(root, 'dist-cli', `${entry}.js`);

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

const sources = ['src', 'shaders', 'vite.cli.config.ts', 'package-lock.json'].map((p) => join(root, p)).filter(existsSync);
const stale = !existsSync(bundle) || Math.max(...sources.map(newestMtime)) > statSync(bundle).mtimeMs;
if (stale) {
  const { build } = await import('vite');
  await build({ root, configFile: join(root, 'vite.cli.config.ts'), logLevel: 'error' });
}
await import(pathToFileURL(bundle).href);
