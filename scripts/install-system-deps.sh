#!/usr/bin/env bash
# Installs the Debian packages agentwatch runs on, only where the binaries are missing.
set -euo pipefail

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null \
  || need+=(prometheus-alertmanager)
# `agentwatch check` validates docker-compose.monitoring.yml with `docker-compose config`, which
# needs no Docker engine; Debian's docker-compose (1.29) is the standalone Python tool.
command -v docker-compose >/dev/null || need+=(docker-compose)
# The analytics client is tested against a second Prometheus-compatible API, VictoriaMetrics.
command -v victoria-metrics >/dev/null || need+=(victoria-metrics)
# The console is tested in a real headless browser (Playwright drives Debian's Chromium).
command -v chromium >/dev/null || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "agentwatch needs the Debian packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get install --no-install-recommends ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packages try to start system services; agentwatch runs its own processes instead.
apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u)
