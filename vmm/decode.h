/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction decoder for MMIO emulation: the forms a guest uses to touch
 * a device register (mov, movzx/movsx/movsxd, stos, movs) with their REX,
 * operand-size, address-size, segment and rep prefixes.
 *
 * Pure: no asm, no global state, no logging, no guest memory access.
 * The caller fetches the instruction bytes (through the guest page-table
 * walker), decodes them here, then performs the access with the GPA the
 * EPT/NPT exit reports and the helpers below. Builds unchanged for
 * tests/unit. Context: any, including the exit path; never blocks.
 */
#ifndef LONGBUS_VMM_DECODE_H
#define LONGBUS_VMM_DECODE_H

#include "kernel/compiler.h"
#include "kernel/types.h"

/* The architectural limit: a longer instruction raises #GP. */
#define INSN_MAX_LEN 15

/* mem.base / mem.index when the operand has none. */
#define INSN_REG_NONE (-1)

/*
 * GPR numbers, in the encoding order of ModRM/SIB/REX. Every gprs[16] array
 * taken below is indexed this way. On VT-x RSP lives in the VMCS and on SVM
 * RAX and RSP live in the VMCB: copy them into gprs[] before calling.
 */
enum insn_gpr {
	INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX,
	INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI,
	INSN_R8, INSN_R9, INSN_R10, INSN_R11,
	INSN_R12, INSN_R13, INSN_R14, INSN_R15,
};

/*
 * What decides default operand and address sizes. The decoder needs nothing
 * else from the guest state; see cpu_mode_of() for how to pick one.
 */
enum cpu_mode {
	CPU_MODE_REAL,	 /* real or virtual-8086 mode: 16-bit defaults */
	CPU_MODE_PROT16, /* protected or compatibility mode with CS.D = 0 */
	CPU_MODE_PROT32, /* protected or compatibility mode with CS.D = 1 */
	CPU_MODE_LONG64, /* 64-bit mode: EFER.LMA = 1 and CS.L = 1 */
};

/* Segment registers, in the order of the SDM's Sreg encoding (and VMX's). */
enum insn_seg {
	INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS,
	INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS,
};

enum insn_kind {
	INSN_NONE,	/* only in a zeroed struct, after an error */
	INSN_LOAD,	/* reg <- mem: 8A, 8B, A0, A1 */
	INSN_STORE,	/* mem <- reg: 88, 89, A2, A3 */
	INSN_STORE_IMM, /* mem <- imm: C6 /0, C7 /0 */
	INSN_MOVZX,	/* reg <- zero-extended mem: 0F B6, 0F B7 */
	INSN_MOVSX,	/* reg <- sign-extended mem: 0F BE, 0F BF, 63 (movsxd) */
	INSN_STOS,	/* ES:[rDI] <- AL/AX/EAX/RAX: AA, AB */
	INSN_MOVS,	/* ES:[rDI] <- seg:[rSI]: A4, A5 */
};

/*
 * The memory operand of a ModRM or moffs form, for the caller's address
 * computation (the page walker, or checking that the exit's GPA is the one
 * the instruction meant). The offset within the segment is
 *   (base + index * scale + disp [+ RIP of the next insn if rip_rel])
 * modulo 2^(8 * addr_size); insn_mem_offset() computes it.
 * 16-bit addressing reports its pairs the same way: [BP+SI] is base 5,
 * index 6, scale 1. STOS and MOVS have no base, no index and disp 0.
 */
struct insn_mem {
	s8 base;	/* GPR number, or INSN_REG_NONE */
	s8 index;	/* GPR number, or INSN_REG_NONE */
	u8 scale;	/* 1, 2, 4 or 8; 1 when there is no index */
	bool rip_rel;	/* 64-bit mode mod=00 rm=101: relative to the next RIP */
	u64 disp;	/* sign-extended, then truncated to addr_size; moffs as is */
};

/*
 * One decoded instruction. Fields a kind does not use are zero.
 *
 * Register operand (reg, reg_high8): the source of STORE and STOS (rAX), the
 * destination of LOAD, MOVZX and MOVSX. An 8-bit operand without any REX
 * prefix encodes AH/CH/DH/BH as 4..7; that is reported as reg 0..3 with
 * reg_high8 set, meaning bits 15:8 of that GPR. insn_reg_read() and
 * insn_reg_write() apply this.
 *
 * String forms: STOS writes ES:[rDI]; MOVS reads seg:[rSI] and writes
 * ES:[rDI] (the destination segment is always ES, the source segment can be
 * overridden). Either side of a MOVS may be the MMIO one, so the caller
 * translates both. The direction comes from RFLAGS.DF, which the decoder
 * does not see; see insn_str_count() and insn_str_advance().
 */
