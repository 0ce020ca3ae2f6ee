#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetches lwIP 2.1.3 from Debian's source package into build/lwip/ (never
# committed: .gitignore has /build/). Idempotent: a tree that is already
# there with the right version is left alone, so `make` stays offline once
# this has run.
#
#   tools/fetch-lwip.sh [DEST]      (default build/lwip)
#
# Needs a deb-src entry: when apt has none for Debian's main archive, this
# adds /etc/apt/sources.list.d/longbus-src.sources (deb822, the same URIs
# and suites as the machine's debian.sources) and runs apt-get update.
set -euo pipefail

WANT=2.1.3
DEST=${1:-build/lwip}
STAMP=$DEST/.longbus-lwip-version

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$DEST/src/core/tcp.c" ]; then
	exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

has_deb_src() {
	grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

if ! has_deb_src; then
	src=/etc/apt/sources.list.d/debian.sources
	out=/etc/apt/sources.list.d/longbus-src.sources
	echo "lwip: adding deb-src entries ($out)"
	if [ -f "$src" ]; then
		# Same stanzas, Types: deb-src; keeps URIs, Suites, Components, Signed-By.
		sed -E 's/^Types:.*/Types: deb-src/' "$src" | $SUDO tee "$out" >/dev/null
	elif [ -f /etc/apt/sources.list ]; then
		grep -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list |
			sed -E 's/^([[:space:]]*)deb([[:space:]])/\1deb-src\2/' |
			$SUDO tee /etc/apt/sources.list.d/longbus-src.list >/dev/null
	else
		echo "lwip: no apt sources found to derive a deb-src entry from" >&2
		exit 1
	fi
	$SUDO apt-get update -qq
fi
command -v dpkg-source >/dev/null || {
	echo "lwip: dpkg-source missing (apt-get install dpkg-dev)" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/lwip-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "lwip: apt-get source lwip"
if ! (cd "$work" && apt-get source -qq lwip >/dev/null 2>"$work/err"); then
	# The package lists may predate the deb-src entry (added by hand, or stale).
	$SUDO apt-get update -qq
	(cd "$work" && apt-get source -qq lwip >/dev/null) || {
		cat "$work/err" >&2
		exit 1
	}
fi
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'lwip-*' | head -1)
[ -n "$tree" ] || { echo "lwip: apt-get source produced no lwip-* tree" >&2; exit 1; }
ver=$(sed -n 's/^#define LWIP_VERSION_MAJOR[[:space:]]*\([0-9]*\).*/\1/p;
	s/^#define LWIP_VERSION_MINOR[[:space:]]*\([0-9]*\).*/\1/p;
	s/^#define LWIP_VERSION_REVISION[[:space:]]*\([0-9]*\).*/\1/p' \
	"$tree/src/include/lwip/init.h" | paste -sd.)
if [ "$ver" != "$WANT" ]; then
	echo "lwip: Debian's source package is lwIP $ver, longbus wants $WANT" >&2
	exit 1
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$tree" "$DEST"
echo "$WANT" >"$STAMP"
echo "lwip: lwIP $WANT in $DEST"
