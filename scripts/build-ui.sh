#!/usr/bin/env bash
# Build the web app (ui/) into the Python package, from npm packages only (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f ui/package.json ]; then
  echo "no ui/ yet: skipping the web app build"
  exit 0
fi
cd ui
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
