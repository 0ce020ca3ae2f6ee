// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmio_decode: every instruction form vmm/decode.c accepts that 32-bit code
 * can execute, against the test device's echo page (needs `testdev = on`).
 * Each form writes or reads the echo RAM and the value is checked through
 * another form, so a wrong size, register, immediate, displacement, prefix
 * or string step shows as a FAIL line naming the form.
 *
 * The whole set runs three times:
 *   1. paging off;
 *   2. paging on, 4 MiB identity pages (the hypervisor must walk the guest
 *      page tables to fetch each instruction and string operand);
 *   3. paging on, the echo page's 4 MiB frame mapped only at ECHO_VA (its
 *      identity mapping removed), and the code itself running through an
 *      alias mapping at CODE_ALIAS: a hypervisor that used linear
 *      addresses as physical would fetch the wrong bytes or miss the
 *      string operands.
 * Segment-override forms use selector SEL_BASED, a data segment whose base
 * is the echo page, so FS:/GS:/ES: really change the linear address.
 *
 * Also: the device's magic register, what lies past the echo RAM, an
 * unbacked GPA and the legacy hole, which read all-ones and drop writes.
 */
#include "guest-api/libguest/libguest.h"
#include "guest-api/testdev.h"

#define SEL_BASED 0x18
#define ECHO_FRAME (TESTDEV_MMIO_BASE & ~(LG_PAGE_4M - 1))
#define ECHO_VA 0x40000000u			/* phase 3: maps ECHO_FRAME */
#define ECHO_REMAPPED (ECHO_VA + (TESTDEV_MMIO_BASE - ECHO_FRAME))
#define UNBACKED_GPA 0xd0000000u		/* inside the reserved PCI window: nothing */
#define UNBACKED_VA 0x50000000u			/* phase 3: maps UNBACKED_GPA */
#define CODE_ALIAS 0x60000000u			/* phase 3: maps GPA 0 (the image) */
#define HOLE_GPA 0x000b8000u			/* legacy VGA text memory: a hole here */

static uint32_t E;		/* linear address of the echo page in this phase */
static uint32_t unbacked;	/* linear address of UNBACKED_GPA in this phase */
static const char *phase;

static uint64_t gdt[4] __attribute__((aligned(8)));
static uint32_t ram_buf[16];

#define CHECK(form, got, want)                                                         \
	do {                                                                           \
		if (!EXPECT_EQ(got, want))                                             \
			lg_printf("  ^ %s: %s\n", phase, form);                        \
	} while (0)

/* --- segments --------------------------------------------------------------- */

static void load_gdt_with_base(uint32_t base)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00CF9B000000FFFFULL; /* LG_CS */
	gdt[2] = 0x00CF93000000FFFFULL; /* LG_DS */
	gdt[3] = 0x00CF93000000FFFFULL | (uint64_t)(base & 0xffffff) << 16 |
		 (uint64_t)(base >> 24) << 56;
	__asm__ volatile("lgdt %0\n\t"
			 "movw %w1, %%fs\n\t"
			 "movw %w1, %%gs"
			 : : "m"(desc), "r"(SEL_BASED) : "memory");
}

/* --- plain MOV -------------------------------------------------------------- */

