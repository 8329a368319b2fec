#!/usr/bin/env bash
# Runs the whole suite headless. Tests start the servers they need themselves
# (redis-server on a free loopback port, a fake OpenAI server); this only makes
# sure redis-server is installed, so the Redis tests run instead of skipping.
set -uo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
if ! command -v redis-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing redis-server for the Redis tests (apt-get)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq redis-server >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq redis-server >/dev/null 2>&1; } ||
        echo "Could not install redis-server; the Redis tests will be skipped (or fail under CI)."
fi
# The summary is kept so `make test` can repeat it as its last line.
.venv/bin/python -m pytest "$@" 2>&1 | tee .pytest-summary.log
status=${PIPESTATUS[0]}
# pytest's "no tests collected" (5) must fail loudly, never pass silently.
exit $status
