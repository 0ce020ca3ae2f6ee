#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make run: boot build/longbus.efi with tools/demo/longbus.cfg in QEMU
# (q35, AMD-V with NPT under TCG, OVMF, an e1000e on user-mode networking),
# serial console on this terminal. The demo guest (build/guests/hello.elf)
# rides along on the ESP.
# Quit with Ctrl-A X, or type 'poweroff' at the longbus> prompt.
#   LONGBUS_CFG=my.cfg make run      use another config
#   LONGBUS_SMP=4 make run           more CPUs
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cfg=${LONGBUS_CFG:-$top/tools/demo/longbus.cfg}
smp=${LONGBUS_SMP:-2}
esp=$top/build/run-esp.img
/usr/bin/python3 "$top/tools/mkesp.py" --efi "$top/build/longbus.efi" --cfg "$cfg" \
	--file "$top/build/guests/hello.elf=hello.elf" --out "$esp"
echo "booting longbus in QEMU (Ctrl-A X quits)"
exec qemu-system-x86_64 -machine q35 -cpu EPYC,+svm,+npt -smp "$smp" -m 1024 \
	-bios /usr/share/ovmf/OVMF.fd -drive format=raw,file="$esp" \
	-netdev user,id=n0 -device e1000e,netdev=n0 \
	-display none -serial mon:stdio -no-reboot
