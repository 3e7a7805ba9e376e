import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by `assay serve` at /app/ from the Python package's static folder.
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: {
    outDir: "../src/assay/server/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // No data: URLs (small fonts and images would be inlined): the Content-Security-Policy allows
    // fonts and images from the app's own origin only.
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/v1": "http://127.0.0.1:8000", "/btql": "http://127.0.0.1:8000" } },
});
