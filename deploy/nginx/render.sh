#!/usr/bin/env bash
# Fills deploy/nginx/nginx.conf's placeholders. Usage:
#   deploy/nginx/render.sh PREFIX LISTEN CERT KEY GATEWAY_1 GATEWAY_2 [CLIENT_RATE] [BASELINE] > nginx.conf
set -euo pipefail
prefix=$1 listen=$2 cert=$3 key=$4 g1=$5 g2=$6 rate=${7:-2000} baseline=${8:-127.0.0.1:0}
mkdir -p "$prefix"
sed -e "s|__PREFIX__|$prefix|g" -e "s|__LISTEN__|$listen|g" -e "s|__CERT__|$cert|g" -e "s|__KEY__|$key|g" \
    -e "s|__GATEWAY_1__|$g1|g" -e "s|__GATEWAY_2__|$g2|g" -e "s|__CLIENT_RATE__|$rate|g" \
    -e "s|__BASELINE__|$baseline|g" "$(dirname "$0")/nginx.conf"
