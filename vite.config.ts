import { defineConfig } from 'vite';

// The browser app: one index.html, client-side routing by pathname. The server serves
// dist/client and falls back to index.html for /lecture/* and /replay/*.
export default defineConfig({
  root: 'client',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // KaTeX's fonts and uPlot are the bulk; one chunk keeps first paint simple on a lecture Wi-Fi.
    chunkSizeWarningLimit: 800,
    // Every asset a file, never a data: URL: the CSP allows fonts from 'self' only (server/security-headers.ts),
    // and KaTeX's smaller fonts would otherwise be inlined.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
});
