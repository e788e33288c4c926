#!/usr/bin/env bash
# The test command: installs the system packages the tests need (only those missing), then runs
# every test of the solution. Extra arguments go to `dotnet test`, e.g.
#   scripts/test.sh --filter "FullyQualifiedName~Fixtures"
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# What the tests need, one "command:apt-package" per line. A package is installed when its
# command is not found on PATH.
requirements=(
  "litecoind:litecoind"
  "node:nodejs"
  "npm:npm"
  "chromium:chromium"
)

missing=()
for requirement in "${requirements[@]}"; do
  command -v "${requirement%%:*}" >/dev/null 2>&1 || missing+=("${requirement#*:}")
done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0)
  log=$(mktemp)
  echo "test.sh: installing ${missing[*]}" >&2
  if ! { "${apt_get[@]}" update && "${apt_get[@]}" install "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "test.sh: could not install ${missing[*]} (apt-get output above)" >&2
    exit 1
  fi
  rm -f "$log"
  for requirement in "${requirements[@]}"; do
    command -v "${requirement%%:*}" >/dev/null 2>&1 || {
      echo "test.sh: '${requirement#*:}' is installed but '${requirement%%:*}' is still not on PATH" >&2
      exit 1
    }
  done
fi

# The EVM tests run anvil and compile their contracts with solc-js: npm packages pinned by
# tests/evm/package-lock.json, installed when anvil is missing.
if [ ! -x tests/evm/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "test.sh: npm is not on PATH; the EVM tests need Node.js 20+ and npm to install tests/evm's packages" >&2
    exit 1
  fi
  log=$(mktemp)
  if ! (cd tests/evm && npm ci --no-audit --no-fund) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "test.sh: 'npm ci' in tests/evm failed (npm output above)" >&2
    exit 1
  fi
  rm -f "$log"
fi

exec dotnet test Ashiato.slnx -c Release "$@"
