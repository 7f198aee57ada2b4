import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

// The browser app: one index.html, client-side routing by pathname. The server serves
// dist/client and falls back to index.html for /lecture/* and /replay/*.
export default defineConfig({
  root: 'client',
  plugins: [
    // A .br and a .gz beside every text file, made once at build rather than on each request:
    // server/static-assets.ts sends the one the browser accepts (100 phones on one access point
    // pull a third of the bytes). Fonts are woff2, compressed already.
    // Not the manifest (see build.manifest): the server does not serve dot-folders, and a .br beside
    // it made express-static-gzip answer /.vite/manifest.json with a brotli header on a plain 404 page.
    compression({ algorithms: ['brotliCompress', 'gzip'], logLevel: 'silent', exclude: [/\.vite[\\/]/, /manifest\.json$/] }),
  ],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // Pages and the console load as their own chunks (bp-app.ts, lecture-page.ts); KaTeX is the
    // largest one a student needs and is above Vite's default warning size.
    chunkSizeWarningLimit: 800,
    // Every asset a file, never a data: URL: the CSP allows fonts from 'self' only (server/security-headers.ts),
    // and KaTeX's smaller fonts would otherwise be inlined.
    assetsInlineLimit: 0,
    // dist/client/.vite/manifest.json: each chunk's static and dynamic imports, which the static-assets
    // test reads to hold a student's first script graph to its budget. The server does not serve
    // dot-folders.
    manifest: true,
    rolldownOptions: {
      treeshake: {
        // shared/ is pure (its modules build zod schemas and functions, and register nothing), but
        // the bundler cannot know it: a module imported for one name would keep everything it
        // builds at load, all of zod's schemas with it, in the entry chunk that every page waits
        // for. Declared free of side effects, each chunk keeps only what it uses.
        moduleSideEffects: (id: string) => !/[\\/]shared[\\/]/.test(id) || /[\\/]node_modules[\\/]/.test(id),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
});
