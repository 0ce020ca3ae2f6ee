#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages longbus needs to build, run and test.
# Idempotent and quiet when nothing is missing (make deps, make run, make test).
set -eu

PKGS="gcc make binutils gnu-efi mtools dosfstools qemu-system-x86 ovmf
bochs bochsbios vgabios libcmocka-dev python3 python3-pytest"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
