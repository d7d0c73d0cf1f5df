import { defineConfig } from 'vite';

// Served by Causeway at /_/; built once (npm run build), no CDN and no network at run time.
export default defineConfig({
  base: '/_/',
  build: { outDir: 'dist', emptyOutDir: true },
});
