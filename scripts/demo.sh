#!/usr/bin/env bash
# Spool's main job on the embedded default: install what is missing, build, start `spool serve`
# (SQLite + local workers), transcode VIDEO (or a generated 1080p sample) with live progress,
# and print where the renditions are.
#
#   ./scripts/demo.sh [VIDEO] [PRESET]      (PRESET defaults to web-default; try hls-ladder)
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-}"
preset="${2:-web-default}"
data="${SPOOL_DATA:-$PWD/spool-data}"
port="${SPOOL_PORT:-7878}"

./scripts/install-deps.sh
echo "building spool (the first build takes a few minutes)…" >&2
swift build --product spool >&2
spool="$(swift build --show-bin-path)/spool"

if [ -z "$video" ]; then
  video="$data/samples/sample-1080p.mp4"
  if [ ! -s "$video" ]; then
    mkdir -p "$(dirname "$video")"
    echo "making a 10 s 1080p sample clip at $video" >&2
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 10 \
      -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$video"
  fi
fi

log="$data/serve.log"
mkdir -p "$data"
"$spool" serve --data "$data" --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
export SPOOL_SERVER="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$SPOOL_SERVER/ready" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
"$spool" pools
echo
"$spool" submit "$video" --preset "$preset" --wait
echo
echo "server log: $log   (the server stops when this script ends; outputs stay under $data/outputs)"
echo "web console: run \`$spool serve --data $data --port $port\` and open http://127.0.0.1:$port/"
