#!/usr/bin/env bash
# Debian's chromium + chromedriver for the HTML report test (no browser download from the web:
# both come from the Debian package registry). Does nothing when they are already installed.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "warning: chromium/chromedriver missing and not root: the browser test of the HTML report will be skipped" >&2
        echo "         install them with: apt-get install chromium chromium-driver" >&2
        exit 0
    fi
else SUDO=""; fi
echo "installing Debian chromium + chromium-driver (for the HTML report test)…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
chromium --version >&2