static void forms_mov(void)
{
	uint32_t p = E, v, idx;

	/* 89 / 8B with [reg], then bytes and words through 8A / 66 8B. */
	mmio_write32(p, 0x11223344);
	CHECK("89 /r, 8B /r [reg]", mmio_read32(p), 0x11223344);
	CHECK("8A /r byte 0", mmio_read8(p), 0x44);
	CHECK("8A /r byte 3", mmio_read8(p + 3), 0x11);
	CHECK("66 8B /r unaligned word", mmio_read16(p + 1), 0x2233);
	mmio_write32(p + 4, 0);
	mmio_write8(p + 5, 0xaa);
	mmio_write16(p + 6, 0xbbcc);
	CHECK("88 /r + 66 89 /r", mmio_read32(p + 4), 0xbbccaa00);

	/* AH..BH: 88 /r with reg 4, 8A /r with reg 7. */
	v = 0x5a00;
	__asm__ volatile("movb %%ah, (%1)" : : "a"(v), "r"(p + 8) : "memory");
	CHECK("88 /r from AH", mmio_read8(p + 8), 0x5a);
	v = 0x12345678;
	__asm__ volatile("movb (%1), %%bh" : "+b"(v) : "r"(p + 8) : "memory");
	CHECK("8A /r into BH", v, 0x12345a78);
	/* A byte load keeps the rest of the register; a word load too. */
	mmio_write32(p + 12, 0xfedcba98);
	v = 0x11111111;
	__asm__ volatile("movb (%1), %b0" : "+q"(v) : "r"(p + 12) : "memory");
	CHECK("8A /r keeps bits 31:8", v, 0x11111198);
	v = 0x11111111;
	__asm__ volatile("movw (%1), %w0" : "+r"(v) : "r"(p + 12) : "memory");
	CHECK("66 8B /r keeps bits 31:16", v, 0x1111ba98);

	/* Addressing: disp8, disp32, SIB with index and scale, SIB without base, EBP base. */
	__asm__ volatile("movl %0, 0x10(%1)" : : "r"(0xa1a2a3a4), "r"(p) : "memory");
	CHECK("89 /r [reg+disp8]", mmio_read32(p + 0x10), 0xa1a2a3a4);
	__asm__ volatile("movl %0, 0x90(%1)" : : "r"(0xb1b2b3b4), "r"(p) : "memory");
	CHECK("89 /r [reg+disp32]", mmio_read32(p + 0x90), 0xb1b2b3b4);
	idx = 3;
	__asm__ volatile("movl %0, 0x8(%1,%2,4)" : : "r"(0xc1c2c3c4), "r"(p), "r"(idx) : "memory");
	CHECK("89 /r [base+index*4+disp8]", mmio_read32(p + 0x14), 0xc1c2c3c4);
	__asm__ volatile("movl 0x8(%1,%2,4), %0" : "=r"(v) : "r"(p), "r"(idx) : "memory");
	CHECK("8B /r [base+index*4+disp8]", v, 0xc1c2c3c4);
	__asm__ volatile("movl 0x4(,%1,4), %0" : "=r"(v) : "r"((p + 0x10) / 4) : "memory");
	CHECK("8B /r [index*4+disp32] (no base)", v, 0xc1c2c3c4);
	__asm__ volatile("movl 0x1(%1,%2,1), %0" : "=r"(v) : "r"(p + 0x10), "r"(3) : "memory");
	CHECK("8B /r [base+index*1+disp8]", v, 0xc1c2c3c4);
	/* EBP as base defaults to SS (flat here): mod 01 rm 101. */
	__asm__ volatile("pushl %%ebp\n\t"
			 "movl %1, %%ebp\n\t"
			 "movl 0x14(%%ebp), %0\n\t"
			 "popl %%ebp"
			 : "=a"(v) : "c"(p) : "memory");
	CHECK("8B /r [ebp+disp8]", v, 0xc1c2c3c4);
}

/* --- MOVZX / MOVSX ------------------------------------------------------------ */

static void forms_movx(void)
{
	uint32_t p = E + 0x20, v;

	mmio_write32(p, 0x7f80f0f1);
	__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F B6 movzx r32, m8", v, 0xf1);
	__asm__ volatile("movzwl (%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F B7 movzx r32, m16", v, 0xf0f1);
	__asm__ volatile("movsbl (%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F BE movsx r32, m8 (negative)", v, 0xfffffff1);
	__asm__ volatile("movswl (%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F BF movsx r32, m16 (negative)", v, 0xfffff0f1);
	__asm__ volatile("movsbl 3(%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F BE movsx r32, m8 (positive)", v, 0x7f);
	__asm__ volatile("movswl 2(%1), %0" : "=r"(v) : "r"(p) : "memory");
	CHECK("0F BF movsx r32, m16 (positive)", v, 0x7f80);
	/* 16-bit destinations keep bits 31:16. */
	v = 0xdead0000;
	__asm__ volatile("movzbw 1(%1), %w0" : "+r"(v) : "r"(p) : "memory");
	CHECK("66 0F B6 movzx r16, m8", v, 0xdead00f0);
	v = 0xdead0000;
	__asm__ volatile("movsbw 2(%1), %w0" : "+r"(v) : "r"(p) : "memory");
	CHECK("66 0F BE movsx r16, m8", v, 0xdeadff80);
}

/* --- MOV imm to memory ----------------------------------------------------------- */

