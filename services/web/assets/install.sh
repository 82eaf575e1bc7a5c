#!/usr/bin/env bash
# The browser assets we serve ourselves (htmx, the Noto Sans font, Swagger UI for every
# service's /docs) and axe-core for the browser tests: the pinned npm packages
# (package-lock.json, no install scripts run), copied into place and checked file by file
# against manifest.json. Idempotent; quick when nothing changed.
#   services/web/assets/install.sh             install and check
#   services/web/assets/install.sh --browser   also Debian's Chromium for the browser tests
#                                               (apt-get, as root, when missing)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$HERE" --ignore-scripts --silent --no-audit --no-fund
fi
python3 "$HERE/install.py"
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "[web] installing Chromium for the browser tests: apt-get install chromium (Debian)" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-core >/dev/null
    else
        echo "[web] the browser tests need Chromium (as root: apt-get install --no-install-recommends chromium)" >&2
        exit 1
    fi
fi
