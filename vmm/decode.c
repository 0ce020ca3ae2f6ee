// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 instruction decoder for MMIO emulation (see decode.h for the forms).
 *
 * An EPT violation or NPF gives the GPA and, on VT-x, whether it was a read
 * or a write, but not the register or value involved; on SVM without decode
 * assists (QEMU TCG) not even the length. So longbus decodes the instruction
 * itself. Only forms a guest uses on device registers are accepted;
 * everything else is -EINVAL and the caller stops that guest.
 *
 * Layout of an instruction, SDM Vol. 2A, 2.1 (APM Vol. 3, 1.1):
 *   legacy prefixes, REX (64-bit mode, last before the opcode), opcode
 *   (1 or 0F + 1 byte), ModRM, SIB, displacement, immediate; at most 15 bytes.
 *
 * Pure, no state: context-free, safe anywhere.
 */
#include "vmm/decode.h"

#include "kernel/errno.h"

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

#define NO_SEG (-1)

/* Decoding state for one call; nothing survives it. */
struct dec {
	const u8 *bytes;
	size_t n;
	size_t pos;
	enum cpu_mode mode;
	u8 rex;		 /* the REX byte in effect, 0 when none */
	bool has_rex;	 /* any REX, even 0x40: changes 8-bit reg 4..7 */
	bool opsize_pfx; /* 66 */
	bool addr_pfx;	 /* 67 */
	bool lock;	 /* F0 */
	bool rep;	 /* F2 or F3 */
	int seg;	 /* override, or NO_SEG */
};

/*
 * Takes the next byte. Past 15 bytes the instruction is invalid whatever
 * follows; short of that, running out of input only means "fetch more".
 */
static int next_byte(struct dec *d, u8 *b)
{
	if (d->pos >= INSN_MAX_LEN)
		return -EINVAL;
	if (d->pos >= d->n)
		return -ERANGE;
	*b = d->bytes[d->pos++];
	return 0;
}

/* Little-endian, width bytes (1, 2, 4 or 8), zero-extended. */
static int next_le(struct dec *d, unsigned width, u64 *v)
{
	*v = 0;
	for (unsigned i = 0; i < width; i++) {
		u8 b;
		int rc = next_byte(d, &b);

		if (rc)
			return rc;
		*v |= (u64)b << (8 * i);
	}
	return 0;
}

static u64 sign_extend(u64 v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return bytes >= 8 ? v : (u64)((s64)(v << shift) >> shift);
}

static u64 mask_bytes(u64 v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

static bool mode_is_16(enum cpu_mode mode)
{
	return mode == CPU_MODE_REAL || mode == CPU_MODE_PROT16;
}

/* Operand size for the non-byte opcodes (SDM Vol. 1, 3.6 and Table 3-4). */
static u8 op_size(const struct dec *d)
{
	if (d->mode == CPU_MODE_LONG64 && (d->rex & REX_W))
		return 8; /* REX.W wins over 66 */
	return (mode_is_16(d->mode) != d->opsize_pfx) ? 2 : 4;
}

static u8 addr_size(const struct dec *d)
{
	if (d->mode == CPU_MODE_LONG64)
		return d->addr_pfx ? 4 : 8;
	return (mode_is_16(d->mode) != d->addr_pfx) ? 2 : 4;
}

/*
 * Consumes the prefixes and returns the first opcode byte. Within a group the
 * last prefix wins, as on current CPUs. A REX counts only when it is the last
 * prefix; one followed by a legacy prefix is ignored (SDM 2.2.1).
 */
static int read_prefixes(struct dec *d, u8 *op)
{
	for (;;) {
		u8 b;
		int rc = next_byte(d, &b);

		if (rc)
			return rc;
		if (d->mode == CPU_MODE_LONG64 && (b & 0xf0) == 0x40) {
			d->rex = b;
			d->has_rex = true;
			continue;
		}
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* 64-bit mode ignores the null-based overrides (APM 1.2.4). */
			if (d->mode != CPU_MODE_LONG64)
				d->seg = (b >> 3) & 3; /* 26 ES, 2E CS, 36 SS, 3E DS */
			break;
		case 0x64:
			d->seg = INSN_SEG_FS;
			break;
		case 0x65:
			d->seg = INSN_SEG_GS;
			break;
		case 0x66:
			d->opsize_pfx = true;
			break;
		case 0x67:
			d->addr_pfx = true;
			break;
		case 0xf0:
			d->lock = true;
			break;
		case 0xf2: case 0xf3:
			d->rep = true;
			break;
		default:
			*op = b;
			return 0;
		}
		d->rex = 0;
		d->has_rex = false;
	}
}