struct insn {
	u8 len;			/* bytes, 1..INSN_MAX_LEN */
	enum insn_kind kind;
	u8 size;		/* bytes of memory accessed per element: 1, 2, 4, 8 */
	u8 dst_size;		/* register bytes written: LOAD == size, MOVZX/MOVSX
				 * wider (2, 4, 8); 0 for the store kinds */
	u8 reg;			/* GPR number 0..15, see above */
	bool reg_high8;		/* reg (0..3) means AH/CH/DH/BH */
	u64 imm;		/* STORE_IMM: the size bytes stored, zero-extended
				 * into u64 (C7 with REX.W: imm32 sign-extended) */
	bool rep;		/* STOS/MOVS with F3 (or F2, which acts the same) */
	u8 addr_size;		/* 2, 4 or 8: width of rSI/rDI/rCX and of the offset */
	enum insn_seg seg;	/* segment of the memory operand (MOVS: of the
				 * source; STOS: ES). In 64-bit mode ES/CS/SS/DS
				 * overrides are ignored, as by the CPU. */
	struct insn_mem mem;
};

/*
 * Decodes the instruction at bytes[0]. Reads at most min(n, INSN_MAX_LEN)
 * bytes and never bytes[n] or beyond; bytes after the instruction are
 * ignored.
 *
 * Returns:
 *   0        *out describes it, out->len is its length.
 *   -ERANGE  the instruction goes on past bytes[n - 1] (n < INSN_MAX_LEN):
 *            fetch more bytes (e.g. across the page boundary) and call again.
 *   -EINVAL  not a form longbus emulates, or not a valid instruction: other
 *            opcodes, VEX/EVEX/XOP, a register operand (mod = 11, which
 *            cannot make a memory access), a LOCK prefix (#UD on a mov),
 *            C6/C7 with ModRM.reg != 0, longer than INSN_MAX_LEN, or an
 *            invalid mode.
 * On error *out is zeroed.
 */
int decode_insn(const u8 *bytes, size_t n, enum cpu_mode mode, struct insn *out) __must_check;

/*
 * The decoding mode from guest state: CR0.PE, RFLAGS.VM, EFER.LMA and the
 * CS access rights L and D/B.
 */
static inline enum cpu_mode cpu_mode_of(bool cr0_pe, bool rflags_vm, bool efer_lma,
					bool cs_l, bool cs_db)
{
	if (efer_lma && cs_l)
		return CPU_MODE_LONG64;
	if (rflags_vm)
		return CPU_MODE_REAL;
	if (cs_db)
		return CPU_MODE_PROT32; /* also "unreal" code with a 32-bit CS */
	return cr0_pe ? CPU_MODE_PROT16 : CPU_MODE_REAL;
}

/* All-ones in the low addr_size bytes: what rSI/rDI/rCX and offsets wrap at. */
static inline u64 insn_addr_mask(const struct insn *insn)
{
	return insn->addr_size >= 8 ? ~0ULL : (1ULL << (8 * insn->addr_size)) - 1;
}

/*
 * The register operand as the CPU reads it: insn->size bytes, zero-extended
 * (bits 15:8 for AH..BH). For STORE and STOS this is the value stored.
 */
u64 insn_reg_read(const struct insn *insn, const u64 gprs[16]);

/*
 * Completes a LOAD, MOVZX or MOVSX: data holds the insn->size bytes read
 * (higher bits ignored). Extends it to dst_size and writes the destination
 * as the CPU does: 8- and 16-bit writes keep the other bits, a 32-bit write
 * zeroes bits 63:32. Does nothing for the other kinds.
 */
void insn_reg_write(const struct insn *insn, u64 gprs[16], u64 data);

/*
 * The insn->size bytes a STORE, STORE_IMM or STOS writes (zero-extended);
 * 0 for the other kinds. A MOVS stores what it read.
 */
u64 insn_store_data(const struct insn *insn, const u64 gprs[16]);

/*
 * Offset within insn->seg of the memory operand of a ModRM or moffs form,
 * modulo the address size. rip is the address of the instruction itself
 * (RIP-relative operands count from rip + len). For STOS and MOVS it is the
 * destination offset, rDI; a MOVS source is at gprs[INSN_RSI] masked by
 * insn_addr_mask().
 */
u64 insn_mem_offset(const struct insn *insn, const u64 gprs[16], u64 rip);

/*
 * Elements a STOS/MOVS moves: rCX (masked to the address size) with rep, else 1.
 * A rep with rCX = 0 moves nothing and just completes.
 */
u64 insn_str_count(const struct insn *insn, const u64 gprs[16]);

/*
 * Retires count elements of a STOS/MOVS: rDI (and rSI for MOVS) step by
 * count * size, down if RFLAGS.DF (df) is set, and with rep rCX drops by
 * count. Each register changes only in its low addr_size bytes (a 32-bit
 * address size zeroes bits 63:32, as any 32-bit write). The caller may
 * retire a rep in chunks and leave RIP in place until rCX reaches 0, as the
 * CPU does on an interrupt. Does nothing for the other kinds.
 */
void insn_str_advance(const struct insn *insn, u64 gprs[16], bool df, u64 count);

#endif
