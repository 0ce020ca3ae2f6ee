/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD-V architecture: the VMCB layout (APM vol. 2, appendix B), intercept
 * bits, exit codes (appendix C), EVENTINJ and the SVM MSRs. Constants and
 * offsets only; vmm/svm/svm.c holds the logic.
 */
#ifndef LONGBUS_SVM_REGS_H
#define LONGBUS_SVM_REGS_H

#include "kernel/compiler.h"

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS BIT(4)

#define CPUID_8000_0001_ECX_SVM BIT(2)
#define CPUID_8000_000A_EDX_NP BIT(0)
#define CPUID_8000_000A_EDX_NRIPS BIT(3)

/* VMCB control area offsets (table B-1). */
#define VMCB_INTERCEPT_CR 0x000
#define VMCB_INTERCEPT_DR 0x004
#define VMCB_INTERCEPT_EXC 0x008
#define VMCB_INTERCEPT_MISC1 0x00c
#define VMCB_INTERCEPT_MISC2 0x010
#define VMCB_IOPM_BASE 0x040
#define VMCB_MSRPM_BASE 0x048
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058
#define VMCB_TLB_CONTROL 0x05c
#define VMCB_INT_CTL 0x060
#define VMCB_INT_VECTOR 0x064
#define VMCB_INT_STATE 0x068
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_EXITINTINFO 0x088
#define VMCB_NP_ENABLE 0x090
#define VMCB_EVENTINJ 0x0a8
#define VMCB_N_CR3 0x0b0
#define VMCB_CLEAN 0x0c0

/* State save area offsets (table B-2); a segment is {u16 sel, u16 attr, u32 limit, u64 base}. */
#define VMCB_ES 0x400
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_SEG_SEL 0
#define VMCB_SEG_ATTR 2
#define VMCB_SEG_LIMIT 4
#define VMCB_SEG_BASE 8
#define VMCB_CPL 0x4cb
#define VMCB_EFER 0x4d0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5d8
#define VMCB_RAX 0x5f8
#define VMCB_CR2 0x640
#define VMCB_G_PAT 0x668

/* Intercept bits: MISC1 (offset 0x0c). */
#define INTERCEPT_INTR BIT(0)
#define INTERCEPT_NMI BIT(1)
#define INTERCEPT_SMI BIT(2)
#define INTERCEPT_INIT BIT(3)
#define INTERCEPT_VINTR BIT(4)
#define INTERCEPT_CPUID BIT(18)
#define INTERCEPT_INVD BIT(22)
#define INTERCEPT_HLT BIT(24)
#define INTERCEPT_INVLPGA BIT(26)
#define INTERCEPT_IOIO_PROT BIT(27)
#define INTERCEPT_MSR_PROT BIT(28)
#define INTERCEPT_SHUTDOWN BIT(31)
/* MISC2 (offset 0x10). */
#define INTERCEPT_VMRUN BIT(0)
#define INTERCEPT_VMMCALL BIT(1)
#define INTERCEPT_VMLOAD BIT(2)
#define INTERCEPT_VMSAVE BIT(3)
#define INTERCEPT_STGI BIT(4)
#define INTERCEPT_CLGI BIT(5)
#define INTERCEPT_SKINIT BIT(6)
#define INTERCEPT_XSETBV BIT(13)

/* INT_CTL (offset 0x60). */
#define INT_CTL_V_IRQ BIT(8)
#define INT_CTL_V_IGN_TPR BIT(20)
#define INT_CTL_V_INTR_MASKING BIT(24)
#define INT_STATE_SHADOW BIT(0)

#define TLB_CONTROL_FLUSH_ALL 1

/* Exit codes (appendix C). */
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_NPF 0x400
/* QEMU reports VMEXIT_INVALID as 0xffffffff in the low 32 bits only. */
#define SVM_EXIT_INVALID_LOW32 0xffffffffULL

/* IOIO EXITINFO1 (15.10.2). EXITINFO2 holds the next RIP. */
#define IOIO_TYPE_IN BIT(0)
#define IOIO_STR BIT(2)
#define IOIO_REP BIT(3)
#define IOIO_SZ8 BIT(4)
#define IOIO_SZ16 BIT(5)
#define IOIO_SZ32 BIT(6)
#define IOIO_PORT GENMASK(31, 16)

/* NPF EXITINFO1 (15.25.6). */
#define NPF_WRITE BIT(1)
#define NPF_FETCH BIT(4)

/* EVENTINJ / EXITINTINFO (15.20). */
#define EVTINJ_VECTOR GENMASK(7, 0)
#define EVTINJ_TYPE GENMASK(10, 8)
#define EVTINJ_EV BIT(11)
#define EVTINJ_VALID BIT(31)
#define EVTINJ_ERROR GENMASK(63, 32)
#define EVTINJ_TYPE_INTR 0
#define EVTINJ_TYPE_NMI 2
#define EVTINJ_TYPE_EXCEPTION 3
#define EVTINJ_TYPE_SOFT_INT 4

/* Segment attributes as the VMCB packs them: type/S/DPL/P in 7:0, AVL/L/DB/G in 11:8. */
#define SVM_ATTR_TYPE GENMASK(3, 0)
#define SVM_ATTR_S BIT(4)
#define SVM_ATTR_DPL GENMASK(6, 5)
#define SVM_ATTR_P BIT(7)
#define SVM_ATTR_L BIT(9)
#define SVM_ATTR_DB BIT(10)
#define SVM_ATTR_G BIT(11)

#endif
