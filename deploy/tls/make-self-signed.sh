#!/usr/bin/env bash
# Makes a self-signed certificate for localhost and 127.0.0.1 (tests, trying the balancers out).
# Usage: deploy/tls/make-self-signed.sh DIR   → DIR/spool.crt, DIR/spool.key, DIR/spool.pem (both, for HAProxy)
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/spool.key" -out "$dir/spool.crt" 2>/dev/null
cat "$dir/spool.crt" "$dir/spool.key" > "$dir/spool.pem"
chmod 600 "$dir/spool.key" "$dir/spool.pem"
echo "$dir/spool.pem"
