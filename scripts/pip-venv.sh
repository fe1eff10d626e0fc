#!/usr/bin/env bash
# Installs one pinned PyPI requirement into a project-local virtualenv, once per version:
#   pip-venv.sh VENV_DIR REQUIREMENT EXECUTABLE
# e.g. pip-venv.sh .venv-moto "moto[server]==5.2.5" moto_server. Used by install-moto.sh and
# install-cfn-lint.sh. On Debian, python3 without the venv module (package python3-venv) is
# completed with apt-get when running as root; otherwise the script says what to install.
set -euo pipefail
venv="$1"
requirement="$2"
executable="$3"
stamp="$venv/.installed-$(printf '%s' "$requirement" | tr -c 'A-Za-z0-9.=_-' '_')"
if [ -x "$venv/bin/$executable" ] && [ -f "$stamp" ]; then
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing python3-venv with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
  else
    echo "python3 has no working venv module; install it first, e.g.: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement"
touch "$stamp"
echo "$requirement installed in $venv" >&2
