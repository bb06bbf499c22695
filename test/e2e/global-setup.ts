/**
 * Builds the app exactly as `npm run build` does, serves dist/ on 127.0.0.1 with Vite's preview server, and
 * hands the URL to the tests. The teardown closes the server, so no process is left behind.
 */
import type { TestProject } from 'vitest/node';
import { preview } from 'vite';
// @ts-expect-error -- a plain .mjs script without type declarations; its one export is typed below.
import { buildAll as buildAllUntyped } from '../../scripts/build-all.mjs';

const buildAll = buildAllUntyped as (o: { quiet: boolean }) => Promise<string>;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildAll({ quiet: true });
  const server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('preview server has no local URL');
  project.provide('baseUrl', url.replace(/\/$/, ''));
  return async () => {
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
}