/*
 * 16-bit addressing (SDM Table 2-1): rm picks one of eight base/index pairs;
 * mod = 00 rm = 110 is a bare disp16. BP-based forms default to SS.
 */
static int modrm_mem16(struct dec *d, u8 mod, u8 rm, struct insn *out)
{
	static const s8 base16[8] = { INSN_RBX, INSN_RBX, INSN_RBP, INSN_RBP,
				      INSN_RSI, INSN_RDI, INSN_RBP, INSN_RBX };
	static const s8 index16[8] = { INSN_RSI, INSN_RDI, INSN_RSI, INSN_RDI,
				       INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE,
				       INSN_REG_NONE };
	unsigned disp_bytes = mod == 1 ? 1 : mod == 2 ? 2 : 0;
	u64 disp = 0;
	int rc;

	out->mem.base = base16[rm];
	out->mem.index = index16[rm];
	if (mod == 0 && rm == 6) {
		out->mem.base = INSN_REG_NONE;
		disp_bytes = 2;
	}
	rc = next_le(d, disp_bytes, &disp);
	if (rc)
		return rc;
	out->mem.disp = mask_bytes(sign_extend(disp, disp_bytes ? disp_bytes : 8), 2);
	return 0;
}

/*
 * 32/64-bit addressing (SDM Tables 2-2, 2-3; 2.2.1.6 for RIP-relative).
 * REX.X and REX.B extend index and base; index 100 without REX.X is "none";
 * base 101 (also R13) with mod = 00 is "no base, disp32".
 */
static int modrm_mem32(struct dec *d, u8 mod, u8 rm, struct insn *out)
{
	unsigned disp_bytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	u64 disp = 0;
	int rc;

	out->mem.base = (s8)(rm | ((d->rex & REX_B) ? 8 : 0));
	if (rm == 4) {
		u8 sib;
		u8 idx, base;

		rc = next_byte(d, &sib);
		if (rc)
			return rc;
		idx = ((sib >> 3) & 7) | ((d->rex & REX_X) ? 8 : 0);
		base = sib & 7;
		if (idx != 4) {
			out->mem.index = (s8)idx;
			out->mem.scale = (u8)(1 << (sib >> 6));
		}
		out->mem.base = (s8)(base | ((d->rex & REX_B) ? 8 : 0));
		if (mod == 0 && base == 5) {
			out->mem.base = INSN_REG_NONE;
			disp_bytes = 4;
		}
	} else if (mod == 0 && rm == 5) {
		out->mem.base = INSN_REG_NONE;
		out->mem.rip_rel = d->mode == CPU_MODE_LONG64;
		disp_bytes = 4;
	}
	rc = next_le(d, disp_bytes, &disp);
	if (rc)
		return rc;
	out->mem.disp = mask_bytes(sign_extend(disp, disp_bytes ? disp_bytes : 8),
				   out->addr_size);
	return 0;
}

/*
 * ModRM with a memory operand. *reg gets ModRM.reg extended by REX.R; the
 * caller decides what it names. mod = 11 is a register operand: no memory
 * access, so never an MMIO exit.
 */
static int read_modrm(struct dec *d, struct insn *out, u8 *reg)
{
	u8 modrm, mod, rm;
	int rc = next_byte(d, &modrm);

	if (rc)
		return rc;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((d->rex & REX_R) ? 8 : 0);
	if (mod == 3)
		return -EINVAL;
	if (out->addr_size == 2)
		rc = modrm_mem16(d, mod, rm, out);
	else
		rc = modrm_mem32(d, mod, rm, out);
	if (rc)
		return rc;
	if (d->seg != NO_SEG)
		out->seg = (enum insn_seg)d->seg;
	else if (out->mem.base == INSN_RSP || out->mem.base == INSN_RBP)
		out->seg = INSN_SEG_SS;
	return 0;
}