static void forms_imm(void)
{
	uint32_t p = E + 0x30, idx = 2;

	mmio_write32(p, 0);
	__asm__ volatile("movb $0xa5, (%0)" : : "r"(p) : "memory");
	CHECK("C6 /0 ib", mmio_read32(p), 0xa5);
	__asm__ volatile("movw $0xbeef, 2(%0)" : : "r"(p) : "memory");
	CHECK("66 C7 /0 iw [reg+disp8]", mmio_read32(p), 0xbeef00a5);
	__asm__ volatile("movl $0x89abcdef, 4(%0)" : : "r"(p) : "memory");
	CHECK("C7 /0 id [reg+disp8]", mmio_read32(p + 4), 0x89abcdef);
	/* The immediate follows a disp32 and a SIB byte. */
	__asm__ volatile("movl $0x13579bdf, 0x88(%0,%1,4)" : : "r"(E), "r"(idx) : "memory");
	CHECK("C7 /0 id [base+index*4+disp32]", mmio_read32(E + 0x90), 0x13579bdf);
	__asm__ volatile("movb $0x5c, 0x91(%0)" : : "r"(E) : "memory");
	CHECK("C6 /0 ib [reg+disp32]", mmio_read32(E + 0x90), 0x13575cdf);
}

/* --- moffs (A0-A3) and segment overrides ---------------------------------------- */

static void forms_seg(void)
{
	uint32_t v;

	/* FS has base E: the moffs is an offset into the echo page. */
	mmio_write32(E + 0x40, 0x01020304);
	__asm__ volatile("movl %%fs:0x40, %0" : "=a"(v) : : "memory");
	CHECK("64 A1 moffs32", v, 0x01020304);
	v = 0xffffff00;
	__asm__ volatile("movb %%fs:0x41, %b0" : "+a"(v) : : "memory");
	CHECK("64 A0 moffs8", v, 0xffffff03);
	v = 0xffff0000;
	__asm__ volatile("movw %%fs:0x42, %w0" : "+a"(v) : : "memory");
	CHECK("66 64 A1 moffs16", v, 0xffff0102);
	__asm__ volatile("movl %0, %%fs:0x44" : : "a"(0x0a0b0c0d) : "memory");
	CHECK("64 A3 moffs32", mmio_read32(E + 0x44), 0x0a0b0c0d);
	__asm__ volatile("movb %b0, %%fs:0x45" : : "a"(0xee) : "memory");
	CHECK("64 A2 moffs8", mmio_read32(E + 0x44), 0x0a0bee0d);
	__asm__ volatile("movw %w0, %%fs:0x46" : : "a"(0x7788) : "memory");
	CHECK("66 64 A3 moffs16", mmio_read32(E + 0x44), 0x7788ee0d);

	/* ModRM forms through FS and GS (both based), and through the flat segments. */
	__asm__ volatile("movl %0, %%gs:0x48(%1)" : : "r"(0x55aa55aa), "r"(0) : "memory");
	CHECK("65 89 /r", mmio_read32(E + 0x48), 0x55aa55aa);
	__asm__ volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(0x48) : "memory");
	CHECK("64 8B /r", v, 0x55aa55aa);
	__asm__ volatile("movl %%cs:(%1), %0" : "=r"(v) : "r"(E + 0x48) : "memory");
	CHECK("2E 8B /r (CS read)", v, 0x55aa55aa);
	__asm__ volatile("movl %%ss:(%1), %0" : "=r"(v) : "r"(E + 0x48) : "memory");
	CHECK("36 8B /r", v, 0x55aa55aa);
	__asm__ volatile(".byte 0x3e\n\tmovl (%1), %0" : "=r"(v) : "r"(E + 0x48) : "memory");
	CHECK("3E 8B /r", v, 0x55aa55aa);
	__asm__ volatile("movl %0, %%es:(%1)" : : "r"(0x66bb66bb), "r"(E + 0x4c) : "memory");
	CHECK("26 89 /r", mmio_read32(E + 0x4c), 0x66bb66bb);
	__asm__ volatile("movw $0x1234, %%fs:0x4c" : : : "memory");
	CHECK("66 64 C7 /0 iw [disp32]", mmio_read32(E + 0x4c), 0x66bb1234);
}

/* --- 67: 16-bit addressing (through FS/ES with base E) ---------------------------- */

