#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 procedo contributors
# SPDX-License-Identifier: EUPL-1.2
#
# install-chromium.sh installs Debian's chromium for the browser test suite
# (testkit/browser). It does nothing when /usr/bin/chromium already exists.
# Browsers downloaded by other tools (npx playwright install, puppeteer) do not
# work on our machines: the network only reaches the package registries.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
	echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
	exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "install-chromium.sh: need root or sudo to run apt-get" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing Debian chromium (apt-get)…"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
