#!/usr/bin/env bash
# Installs slactl with its test dependencies (and Debian's Chromium for the browser tests), then runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      echo "WARNING: could not install chromium: the browser tests will be skipped" >&2
    fi
  else
    echo "chromium not found and cannot be installed here: browser tests will be skipped" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
python3 -m ruff check src tests benchmarks
python3 -m mypy src/slactl
python3 -m pytest "$@"