static void forms_addr16(void)
{
	uint32_t v, di, cx, si;

	mmio_write32(E + 0x60, 0x600dcafe);
	mmio_write32(E + 0x64, 0x0badf00d);
	__asm__ volatile("movl %%fs:(%%bx), %0" : "=a"(v) : "b"(0x60) : "memory");
	CHECK("67 64 8B /r [bx]", v, 0x600dcafe);
	__asm__ volatile("addr16 movl %%fs:0x64, %0" : "=a"(v) : : "memory");
	CHECK("67 64 A1 moffs16", v, 0x0badf00d);
	/* [bx+si+disp8]; the upper halves of EBX/ESI are not part of the address. */
	__asm__ volatile("movl %%fs:4(%%bx,%%si), %0"
			 : "=a"(v) : "b"(0xffff0050), "S"(0x12340010) : "memory");
	CHECK("67 64 8B /r [bx+si+disp8]", v, 0x0badf00d);
	__asm__ volatile("movl %0, %%fs:2(%%di)" : : "a"(0x1f2f3f4f), "D"(0x66) : "memory");
	CHECK("67 64 89 /r [di+disp8]", mmio_read32(E + 0x68), 0x1f2f3f4f);

	/* addr16 rep stosl with ES based: DI and CX step, EDI/ECX bits 31:16 stay. */
	di = 0xabcd0070;
	cx = 0x55550004;
	__asm__ volatile("pushl %%es\n\t"
			 "movw %w3, %%es\n\t"
			 "addr16 rep stosl\n\t"
			 "popl %%es"
			 : "+D"(di), "+c"(cx) : "a"(0x70707070), "r"(SEL_BASED) : "memory");
	CHECK("67 F3 AB: DI", di, 0xabcd0080);
	CHECK("67 F3 AB: CX", cx, 0x55550000);
	CHECK("67 F3 AB: data first", mmio_read32(E + 0x70), 0x70707070);
	CHECK("67 F3 AB: data last", mmio_read32(E + 0x7c), 0x70707070);

	/* addr16 movsl from FS:SI to ES:DI, both in the echo page. */
	mmio_write32(E + 0x60, 0x61626364);
	si = 0x60;
	di = 0x7c;
	__asm__ volatile("pushl %%es\n\t"
			 "movw %w2, %%es\n\t"
			 "addr16 movsl %%fs:(%%si), %%es:(%%di)\n\t"
			 "popl %%es"
			 : "+S"(si), "+D"(di) : "r"(SEL_BASED) : "memory");
	CHECK("67 64 A5: data", mmio_read32(E + 0x7c), 0x61626364);
	CHECK("67 64 A5: SI", si, 0x64);
	CHECK("67 64 A5: DI", di, 0x80);
}

/* --- STOS --------------------------------------------------------------------------- */

static void forms_stos(void)
{
	uint32_t d, n;

	for (int i = 0; i < 8; i++)
		mmio_write32(E + 0xa0 + 4 * i, 0);
	d = E + 0xa0;
	__asm__ volatile("stosb" : "+D"(d) : "a"(0x11) : "memory");
	__asm__ volatile("stosb" : "+D"(d) : "a"(0x22) : "memory");
	__asm__ volatile("stosw" : "+D"(d) : "a"(0x4433) : "memory");
	__asm__ volatile("stosl" : "+D"(d) : "a"(0x88776655) : "memory");
	CHECK("AA, AA, 66 AB, AB: EDI", d - E, 0xa8);
	CHECK("AA AA 66 AB data", mmio_read32(E + 0xa0), 0x44332211);
	CHECK("AB data", mmio_read32(E + 0xa4), 0x88776655);

	d = E + 0xa8;
	n = 3;
	__asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(0xabababab) : "memory");
	CHECK("F3 AB: ECX", n, 0);
	CHECK("F3 AB: EDI", d - E, 0xb4);
	CHECK("F3 AB: data", mmio_read32(E + 0xb0), 0xabababab);
	d = E + 0xb4;
	n = 4;
	__asm__ volatile("rep stosw" : "+D"(d), "+c"(n) : "a"(0xcdcd) : "memory");
	CHECK("F3 66 AB: EDI", d - E, 0xbc);
	CHECK("F3 66 AB: data", mmio_read32(E + 0xb8), 0xcdcdcdcd);
	d = E + 0xbc;
	n = 3;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0xef) : "memory");
	CHECK("F3 AA: data", mmio_read32(E + 0xbc), 0x00efefef);

	/* DF = 1: downwards. */
	d = E + 0xbc;
	n = 2;
	__asm__ volatile("std\n\trep stosl\n\tcld" : "+D"(d), "+c"(n) : "a"(0x0d0d0d0d) : "memory");
	CHECK("STD F3 AB: EDI", d - E, 0xb4);
	CHECK("STD F3 AB: first", mmio_read32(E + 0xbc), 0x0d0d0d0d);
	CHECK("STD F3 AB: second", mmio_read32(E + 0xb8), 0x0d0d0d0d);
	CHECK("STD F3 AB: untouched", mmio_read32(E + 0xb4), 0xcdcdcdcd);
}

