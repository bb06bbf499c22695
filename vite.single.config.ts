import { defineConfig, type Plugin } from 'vite';

/**
 * Single-file offline build: dist/lyapunov-explorer-offline.html with the whole app inlined (one <script>),
 * for lecture halls without network. Vite has no option for this, so a small plugin moves the one JS chunk
 * into the HTML after bundling and drops the chunk file.
 */
function inlineIntoHtml(): Plugin {
  return {
    name: 'inline-into-html',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((f) => f.type === 'asset' && f.fileName.endsWith('.html'));
      if (!html || html.type !== 'asset') throw new Error('single-file build: no HTML in the bundle');
      let text = String(html.source);
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type !== 'chunk') continue;
        const tag = new RegExp(`<script type="module" crossorigin src="[^"]*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"></script>`);
        if (!tag.test(text)) throw new Error(`single-file build: no script tag for ${name}`);
        // "</script" inside the code would end the element early; escape it the way JS string literals allow.
        const code = file.code.replace(/<\/script/gi, '<\\/script');
        text = text.replace(tag, () => `<script type="module">${code}</script>`);
        delete bundle[name];
      }
      html.source = text.replace('<title>', '<!-- Single-file offline build: no network requests. -->\n    <title>');
    },
  };
}

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist-single',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: false,
    rollupOptions: { output: { codeSplitting: false } },
  },
  worker: { format: 'es' },
  plugins: [inlineIntoHtml()],
});
