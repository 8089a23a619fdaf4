#!/usr/bin/env bash
# Set up and run the whole test suite on a Debian or Ubuntu machine.
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -k race    # extra arguments go to pytest
# Python packages go into the active virtual environment, or else into .venv in the checkout
# (made here; Debian and Ubuntu need python3-venv for it, installed here when run as root).
# Chromium comes from the distribution (the browser tests drive /usr/bin/chromium); run as
# root it is installed, otherwise the browser tests say how and skip (under CI they fail).
# DESCENTLAB_TEST_TORCH=1 also installs torch 2.13.0 (CPU) for the torch.optim agreement tests,
# DESCENTLAB_TEST_OPTAX=1 optax 0.2.8 with jax 0.10.2 for the optax agreement tests.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

if [[ -z "${VIRTUAL_ENV:-}" ]]; then
  if [[ ! -x .venv/bin/python ]]; then
    if ! python3 -m venv .venv; then
      rm -rf .venv
      if [[ $(id -u) -ne 0 ]]; then
        echo "scripts/test.sh: python3 cannot make a virtual environment; install it with" \
             "'sudo apt-get install python3-venv'" >&2
        exit 1
      fi
      apt_install python3-venv
      python3 -m venv .venv
    fi
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
fi

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    apt_install chromium fonts-liberation
  else
    echo "scripts/test.sh: no /usr/bin/chromium; install it with 'sudo apt-get install chromium'" >&2
  fi
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off
python -m pip install -q -e '.[test]'
if [[ "${DESCENTLAB_TEST_TORCH:-0}" == 1 ]]; then
  python -m pip install -q torch==2.13.0
fi
if [[ "${DESCENTLAB_TEST_OPTAX:-0}" == 1 ]]; then
  python -m pip install -q jax==0.10.2 jaxlib==0.10.2 optax==0.2.8
fi

python -m pytest -q "$@"