/* --- MOVS ---------------------------------------------------------------------------- */

static void forms_movs(void)
{
	uint32_t s, d, n;

	for (int i = 0; i < 16; i++)
		ram_buf[i] = 0x10101010u * (uint32_t)i + 0x01020304u;

	/* RAM -> MMIO, rep. */
	s = (uint32_t)(uintptr_t)ram_buf;
	d = E + 0xc0;
	n = 4;
	__asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	CHECK("F3 A5 RAM->MMIO: ECX", n, 0);
	CHECK("F3 A5 RAM->MMIO: ESI", s - (uint32_t)(uintptr_t)ram_buf, 16);
	CHECK("F3 A5 RAM->MMIO: EDI", d - E, 0xd0);
	CHECK("F3 A5 RAM->MMIO: first", mmio_read32(E + 0xc0), ram_buf[0]);
	CHECK("F3 A5 RAM->MMIO: last", mmio_read32(E + 0xcc), ram_buf[3]);

	/* MMIO -> RAM, rep, words. */
	for (int i = 0; i < 16; i++)
		ram_buf[i] = 0;
	s = E + 0xc0;
	d = (uint32_t)(uintptr_t)ram_buf;
	n = 8;
	__asm__ volatile("rep movsw" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	CHECK("F3 66 A5 MMIO->RAM: data 0", ram_buf[0], 0x01020304);
	CHECK("F3 66 A5 MMIO->RAM: data 3", ram_buf[3], 0x31323334);
	CHECK("F3 66 A5 MMIO->RAM: ESI", s - E, 0xd0);

	/* MMIO -> MMIO, single bytes, then rep dwords. */
	s = E + 0xc0;
	d = E + 0xd0;
	__asm__ volatile("movsb\n\tmovsb" : "+S"(s), "+D"(d) : : "memory");
	CHECK("A4 A4 MMIO->MMIO", mmio_read16(E + 0xd0), 0x0304);
	s = E + 0xc0;
	d = E + 0xd0;
	n = 4;
	__asm__ volatile("rep movsl" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
	CHECK("F3 A5 MMIO->MMIO", mmio_read32(E + 0xdc), 0x31323334);

	/* FS override on the source: FS:ESI is the echo page, ES:EDI is RAM. */
	s = 0xd4;
	d = (uint32_t)(uintptr_t)ram_buf;
	n = 2;
	__asm__ volatile("rep movsl %%fs:(%%esi), %%es:(%%edi)" : "+S"(s), "+D"(d), "+c"(n)
			 : : "memory");
	CHECK("F3 64 A5: data", ram_buf[0], 0x11121314);
	CHECK("F3 64 A5: data", ram_buf[1], 0x21222324);
	CHECK("F3 64 A5: ESI", s, 0xdc);
	/* Without rep, one dword, DF = 1: both pointers step down. */
	s = (uint32_t)(uintptr_t)&ram_buf[1];
	d = E + 0xe0;
	__asm__ volatile("std\n\tmovsl\n\tcld" : "+S"(s), "+D"(d) : : "memory");
	CHECK("STD A5: data", mmio_read32(E + 0xe0), 0x21222324);
	CHECK("STD A5: EDI", d - E, 0xdc);
	CHECK("STD A5: ESI", s, (uint32_t)(uintptr_t)&ram_buf[0]);
}

/* --- the rest of the device, and nothing ---------------------------------------- */

static void forms_device(void)
{
	CHECK("magic", mmio_read32(E + TESTDEV_MAGIC_OFF), TESTDEV_MAGIC);
	mmio_write32(E + TESTDEV_MAGIC_OFF, 0);
	CHECK("magic after a write", mmio_read32(E + TESTDEV_MAGIC_OFF), TESTDEV_MAGIC);
	/* Past the echo RAM, and an access straddling its end: all-ones. */
	CHECK("page offset 0x200", mmio_read32(E + 0x200), 0xffffffff);
	CHECK("page offset 0xffc", mmio_read32(E + 0xffc), 0xffffffff);
	CHECK("straddling 0xfe", mmio_read32(E + 0xfe), 0xffffffff);
	/* Unbacked: all-ones at every width, writes go nowhere. */
	CHECK("unbacked 8", mmio_read8(unbacked), 0xff);
	CHECK("unbacked 16", mmio_read16(unbacked + 2), 0xffff);
	CHECK("unbacked 32", mmio_read32(unbacked + 4), 0xffffffff);
	mmio_write32(unbacked + 4, 0);
	__asm__ volatile("movl $0, 8(%0)" : : "r"(unbacked) : "memory");
	CHECK("unbacked after writes", mmio_read32(unbacked + 4), 0xffffffff);
	CHECK("unbacked after C7", mmio_read32(unbacked + 8), 0xffffffff);
}

/* Absolute-address forms need the address in the instruction: identity phases only. */
static void forms_absolute(void)
{
	uint32_t v;

	mmio_write32(TESTDEV_MMIO_BASE + 0xf0, 0xf0f1f2f3);
	__asm__ volatile("movl %c1, %0" : "=a"(v) : "i"(TESTDEV_MMIO_BASE + 0xf0) : "memory");
	CHECK("A1 moffs32 (absolute)", v, 0xf0f1f2f3);
	__asm__ volatile("movl %c1, %0" : "=c"(v) : "i"(TESTDEV_MMIO_BASE + 0xf0) : "memory");
	CHECK("8B /r [disp32] into ECX", v, 0xf0f1f2f3);
	mmio_write32(TESTDEV_MMIO_BASE + 0xf4, 0);
	__asm__ volatile("movb %b0, %c1" : : "a"(0x99), "i"(TESTDEV_MMIO_BASE + 0xf4) : "memory");
	__asm__ volatile("movw $0x8877, %c0" : : "i"(TESTDEV_MMIO_BASE + 0xf6) : "memory");
	CHECK("A2 moffs8 + 66 C7 [disp32]", mmio_read32(TESTDEV_MMIO_BASE + 0xf4), 0x88770099);
	__asm__ volatile("movl $0x0, %c0" : : "i"(TESTDEV_MMIO_BASE + 0xf4) : "memory");
	CHECK("C7 /0 [disp32]", mmio_read32(TESTDEV_MMIO_BASE + 0xf4), 0);
}

static void run_forms(void)
{
	lg_printf("%s: echo at 0x%x\n", phase, E);
	load_gdt_with_base(E);
	forms_mov();
	forms_movx();
	forms_imm();
	forms_seg();
	forms_addr16();
	forms_stos();
	forms_movs();
	forms_device();
	if (E == TESTDEV_MMIO_BASE)
		forms_absolute();
}

int main(struct multiboot_info *mbi)
{
	void (*alias)(void);
	uint32_t hole;

	(void)mbi;
	lg_test_begin("mmio_decode");

	/* The legacy hole reads all-ones and keeps nothing. */
	hole = mmio_read32(HOLE_GPA);
	mmio_write32(HOLE_GPA, 0x12345678);
	EXPECT_EQ(hole, 0xffffffff);
	EXPECT_EQ(mmio_read32(HOLE_GPA), 0xffffffff);

	phase = "paging off";
	E = TESTDEV_MMIO_BASE;
	unbacked = UNBACKED_GPA;
	run_forms();

	phase = "paging on, identity";
	lg_paging_enable();
	run_forms();

	phase = "paging on, remapped";
	lg_paging_map_4m(ECHO_VA, ECHO_FRAME, LG_PDE_P | LG_PDE_RW | LG_PDE_PCD);
	lg_paging_map_4m(UNBACKED_VA, UNBACKED_GPA, LG_PDE_P | LG_PDE_RW | LG_PDE_PCD);
	lg_paging_map_4m(CODE_ALIAS, 0, LG_PDE_P | LG_PDE_RW);
	lg_paging_unmap_4m(ECHO_FRAME);
	E = ECHO_REMAPPED;
	unbacked = UNBACKED_VA;
	alias = (void (*)(void))((uintptr_t)run_forms + CODE_ALIAS);
	alias();
	/* The identity mapping of the echo page is really gone: a read faults. */
	{
		uint32_t v;
		EXPECT_EQ(read32_safe(TESTDEV_MMIO_BASE, &v), LG_FAULT_PF);
	}

	lg_paging_disable();
	load_gdt_with_base(0);
	test_exit("mmio_decode");
}
