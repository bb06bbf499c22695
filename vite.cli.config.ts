import { defineConfig } from 'vite';

/** Node bundle of the CLI, the benchmark and the worker_threads entry (Node 20 cannot run .ts). */
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: {
        main: 'src/cli/main.ts',
        bench: 'src/cli/bench.ts',
        'node-worker': 'src/engine/cpu/node-worker.ts',
      },
      // Flat output: node-pool resolves ./node-worker.js beside itself.
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', format: 'es' },
    },
  },
});
