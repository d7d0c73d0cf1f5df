import { defineConfig } from 'vite';

// Relative asset paths, so the built app works from any static server.
export default defineConfig({ base: './', build: { outDir: 'dist', emptyOutDir: true } });
