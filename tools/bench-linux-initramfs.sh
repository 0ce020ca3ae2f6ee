#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds the Linux guest of `make bench` (tools/bench.py): Debian's own
# kernel and a busybox-static initramfs holding Debian's iperf (iperf 2)
# with its shared libraries and the NIC driver modules, into DIR (default
# build/bench/linux): vmlinuz, initrd.gz, kernel-version.
#
#   tools/bench-linux-initramfs.sh [DIR]
#
# The kernel is the running Debian release's default flavour: the package
# linux-image-amd64 depends on (`apt-get download`, unpacked with dpkg-deb
# under DIR/..; nothing is installed). Needs busybox-static, iperf, cpio,
# kmod (modinfo) and xz-utils (tools/deps.sh). Idempotent: a DIR built from
# the same kernel package and this script is left alone.
#
# The guest's /init loads e1000, e1000e and virtio_net (and what they
# depend on, from modinfo; .ko.xz are decompressed here because busybox
# insmod may not read them), sets bench.ip=A.B.C.D/N from the kernel
# command line on eth0, prints "bench-ready" and runs a shell on the
# console (prompt "bench# "). `tcp-retrans` prints the kernel's count of
# retransmitted TCP segments.
set -euo pipefail

DIR=${1:-build/bench/linux}
DL=$(dirname "$DIR")/dl
WANT_MODULES="e1000 e1000e virtio_net virtio_pci"

kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(kernel_pkg)
if [ -z "$pkg" ]; then
	# Package lists missing or stale: fetch them once.
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	pkg=$(kernel_pkg)
fi
[ -n "$pkg" ] || { echo "bench-linux: apt knows no linux-image-amd64" >&2; exit 1; }
stamp="$pkg $(sha256sum "$0" | cut -c1-16)"
if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$stamp" ] && [ -f "$DIR/initrd.gz" ]; then
	exit 0
fi

mkdir -p "$DL"
deb=$(ls "$DL/${pkg}_"*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	echo "bench-linux: apt-get download $pkg"
	# -o APT::Sandbox::User=root: the _apt user may not write into build/.
	(cd "$DL" && apt-get download -qq -o APT::Sandbox::User=root "$pkg")
	deb=$(ls "$DL/${pkg}_"*.deb | head -1)
fi

kroot=$(dirname "$DIR")/kernel
rm -rf "$kroot"
mkdir -p "$kroot"
dpkg-deb -x "$deb" "$kroot"
kver=$(ls "$kroot/lib/modules" | head -1)
mods="$kroot/lib/modules/$kver/kernel"

root=$(mktemp -d "${TMPDIR:-/tmp}/bench-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules,lib64,usr/bin}

# busybox-static: every applet as a link, made at boot (/init).
cp /bin/busybox "$root/bin/busybox"

# iperf and the libraries ldd names, at the same paths.
cp /usr/bin/iperf "$root/usr/bin/iperf"
for lib in $(ldd /usr/bin/iperf | grep -oE '/[^ ]+'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

# Modules in dependency order (each after what modinfo says it depends on).
order=()
module_file() {
	local pat=${1//[-_]/[-_]}
	find "$mods" \( -name "$pat.ko" -o -name "$pat.ko.xz" \) | head -1
}
add_module() {
	local m=$1 f d
	for d in "${order[@]}"; do [ "$d" = "$m" ] && return 0; done
	f=$(module_file "$m")
	[ -n "$f" ] || { echo "bench-linux: module $m not found in $kver" >&2; exit 1; }
	for d in $(modinfo -F depends "$f" | tr , ' '); do
		add_module "$d"
	done
	case "$f" in
	*.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	order+=("$m")
}
for m in $WANT_MODULES; do add_module "$m"; done
printf '%s\n' "${order[@]}" >"$root/lib/modules/order"

# tcp-retrans: the kernel's count of retransmitted TCP segments.
cat >"$root/bin/tcp-retrans" <<'EOF'
#!/bin/sh
awk '/^Tcp:/ { n++; if (n == 1) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i }
	else print $c }' /proc/net/snmp
EOF
chmod +x "$root/bin/tcp-retrans"

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev
# No /dev/console in the archive (no mknod without root): open it now.
exec 0<>/dev/console 1>&0 2>&0
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko || echo "bench: insmod $m failed"
done
ip=
for a in $(cat /proc/cmdline); do
	case $a in bench.ip=*) ip=${a#bench.ip=} ;; esac
done
ip link set lo up
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
ip link set eth0 up
[ -n "$ip" ] && ip addr add "$ip" dev eth0
n=0
while [ "$(cat /sys/class/net/eth0/operstate 2>/dev/null)" != up ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
drv=$(basename "$(readlink /sys/class/net/eth0/device/driver)")
echo "bench: eth0 $drv $(cat /sys/class/net/eth0/address) $ip $(cat /sys/class/net/eth0/operstate)"
echo bench-ready
export PS1='bench# ' HOME=/ PATH=/bin:/usr/bin
exec setsid cttyhack sh
EOF
chmod +x "$root/init"

mkdir -p "$DIR"
cp "$kroot/boot/vmlinuz-$kver" "$DIR/vmlinuz"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$DIR/initrd.gz"
echo "$kver" >"$DIR/kernel-version"
echo "$stamp" >"$DIR/.stamp"
echo "bench-linux: $DIR: Linux $kver, modules: ${order[*]}"
