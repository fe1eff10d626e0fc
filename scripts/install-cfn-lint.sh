#!/usr/bin/env bash
# Installs the pinned cfn-lint (AWS CloudFormation linter, from PyPI) into a project-local
# virtualenv (.venv-cfn-lint) when it is missing or at another version. The test setup
# (test/harness/global-setup.ts) calls this: the deploy/ templates are linted by a test.
set -euo pipefail
CFN_LINT_VERSION="1.58.0"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-cfn-lint"
stamp="$venv/.cfn-lint-$CFN_LINT_VERSION"
if [ -x "$venv/bin/cfn-lint" ] && [ -f "$stamp" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
touch "$stamp"
echo "cfn-lint $CFN_LINT_VERSION installed in $venv" >&2
