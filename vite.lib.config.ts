import { defineConfig } from 'vite';

/**
 * Library build: one ES module, dist/lyapunov-explorer.js, that defines <lyapunov-explorer>. Lit, D3, the
 * worker and the WebAssembly kernels are all inside it, so a slide deck needs this one file and nothing else.
 */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    lib: { entry: 'src/ui/index.ts', formats: ['es'], fileName: () => 'lyapunov-explorer.js' },
    rollupOptions: { output: { codeSplitting: false } },
  },
  worker: { format: 'es' },
});
