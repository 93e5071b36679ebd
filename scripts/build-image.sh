#!/usr/bin/env bash
# Builds Spool's image without a registry: the root filesystem from Debian's own packages with mmdebstrap (the
# Dockerfile's runtime stage: ffmpeg, the OpenCL loader, tini, a non-root user), the release binary and the Swift
# runtime added, and buildah commits it from scratch. With --run it then starts the image with podman (read-only root,
# a volume for /var/lib/spool), transcodes the demo clip through its API, and stops it with SIGTERM, which must end
# it gracefully (exit 0).
#
# Usage: scripts/build-image.sh [--run] [--debug] [TAG]   (default TAG: localhost/spool:dev; needs root)
#   --debug  put the debug build in (what `swift build` made; CI uses it rather than spend ten minutes on a release
#            build) instead of the release build in .build-release
set -euo pipefail
cd "$(dirname "$0")/.."
run=0
configuration=release
while [ $# -gt 0 ]; do
  case "$1" in
    --run) run=1; shift ;;
    --debug) configuration=debug; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
tag=${1:-localhost/spool:dev}
# HEALTHCHECK exists only in the docker image format.
export BUILDAH_FORMAT=docker
missing=()
for tool in mmdebstrap buildah; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ "$run" -eq 0 ] || command -v podman >/dev/null 2>&1 || missing+=(podman)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build-image: missing ${missing[*]}: apt-get install ${missing[*]}" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "build-image: needs root (mmdebstrap unpacks packages as root; buildah and podman run rootful here)" >&2
  exit 2
fi
work=$(mktemp -d)
container=""
cleanup() {
  [ -z "$container" ] || buildah rm "$container" >/dev/null 2>&1 || true
  podman rm -f spool-image-smoke >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$configuration" = release ]; then
  echo "build-image: the release binary (.build-release, shared with the benchmarks)" >&2
  swift build -c release --product spool --scratch-path .build-release >&2
  bin=$(swift build -c release --scratch-path .build-release --show-bin-path)
else
  echo "build-image: the debug binary (.build)" >&2
  swift build --product spool >&2
  bin=$(swift build --show-bin-path)
fi
runtime=$(dirname "$(ldd "$bin/spool" | awk '/libswiftCore.so/ { print $3 }')")
mkdir -p "$work/overlay/usr/local/bin" "$work/overlay/usr/local/lib/swift" "$work/overlay/etc/ld.so.conf.d"
cp "$bin/spool" "$work/overlay/usr/local/bin/"
cp -R "$bin"/*.resources "$work/overlay/usr/local/bin/"
cp "$runtime"/*.so "$work/overlay/usr/local/lib/swift/"
echo /usr/local/lib/swift > "$work/overlay/etc/ld.so.conf.d/swift.conf"

echo "build-image: the root filesystem (mmdebstrap, Debian bookworm)" >&2
mmdebstrap --variant=apt --quiet \
  --include=ffmpeg,ocl-icd-libopencl1,ca-certificates,tini,curl,libcurl4,libsqlite3-0,libxml2,passwd \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='chroot "$1" useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/spool --shell /usr/sbin/nologin spool' \
  --customize-hook="sync-in $work/overlay /" \
  --customize-hook='mkdir -p "$1/var/lib/spool" && chown 10001:10001 "$1/var/lib/spool" && chroot "$1" ldconfig' \
  --customize-hook='chroot "$1" /usr/local/bin/spool --help >/dev/null' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"

echo "build-image: committing $tag (buildah, from scratch)" >&2
container=$(buildah from scratch)
buildah add "$container" "$work/rootfs.tar" / >/dev/null
buildah config \
  --entrypoint '["/usr/bin/tini", "--", "/usr/local/bin/spool"]' \
  --cmd 'serve --host 0.0.0.0 --data /var/lib/spool' \
  --user 10001:10001 --workingdir /var/lib/spool --volume /var/lib/spool --port 7878 \
  --healthcheck 'CMD curl -fsS http://127.0.0.1:7878/health || exit 1' --healthcheck-interval 15s \
  --healthcheck-timeout 3s --healthcheck-start-period 20s \
  --label org.opencontainers.image.title=spool \
  --label "org.opencontainers.image.description=Turns uploaded videos into streamable renditions on pools of GPU and CPU workers" \
  --label "org.opencontainers.image.version=$(git describe --always --dirty 2>/dev/null || echo dev)" \
  --label "org.opencontainers.image.revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$container"
buildah commit --quiet --format docker --rm "$container" "$tag" >/dev/null
container=""
echo "build-image: $tag ($(buildah images --format '{{.Size}}' "$tag" | head -1))" >&2
[ "$run" -eq 1 ] || exit 0

echo "build-image: running $tag with podman, transcoding the demo clip" >&2
exec "${SPOOL_TOOLS_VENV:-$HOME/.local/share/spool/venv}/bin/python3" scripts/image-smoke.py "$tag" "$bin/spool"
