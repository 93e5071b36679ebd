#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs `swift test` (unit, real-ffmpeg and real-process tests), then
# the three-host harness (tests/hosts/run) and the fault suite (tests/faults/run) unless a filter was given.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
# The Kubernetes package, rendered and validated offline, its policy asserted, broken copies refused.
if [ $# -eq 0 ]; then tests/deploy/run; fi
# A real Prometheus scrapes a running cluster with the shipped rules: every rule's signal returns data, and every metric
# the Grafana dashboard queries exists.
if [ $# -eq 0 ]; then tests/observability/run; fi
# The web console in a real browser (headless chromium through Selenium), with a screenshot of every view.
if [ $# -eq 0 ]; then tests/console/run; fi
# One job's OpenTelemetry trace across a gateway, a manager and a worker, exported to a small OTLP receiver.
if [ $# -eq 0 ]; then tests/traces/run; fi
# The container image, built from Debian's packages and run with podman (skipped, saying why, where it cannot run).
if [ $# -eq 0 ]; then tests/image/run; fi
# Spool on three hosts with no shared disk (network namespaces; skipped, saying why, where they are unavailable).
if [ $# -eq 0 ]; then tests/hosts/run; fi
# Fault injection with lost/duplicated/unexpected counts (short lengths; FULL=1 for the long ones).
if [ $# -eq 0 ]; then tests/faults/run; fi
