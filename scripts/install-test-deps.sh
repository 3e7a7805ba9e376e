#!/usr/bin/env bash
# What the tests need beyond the Python packages: Debian's Chromium for the browser tests, Debian's
# PostgreSQL 15 server (the tests start their own cluster from its binaries under
# /usr/lib/postgresql/15/bin; they are not on PATH), and the official TypeScript SDK with its `bt`
# CLI (pinned in tests/e2e/ts/package-lock.json) for the end-to-end client tests.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
  apt-get update -qq
  # A policy-rc.d answering 101 keeps the package from starting a cluster of its own (the tests
  # start theirs); one already on the machine is left as it is.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi
# --ignore-scripts: the SDK's postinstall would only download `bt` if its npm package were
# missing; the binary arrives as a pinned optional dependency, like esbuild's.
(cd tests/e2e/ts && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "test dependencies present: chromium $(chromium --version 2>/dev/null | awk '{print $2}')," \
  "postgresql $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}')," \
  "node $(node --version), braintrust $(node -p 'require("./tests/e2e/ts/node_modules/braintrust/package.json").version')," \
  "$(tests/e2e/ts/node_modules/.bin/bt --version)"