/* Names the register operand; 8-bit 4..7 without REX are AH, CH, DH, BH. */
static void set_reg(const struct dec *d, struct insn *out, u8 reg)
{
	if (out->size == 1 && !d->has_rex && reg >= 4 && reg < 8) {
		out->reg = reg - 4;
		out->reg_high8 = true;
	} else {
		out->reg = reg;
	}
}

/* 88/89/8A/8B: mov between a GPR and memory. */
static int decode_mov_rm(struct dec *d, u8 op, struct insn *out)
{
	u8 reg;
	int rc;

	out->kind = (op & 2) ? INSN_LOAD : INSN_STORE;
	out->size = (op & 1) ? op_size(d) : 1;
	if (out->kind == INSN_LOAD)
		out->dst_size = out->size;
	rc = read_modrm(d, out, &reg);
	if (rc)
		return rc;
	set_reg(d, out, reg);
	return 0;
}

/* C6 /0 ib, C7 /0 iw/id: mov imm to memory. */
static int decode_mov_imm(struct dec *d, u8 op, struct insn *out)
{
	unsigned imm_bytes;
	u64 imm;
	u8 reg;
	int rc;

	out->kind = INSN_STORE_IMM;
	out->size = (op & 1) ? op_size(d) : 1;
	rc = read_modrm(d, out, &reg);
	if (rc)
		return rc;
	if ((reg & 7) != 0)
		return -EINVAL; /* C6/C7 /1../7 are #UD (or XABORT/XBEGIN) */
	imm_bytes = out->size == 8 ? 4 : out->size;
	rc = next_le(d, imm_bytes, &imm);
	if (rc)
		return rc;
	out->imm = mask_bytes(sign_extend(imm, imm_bytes), out->size);
	return 0;
}

/* A0..A3: mov between the accumulator and an absolute moffs. */
static int decode_mov_moffs(struct dec *d, u8 op, struct insn *out)
{
	out->kind = (op & 2) ? INSN_STORE : INSN_LOAD;
	out->size = (op & 1) ? op_size(d) : 1;
	if (out->kind == INSN_LOAD)
		out->dst_size = out->size;
	out->reg = INSN_RAX;
	if (d->seg != NO_SEG)
		out->seg = (enum insn_seg)d->seg;
	return next_le(d, out->addr_size, &out->mem.disp);
}

/* AA/AB stos, A4/A5 movs. Segment overrides apply only to the movs source. */
static int decode_string(struct dec *d, u8 op, struct insn *out)
{
	out->size = (op & 1) ? op_size(d) : 1;
	out->rep = d->rep;
	if (op >= 0xaa) {
		out->kind = INSN_STOS;
		out->seg = INSN_SEG_ES;
		out->reg = INSN_RAX;
	} else {
		out->kind = INSN_MOVS;
		if (d->seg != NO_SEG)
			out->seg = (enum insn_seg)d->seg;
	}
	return 0;
}

/* 0F B6/B7 movzx, 0F BE/BF movsx; 63 movsxd (64-bit mode only). */
static int decode_extend(struct dec *d, u8 op, struct insn *out)
{
	u8 reg;
	int rc;

	if (op == 0x63) {
		out->kind = INSN_MOVSX;
		out->dst_size = op_size(d);
		/* Without REX.W it is a plain 16/32-bit move (SDM MOVSXD). */
		out->size = out->dst_size == 8 ? 4 : out->dst_size;
	} else {
		out->kind = (op & 8) ? INSN_MOVSX : INSN_MOVZX;
		out->size = (op & 1) ? 2 : 1;
		out->dst_size = op_size(d);
	}
	rc = read_modrm(d, out, &reg);
	if (rc)
		return rc;
	out->reg = reg; /* the destination is at least 16 bits: no AH..BH */
	return 0;
}

static int decode_body(struct dec *d, struct insn *out)
{
	u8 op;
	int rc = read_prefixes(d, &op);

	if (rc)
		return rc;
	if (d->lock)
		return -EINVAL; /* LOCK on any of these forms is #UD */
	out->addr_size = addr_size(d);
	out->seg = INSN_SEG_DS;
	out->mem.base = INSN_REG_NONE;
	out->mem.index = INSN_REG_NONE;
	out->mem.scale = 1;

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		return decode_mov_rm(d, op, out);
	case 0xc6: case 0xc7:
		return decode_mov_imm(d, op, out);
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return decode_mov_moffs(d, op, out);
	case 0xa4: case 0xa5: case 0xaa: case 0xab:
		return decode_string(d, op, out);
	case 0x63:
		if (d->mode != CPU_MODE_LONG64)
			return -EINVAL; /* ARPL outside 64-bit mode */
		return decode_extend(d, op, out);
	case 0x0f:
		rc = next_byte(d, &op);
		if (rc)
			return rc;
		if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf)
			return decode_extend(d, op, out);
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

