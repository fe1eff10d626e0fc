#!/usr/bin/env bash
# Installs the pinned moto server into a project-local virtualenv (.venv-moto) when it is
# missing or at another version. The test setup calls this; so does .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec bash "$root/scripts/pip-venv.sh" "$root/.venv-moto" "moto[server]==5.2.5" moto_server
