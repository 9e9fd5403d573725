import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development Vite serves the app with hot reload and forwards API calls to the gateway
// (`pnpm dev` starts both). In production the gateway serves dist/ itself.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': gateway,
      '/healthz': gateway,
      '/readyz': gateway,
      // Certificate PDFs and credentials are served by the gateway beside /graphql.
      '/certificates': gateway,
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
