#!/usr/bin/env bash
# Installs the pinned cfn-lint (AWS CloudFormation linter, from PyPI) into a project-local
# virtualenv (.venv-cfn-lint) when it is missing or at another version. The test setup
# (test/harness/global-setup.ts) and .ci/run call this: the deploy/ templates are linted by a test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec bash "$root/scripts/pip-venv.sh" "$root/.venv-cfn-lint" "cfn-lint==1.58.0" cfn-lint
