/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test device (Jailhouse's test-device idea), present only in VMs with
 * `testdev = on`. Its layout is guest ABI: guest-api/testdev.h.
 */
#ifndef LONGBUS_VMM_TESTDEV_H
#define LONGBUS_VMM_TESTDEV_H

#include "vmm/vm.h"

int testdev_init(struct vm *vm) __must_check;

#endif
