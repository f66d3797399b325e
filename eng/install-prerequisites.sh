#!/usr/bin/env bash
# Installs what a Debian/Ubuntu machine with only the .NET SDK lacks to run the
# mesh and its tests. Safe to run again: it installs only what is missing.
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()

# PostgreSQL server binaries (initdb, pg_ctl, postgres): the embedded host and the tests run a local cluster.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi

# Node.js and npm: the tests read the project's Iceberg tables with an independent reader (icebird).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# Chromium: the catalog portal's browser tests (tests/MeshInABox.Portal.Tests) drive /usr/bin/chromium through Playwright,
# which never downloads a browser of its own here.
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  # The mesh runs its own clusters; the package's default cluster on port 5432 is not needed.
  sudo_if_needed mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | sudo_if_needed tee /etc/postgresql-common/createcluster.conf >/dev/null
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# As root, PostgreSQL must run as an unprivileged account; the package creates 'postgres'.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

# The interop readers, pinned by tests/interop/package-lock.json.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$root/tests/interop/node_modules/icebird" ]; then
  npm ci --prefix "$root/tests/interop" --no-audit --no-fund --loglevel=error
fi
