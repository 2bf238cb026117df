import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  // The protocol's live-update contract without its zod schemas (the UI imports only types from the rest).
  resolve: {
    alias: {
      '@kidtime/protocol/live': fileURLToPath(new URL('../protocol/src/live.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/socket.io': { target: 'ws://localhost:8080', ws: true } },
  },
});
