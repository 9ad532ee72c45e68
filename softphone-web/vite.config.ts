// `vite build` writes dist/, which the service serves at `/`. `vite` (dev) proxies the API and
// Socket.IO to a service on localhost:3000 (SOFTPHONE_API to point elsewhere).
import path from 'node:path';
import { defineConfig } from 'vite';

const api = process.env.SOFTPHONE_API ?? 'http://localhost:3000';

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One page per console: the softphone, the wallboard (/wallboard, /ops), the supervisor console,
    // the knowledge-base editor (/kb), the partner hotlines' dispatcher console (/dispatcher).
    rollupOptions: {
      input: {
        main: path.resolve(import.meta.dirname, 'index.html'),
        wallboard: path.resolve(import.meta.dirname, 'wallboard.html'),
        supervisor: path.resolve(import.meta.dirname, 'supervisor.html'),
        kb: path.resolve(import.meta.dirname, 'kb.html'),
        dispatcher: path.resolve(import.meta.dirname, 'dispatcher.html'),
      },
    },
  },
  server: {
    // The contract lives in ../server; the dev server must be allowed to read it.
    fs: { allow: ['..'] },
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
