import { defineConfig } from 'vite';

// The console is served by the cloud under /console/ (cloud/src/console/static.routes.ts); no CDN, every
// byte comes from this build. Preact's automatic JSX runtime is set in tsconfig.json (jsxImportSource).
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
});
