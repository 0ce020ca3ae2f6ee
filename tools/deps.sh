#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages longbus needs to build, run, test and
# benchmark (the last line of PKGS: the Linux guest of tools/bench.py), and
# fetches lwIP's source (tools/fetch-lwip.sh: Debian's source package into
# build/lwip, adding a deb-src entry when apt has none).
# Idempotent and quiet when nothing is missing (make deps, make run, make test).
set -eu

PKGS="gcc make binutils gnu-efi mtools dosfstools qemu-system-x86 ovmf
bochs bochsbios vgabios libcmocka-dev python3 python3-pytest
dpkg-dev iperf
busybox-static cpio kmod xz-utils"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
	echo "deps: done"
fi

# lwIP 2.1.3 source (needs dpkg-dev, installed above); a no-op once present.
"$(dirname "$0")/fetch-lwip.sh" "$(dirname "$0")/../build/lwip"
