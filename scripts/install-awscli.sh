#!/usr/bin/env bash
# Installs the pinned AWS CLI v1 (PyPI `awscli`) into a project-local virtualenv (.venv-awscli)
# when it is missing or at another version. The log-integrity tests use its
# `aws cloudtrail validate-logs` as the oracle trailwarden must agree with; the test setup and
# .ci/run call this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec bash "$root/scripts/pip-venv.sh" "$root/.venv-awscli" "awscli==1.46.3" aws
