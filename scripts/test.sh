#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, and runs `swift test` (unit, real-ffmpeg and real-process tests).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
