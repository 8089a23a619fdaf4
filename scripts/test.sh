#!/usr/bin/env bash
# Set up and run the whole test suite on a Debian or Ubuntu machine.
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -k race    # extra arguments go to pytest
# Chromium comes from the distribution (the browser tests drive /usr/bin/chromium); run as
# root it is installed, otherwise the browser tests say how and skip (under CI they fail).
# DESCENTLAB_TEST_TORCH=1 also installs torch 2.13.0 (CPU) for the torch.optim agreement tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      chromium fonts-liberation
  else
    echo "scripts/test.sh: no /usr/bin/chromium; install it with 'sudo apt-get install chromium'" >&2
  fi
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off
python -m pip install -q -e '.[test]'
if [[ "${DESCENTLAB_TEST_TORCH:-0}" == 1 ]]; then
  python -m pip install -q torch==2.13.0
fi

python -m pytest -q "$@"