int decode_insn(const u8 *bytes, size_t n, enum cpu_mode mode, struct insn *out)
{
	struct dec d = { .bytes = bytes, .n = n, .mode = mode, .seg = NO_SEG };
	int rc;

	*out = (struct insn){ .kind = INSN_NONE };
	if (mode != CPU_MODE_REAL && mode != CPU_MODE_PROT16 && mode != CPU_MODE_PROT32 &&
	    mode != CPU_MODE_LONG64)
		return -EINVAL;
	rc = decode_body(&d, out);
	if (rc) {
		*out = (struct insn){ .kind = INSN_NONE };
		return rc;
	}
	out->len = (u8)d.pos;
	return 0;
}

/* --- helpers for the exit path ----------------------------------------- */

u64 insn_reg_read(const struct insn *insn, const u64 gprs[16])
{
	u64 v = gprs[insn->reg & 15];

	if (insn->reg_high8)
		return (v >> 8) & 0xff;
	return mask_bytes(v, insn->size);
}

/* A GPR write of width bytes: 8/16-bit merge, 32-bit zero-extends. */
static void gpr_write(u64 *gpr, unsigned width, u64 v)
{
	if (width >= 4)
		*gpr = mask_bytes(v, width);
	else
		*gpr = (*gpr & ~mask_bytes(~0ULL, width)) | mask_bytes(v, width);
}

void insn_reg_write(const struct insn *insn, u64 gprs[16], u64 data)
{
	u64 *gpr = &gprs[insn->reg & 15];

	data = mask_bytes(data, insn->size);
	switch (insn->kind) {
	case INSN_MOVSX:
		data = sign_extend(data, insn->size);
		break;
	case INSN_LOAD:
	case INSN_MOVZX:
		break;
	default:
		return;
	}
	if (insn->reg_high8)
		*gpr = (*gpr & ~0xff00ULL) | (data & 0xff) << 8;
	else
		gpr_write(gpr, insn->dst_size, data);
}

u64 insn_store_data(const struct insn *insn, const u64 gprs[16])
{
	switch (insn->kind) {
	case INSN_STORE:
	case INSN_STOS:
		return insn_reg_read(insn, gprs);
	case INSN_STORE_IMM:
		return insn->imm;
	default:
		return 0;
	}
}

u64 insn_mem_offset(const struct insn *insn, const u64 gprs[16], u64 rip)
{
	const struct insn_mem *m = &insn->mem;
	u64 off = m->disp;

	if (insn->kind == INSN_STOS || insn->kind == INSN_MOVS)
		return gprs[INSN_RDI] & insn_addr_mask(insn);
	if (m->base != INSN_REG_NONE)
		off += gprs[m->base & 15];
	if (m->index != INSN_REG_NONE)
		off += gprs[m->index & 15] * m->scale;
	if (m->rip_rel)
		off += rip + insn->len;
	return off & insn_addr_mask(insn);
}

u64 insn_str_count(const struct insn *insn, const u64 gprs[16])
{
	if (insn->kind != INSN_STOS && insn->kind != INSN_MOVS)
		return 0;
	return insn->rep ? gprs[INSN_RCX] & insn_addr_mask(insn) : 1;
}

void insn_str_advance(const struct insn *insn, u64 gprs[16], bool df, u64 count)
{
	u64 step = count * insn->size;

	if (insn->kind != INSN_STOS && insn->kind != INSN_MOVS)
		return;
	if (df)
		step = -step;
	gpr_write(&gprs[INSN_RDI], insn->addr_size, gprs[INSN_RDI] + step);
	if (insn->kind == INSN_MOVS)
		gpr_write(&gprs[INSN_RSI], insn->addr_size, gprs[INSN_RSI] + step);
	if (insn->rep)
		gpr_write(&gprs[INSN_RCX], insn->addr_size, gprs[INSN_RCX] - count);
}
