#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium: the HTML report's tests drive it with
# playwright-core. Installs it with apt-get when missing and running as root (a fresh CI
# machine or container); otherwise stops with what to run. The test setup and .ci/run call this.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "trailwarden tests need Debian's Chromium at $CHROMIUM for the HTML report's browser tests;" >&2
  echo "install it first, e.g.: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "installing Debian chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
