// Builds the browser apps into ../static/app, which the Go binary embeds (web/apps.go).
// Each app is one page under /<app>/; hashed bundles go to /assets/.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// serviceWorker emits /phone/sw.js with the list of files the phone app needs offline and a
// version derived from their names (which carry content hashes), so a new build replaces the
// old cache and an unchanged build keeps it.
// deskBundle: the console's, the dashboard's and the admin app's own bundles, and the ECharts
// chunk the dashboard and the admin app share.
const deskBundle = /^assets\/(console|dashboard|admin|charts)-/;

function serviceWorker(): Plugin {
  return {
    name: 'griddispatch-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        // the desk apps' own bundles are not the phone's to keep offline
        .filter((f) => (f.startsWith('assets/') && !deskBundle.test(f)) || f === 'phone/index.html')
        .map((f) => '/' + f)
        .sort();
      const statics = ['/phone/manifest.webmanifest', '/phone/icon-192.png', '/phone/icon-512.png'];
      const precache = ['/phone/', ...files.filter((f) => f !== '/phone/index.html'), ...statics];
      const version = createHash('sha256').update(precache.join('\n')).digest('hex').slice(0, 12);
      const source = readFileSync(new URL('./src/phone/sw.js', import.meta.url), 'utf8')
        .replace('__PRECACHE__', JSON.stringify(precache))
        .replace('__VERSION__', version);
      this.emitFile({ type: 'asset', fileName: 'phone/sw.js', source });
    },
  };
}

// precompress writes name.br and name.gz beside every text file of the build, compressed once at
// the best levels, which web/apps.go serves by the request's Accept-Encoding (a server
// compressing on every request could not afford brotli's 11). It runs after everything is
// written, so the service worker's precache (built from the bundle) never lists them. A
// compressed copy that saves nothing is left out, and the server sends the file as it is.
const compressible = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;
const minSize = 256;

function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'griddispatch-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !compressible.test(entry.name)) continue;
        const file = join(entry.parentPath, entry.name);
        const raw = readFileSync(file);
        if (raw.length < minSize) continue;
        const variants: [string, Buffer][] = [
          ['.br', brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })],
          ['.gz', gzipSync(raw, { level: 9 })],
        ];
        for (const [ext, packed] of variants) {
          if (packed.length < raw.length) writeFileSync(file + ext, packed);
        }
      }
    },
  };
}

export default defineConfig({
  base: '/',
  build: {
    outDir: '../static/app',
    emptyOutDir: true,
    target: 'es2020',
    // the dashboard carries ECharts (map, bar, line; canvas only): ~660 kB, ~220 kB gzipped
    chunkSizeWarningLimit: 700,
    rollupOptions: { input: { phone: 'phone/index.html', console: 'console/index.html', dashboard: 'dashboard/index.html', admin: 'admin/index.html' },
      // ECharts in a chunk of its own, named so the phone's service worker leaves it out
      output: { manualChunks: (id) => (id.includes('/node_modules/echarts/') || id.includes('/node_modules/zrender/') ? 'charts' : undefined),
        // the chunks the dashboard and the admin app import after sign-in are named after their
        // app (dashboard-board-…, admin-grid_page-…), so the phone's service worker leaves them out
        chunkFileNames: (c) => {
          const app = ['dashboard', 'admin'].find((a) => c.moduleIds.length > 0 && c.moduleIds.every((id) => id.includes('/src/' + a + '/')));
          return app ? `assets/${app}-[name]-[hash].js` : 'assets/[name]-[hash].js';
        } } },
  },
  plugins: [serviceWorker(), precompress()],
});
