#!/usr/bin/env bash
# Installs the pinned moto server into a project-local virtualenv (.venv-moto) when it is
# missing or at another version. The test setup calls this; so does .ci/run.
set -euo pipefail
MOTO_VERSION="5.2.5"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-moto"
stamp="$venv/.moto-$MOTO_VERSION"
if [ -x "$venv/bin/moto_server" ] && [ -f "$stamp" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
touch "$stamp"
echo "moto $MOTO_VERSION installed in $venv" >&2
