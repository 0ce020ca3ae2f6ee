/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each neutral exit means (vmm/exit.c) and the emulators it calls.
 * Context: exit path on the vCPU's own CPU; never waits.
 */
#ifndef LONGBUS_VMM_EXIT_HANDLERS_H
#define LONGBUS_VMM_EXIT_HANDLERS_H

#include "vmm/vm.h"

void exit_handle(struct vcpu *v, const struct vm_exit *e);

/* vmm/mmio.c: decode the instruction at RIP and emulate the MMIO access. */
void mmio_emulate(struct vcpu *v, const struct vm_exit *e);
/* vmm/msr.c: RDMSR/WRMSR through the allowlist; #GP otherwise. */
void msr_emulate(struct vcpu *v, bool is_write, u32 insn_len);
/* vmm/hypercall.c: VMCALL/VMMCALL (guest-api/hypercall.h). */
void hypercall_handle(struct vcpu *v, u32 insn_len);
/* vmm/pio.c-level dispatch: one port access through the table or the default policy. */
void pio_access(struct vcpu *v, u16 port, u8 size, bool is_write, u64 *value);

#endif
