#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (Playwright drives
# it through playwright-core; no browser is downloaded by npm). Does nothing
# when a Chromium is already there. Needs root (or sudo) and Debian's packages.
set -euo pipefail
if [ -n "${ML_CONNECTOR_CHROMIUM:-}" ] && [ -x "${ML_CONNECTOR_CHROMIUM}" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser: Chromium is missing and this user cannot install packages; install Debian's 'chromium' package, or set ML_CONNECTOR_CHROMIUM to a Chromium binary" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends chromium >/dev/null
}
echo "install-browser: $(chromium --version)"
