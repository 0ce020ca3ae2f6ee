// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vmm/multiboot.c: a good ELF32 and a.out-kludge image built
 * byte by byte here, the Multiboot info it produces, and malformed images
 * (header, ELF, program headers, placement, 32-bit overflow), each of which
 * must fail with its errno and reason and leave guest RAM untouched.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -I. tests/unit/test_multiboot.c
 *        vmm/multiboot.c -lcmocka
 */
#include "vmm/multiboot.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define MIB 0x100000u
#define RAM_SIZE (4 * MIB)
#define RAM_FILL 0xAA
#define IMG_MAX 0x10000u

#define PT_LOAD 1u
#define PT_NOTE 4u
#define PT_GNU_STACK 0x6474e551u

static u8 *ram;
static u8 img[IMG_MAX];
static size_t img_size;
static char why[MB_WHY_SIZE];

struct ph {
	u32 type, off, vaddr, paddr, filesz, memsz;
};

/* An ELF32 image description; build() turns it into bytes in img[]. */
struct spec {
	u32 hdr_off;	/* file offset of the Multiboot header */
	u32 mb_flags;
	u32 entry;
	u32 phoff;
	u32 nph;
	struct ph ph[20];
};

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static u8 pattern(u32 seg, u32 i)
{
	return (u8)(seg * 13 + i * 7 + 1);
}

static void put_header(u32 off, u32 flags)
{
	put32(img + off, MULTIBOOT_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, (u32)-(MULTIBOOT_HEADER_MAGIC + flags));
}

static void grow(u64 end)
{
	if (end > IMG_MAX)
		end = IMG_MAX;
	if (end > img_size)
		img_size = end;
}

static void build(const struct spec *s)
{
	memset(img, 0, sizeof(img));
	img_size = 0;
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 1; /* ELFCLASS32 */
	img[5] = 1; /* little-endian */
	img[6] = 1; /* EV_CURRENT */
	put16(img + 16, 2); /* ET_EXEC */
	put16(img + 18, 3); /* EM_386 */
	put32(img + 20, 1);
	put32(img + 24, s->entry);
	put32(img + 28, s->phoff);
	put16(img + 40, 52);
	put16(img + 42, 32);
	put16(img + 44, (u16)s->nph);
	grow(52);
	for (u32 i = 0; i < s->nph; i++) {
		const struct ph *p = &s->ph[i];
		u64 at = (u64)s->phoff + i * 32;

		if (at + 32 <= IMG_MAX) {
			put32(img + at, p->type);
			put32(img + at + 4, p->off);
			put32(img + at + 8, p->vaddr);
			put32(img + at + 12, p->paddr);
			put32(img + at + 16, p->filesz);
			put32(img + at + 20, p->memsz);
			grow(at + 32);
		}
		for (u64 j = 0; j < p->filesz && p->off + j < IMG_MAX; j++)
			img[p->off + j] = pattern(i, (u32)j);
		grow((u64)p->off + p->filesz);
	}
	put_header(s->hdr_off, s->mb_flags);
	grow(s->hdr_off + MULTIBOOT_HEADER_SIZE);
}

/* Text with the header at its start, data with bss, and a non-load header. */
static struct spec good_spec(void)
{
	return (struct spec){
		.hdr_off = 0x1000,
		.mb_flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO,
		.entry = 0x100020,
		.phoff = 52,
		.nph = 3,
		.ph = {
			{ PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
			{ PT_GNU_STACK, 0, 0, 0, 0, 0 },
			{ PT_LOAD, 0x2000, 0x101000, 0x101000, 0x100, 0x2000 },
		},
	};
}

static struct multiboot_target target(const char *cmdline)
{
	return (struct multiboot_target){ .ram = ram, .ram_size = RAM_SIZE, .cmdline = cmdline };
}

static int load_t(const struct multiboot_target *t, struct multiboot_boot *b)
{
	memset(why, 'X', sizeof(why));
	return multiboot_load(t, img, img_size, b, why, sizeof(why));
}

static int load(struct multiboot_boot *b)
{
	struct multiboot_target t = target("console=ttyS0");

	return load_t(&t, b);
}

static bool ram_untouched(void)
{
	for (size_t i = 0; i < RAM_SIZE; i++) {
		if (ram[i] != RAM_FILL)
			return false;
	}
	return true;
}

static void expect_why(const char *part)
{
	assert_non_null(memchr(why, '\0', sizeof(why)));
	if (!strstr(why, part))
		fail_msg("reason \"%s\" lacks \"%s\"", why, part);
}

/* Loads img[] and expects failure 'err' naming 'part', with RAM unwritten. */
static void expect_fail(int err, const char *part)
{
	struct multiboot_boot b;

	assert_int_equal(load(&b), err);
	expect_why(part);
	assert_true(ram_untouched());
}

static void build_expect_fail(const struct spec *s, int err, const char *part)
{
	build(s);
	expect_fail(err, part);
}

static struct multiboot_info read_mbi(void)
{
	struct multiboot_info mbi;

	memcpy(&mbi, ram + MB_INFO_GPA, sizeof(mbi));
	return mbi;
}

static struct multiboot_mmap_entry read_mmap(const struct multiboot_info *mbi, u32 i)
{
	struct multiboot_mmap_entry e;

	memcpy(&e, ram + mbi->mmap_addr + i * sizeof(e), sizeof(e));
	return e;
}

static void expect_mmap(const struct multiboot_info *mbi, u32 i, u64 addr, u64 len, u32 type)
{
	struct multiboot_mmap_entry e = read_mmap(mbi, i);

	assert_int_equal(e.size, 20);
	assert_int_equal(e.addr, addr);
	assert_int_equal(e.len, len);
	assert_int_equal(e.type, type);
}

static int setup(void **state)
{
	(void)state;
	ram = malloc(RAM_SIZE);
	if (!ram)
		return -1;
	memset(ram, RAM_FILL, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	ram = NULL;
	return 0;
}

/* --- good images ----------------------------------------------------------- */

static void test_good_elf_loads_segments_and_zeroes_bss(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	build(&s);
	assert_int_equal(load(&b), 0);
	assert_string_equal(why, "");
	assert_int_equal(b.entry, 0x100020);
	assert_int_equal(b.mbi_gpa, MB_INFO_GPA);
	assert_int_equal(b.load_base, 0x100000);
	assert_int_equal(b.load_end, 0x103000);
	assert_int_equal(b.nr_segments, 2);
	assert_false(b.aout_kludge);
	assert_false(b.cmdline_truncated);
	assert_memory_equal(ram + 0x100000, img + 0x1000, 0x1000);
	assert_memory_equal(ram + 0x101000, img + 0x2000, 0x100);
	for (u32 i = 0x101100; i < 0x103000; i++)
		assert_int_equal(ram[i], 0);
	assert_int_equal(ram[0x0fffff], RAM_FILL);
	assert_int_equal(ram[0x103000], RAM_FILL);
	assert_int_equal(ram[MB_AREA_BASE - 1], RAM_FILL);
	assert_int_equal(ram[MB_AREA_END], RAM_FILL);
}

static void test_good_elf_mbi_has_memory_mmap_name_and_cmdline(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;
	struct multiboot_info mbi;

	(void)state;
	build(&s);
	assert_int_equal(load(&b), 0);
	mbi = read_mbi();
	assert_int_equal(mbi.flags, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP |
					    MULTIBOOT_INFO_BOOT_LOADER_NAME | MULTIBOOT_INFO_CMDLINE);
	assert_int_equal(mbi.mem_lower, 640);
	assert_int_equal(mbi.mem_upper, (RAM_SIZE - MIB) / 1024);
	assert_int_equal(mbi.mmap_addr, MB_MMAP_GPA);
	assert_int_equal(mbi.mmap_length, 3 * 24);
	expect_mmap(&mbi, 0, 0, 0xA0000, MULTIBOOT_MEMORY_AVAILABLE);
	expect_mmap(&mbi, 1, 0xA0000, 0x60000, MULTIBOOT_MEMORY_RESERVED);
	expect_mmap(&mbi, 2, MIB, RAM_SIZE - MIB, MULTIBOOT_MEMORY_AVAILABLE);
	assert_int_equal(mbi.boot_loader_name, MB_LOADER_NAME_GPA);
	assert_string_equal((char *)ram + MB_LOADER_NAME_GPA, "longbus");
	assert_int_equal(mbi.cmdline, MB_CMDLINE_GPA);
	assert_string_equal((char *)ram + MB_CMDLINE_GPA, "console=ttyS0");
	/* Fields longbus does not provide are zero. */
	assert_int_equal(mbi.mods_count, 0);
	assert_int_equal(mbi.boot_device, 0);
	assert_int_equal(mbi.framebuffer_addr, 0);
	/* The rest of the area is zero, not left-over guest RAM. */
	assert_int_equal(ram[MB_CMDLINE_GPA + MB_CMDLINE_MAX], 0);
	assert_int_equal(ram[MB_AREA_END - 1], 0);
}

static void test_null_cmdline_leaves_cmdline_flag_clear(void **state)
{
	struct spec s = good_spec();
	struct multiboot_target t = target(NULL);
	struct multiboot_boot b;
	struct multiboot_info mbi;

	(void)state;
	build(&s);
	assert_int_equal(load_t(&t, &b), 0);
	mbi = read_mbi();
	assert_int_equal(mbi.flags & MULTIBOOT_INFO_CMDLINE, 0);
	assert_int_equal(mbi.cmdline, 0);
}

static void test_empty_cmdline_is_present_and_empty(void **state)
{
	struct spec s = good_spec();
	struct multiboot_target t = target("");
	struct multiboot_boot b;
	struct multiboot_info mbi;

	(void)state;
	build(&s);
	assert_int_equal(load_t(&t, &b), 0);
	mbi = read_mbi();
	assert_int_equal(mbi.flags & MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_CMDLINE);
	assert_string_equal((char *)ram + MB_CMDLINE_GPA, "");
}

static void test_long_cmdline_is_truncated_and_terminated(void **state)
{
	static char line[MB_CMDLINE_MAX + 100];
	struct spec s = good_spec();
	struct multiboot_target t = target(line);
	struct multiboot_boot b;

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	build(&s);
	assert_int_equal(load_t(&t, &b), 0);
	assert_true(b.cmdline_truncated);
	assert_int_equal(strlen((char *)ram + MB_CMDLINE_GPA), MB_CMDLINE_MAX);
	assert_int_equal(ram[MB_CMDLINE_GPA + MB_CMDLINE_MAX - 1], 'a');
	assert_int_equal(ram[MB_CMDLINE_GPA + MB_CMDLINE_MAX], 0);
}

static void test_cmdline_of_exactly_max_is_not_truncated(void **state)
{
	static char line[MB_CMDLINE_MAX + 1];
	struct spec s = good_spec();
	struct multiboot_target t = target(line);
	struct multiboot_boot b;

	(void)state;
	memset(line, 'b', MB_CMDLINE_MAX);
	line[MB_CMDLINE_MAX] = '\0';
	build(&s);
	assert_int_equal(load_t(&t, &b), 0);
	assert_false(b.cmdline_truncated);
	assert_string_equal((char *)ram + MB_CMDLINE_GPA, line);
}

static void test_reserved_windows_split_ram_in_mmap(void **state)
{
	const struct multiboot_range res[] = {
		{ 0xFEE00000, 0x1000 },	/* beyond RAM: reported, no RAM split */
		{ 0x300000, 0x1000 },	/* inside RAM: splits it */
	};
	struct spec s = good_spec();
	struct multiboot_target t = target("x");
	struct multiboot_boot b;
	struct multiboot_info mbi;

	(void)state;
	t.reserved = res;
	t.nr_reserved = 2;
	build(&s);
	assert_int_equal(load_t(&t, &b), 0);
	mbi = read_mbi();
	assert_int_equal(mbi.mem_upper, (0x300000 - MIB) / 1024);
	assert_int_equal(mbi.mmap_length, 6 * 24);
	expect_mmap(&mbi, 0, 0, 0xA0000, MULTIBOOT_MEMORY_AVAILABLE);
	expect_mmap(&mbi, 1, 0xA0000, 0x60000, MULTIBOOT_MEMORY_RESERVED);
	expect_mmap(&mbi, 2, MIB, 0x200000, MULTIBOOT_MEMORY_AVAILABLE);
	expect_mmap(&mbi, 3, 0x300000, 0x1000, MULTIBOOT_MEMORY_RESERVED);
	expect_mmap(&mbi, 4, 0x301000, RAM_SIZE - 0x301000, MULTIBOOT_MEMORY_AVAILABLE);
	expect_mmap(&mbi, 5, 0xFEE00000, 0x1000, MULTIBOOT_MEMORY_RESERVED);
}

static void test_segment_in_reserved_window_fails(void **state)
{
	const struct multiboot_range res[] = { { 0x100800, 0x100 } };
	struct spec s = good_spec();
	struct multiboot_target t = target("x");
	struct multiboot_boot b;

	(void)state;
	t.reserved = res;
	t.nr_reserved = 1;
	build(&s);
	assert_int_equal(load_t(&t, &b), -ERANGE);
	expect_why("segment 0 at 0x100000-0x100fff overlaps the reserved window at 0x100800");
	assert_true(ram_untouched());
}

static void test_bad_targets_fail(void **state)
{
	const struct multiboot_range over_area[] = { { 0x9000, 0x2000 } };
	const struct multiboot_range over_hole[] = { { 0xFF000, 0x2000 } };
	const struct multiboot_range overlapping[] = { { 0x200000, 0x2000 }, { 0x201000, 0x10 } };
	const struct multiboot_range empty[] = { { 0x200000, 0 } };
	const struct multiboot_range wraps[] = { { ~0ULL - 0xfff, 0x2000 } };
	struct multiboot_range many[MB_MAX_RESERVED + 1];
	struct spec s = good_spec();
	struct multiboot_target t;
	struct multiboot_boot b;

	(void)state;
	build(&s);
	t = target("x");
	t.ram = NULL;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	t = target("x");
	t.ram_size = MB_MIN_RAM - 1;
	assert_int_equal(load_t(&t, &b), -ERANGE);
	expect_why("smaller than the minimum");
	t = target("x");
	t.reserved = over_area;
	t.nr_reserved = 1;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	expect_why("Multiboot info area");
	t.reserved = over_hole;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	expect_why("overlaps 0xa0000-0xfffff");
	t.reserved = overlapping;
	t.nr_reserved = 2;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	t.reserved = empty;
	t.nr_reserved = 1;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	t.reserved = wraps;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	for (u32 i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct multiboot_range){ 0x200000 + i * 0x1000, 0x1000 };
	t.reserved = many;
	t.nr_reserved = ARRAY_SIZE(many);
	assert_int_equal(load_t(&t, &b), -EINVAL);
	t.reserved = NULL;
	t.nr_reserved = 1;
	assert_int_equal(load_t(&t, &b), -EINVAL);
	assert_true(ram_untouched());
}

static void test_higher_half_entry_is_translated_to_physical(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	s.ph[0].vaddr = 0xC0100000;
	s.ph[2].vaddr = 0xC0101000;
	s.entry = 0xC0100040;
	build(&s);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.entry, 0x100040);
}

static void test_segment_just_outside_the_info_area_loads(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	s.ph[0] = (struct ph){ PT_LOAD, 0x1000, 0x1000, 0x1000, 0x1000, MB_AREA_BASE - 0x1000 };
	s.ph[2] = (struct ph){ PT_LOAD, 0x2000, MB_AREA_END, MB_AREA_END, 0x100,
			       0xA0000 - MB_AREA_END };
	s.entry = 0x1000;
	build(&s);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.load_base, 0x1000);
	assert_int_equal(b.load_end, 0xA0000);
}

static void test_optional_flags_and_empty_load_segments_are_ignored(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	s.mb_flags |= 0x00020000; /* optional bit 17: unknown, ignored */
	s.ph[1] = (struct ph){ PT_LOAD, 0, 0x200000, 0x200000, 0, 0 };
	build(&s);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.nr_segments, 2);
}

static void test_header_at_last_slot_of_8k_is_found(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	s.hdr_off = MULTIBOOT_SEARCH - MULTIBOOT_HEADER_BASE_SIZE;
	s.ph[0].off = 0x3000;
	s.ph[2].off = 0x4000;
	build(&s);
	assert_int_equal(load(&b), 0);
}

static void test_reason_is_cut_to_a_small_buffer(void **state)
{
	struct spec s = good_spec();
	struct multiboot_target t = target("x");
	struct multiboot_boot b;
	char small[8];

	(void)state;
	s.entry = 0x500000;
	build(&s);
	memset(small, 'X', sizeof(small));
	assert_int_equal(multiboot_load(&t, img, img_size, &b, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "entry p");
	assert_int_equal(multiboot_load(&t, img, img_size, &b, NULL, 0), -EINVAL);
}

/* --- the a.out kludge ------------------------------------------------------ */

/* A flat binary: header at 0x40, loads at 0x100000, 0x800 file bytes, bss to 0x101000. */
static void build_aout(u32 header_addr, u32 load_addr, u32 load_end, u32 bss_end, u32 entry)
{
	memset(img, 0, sizeof(img));
	for (u32 i = 0; i < 0x800; i++)
		img[i] = pattern(0, i);
	img_size = 0x800;
	put_header(0x40, MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_MEMORY_INFO);
	put32(img + 0x40 + 12, header_addr);
	put32(img + 0x40 + 16, load_addr);
	put32(img + 0x40 + 20, load_end);
	put32(img + 0x40 + 24, bss_end);
	put32(img + 0x40 + 28, entry);
}

static void test_aout_kludge_loads_flat_binary_with_bss(void **state)
{
	struct multiboot_boot b;

	(void)state;
	build_aout(0x100040, 0x100000, 0x100800, 0x101000, 0x100080);
	assert_int_equal(load(&b), 0);
	assert_true(b.aout_kludge);
	assert_int_equal(b.entry, 0x100080);
	assert_int_equal(b.load_base, 0x100000);
	assert_int_equal(b.load_end, 0x101000);
	assert_memory_equal(ram + 0x100000, img, 0x800);
	for (u32 i = 0x100800; i < 0x101000; i++)
		assert_int_equal(ram[i], 0);
	assert_int_equal(ram[0x101000], RAM_FILL);
}

static void test_aout_kludge_zero_end_fields_load_whole_file(void **state)
{
	struct multiboot_boot b;

	(void)state;
	/* load_end_addr 0: up to the end of the file; bss_end_addr 0: no bss. */
	build_aout(0x200040, 0x200000, 0, 0, 0x200000);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.load_base, 0x200000);
	assert_int_equal(b.load_end, 0x200800);
	assert_memory_equal(ram + 0x200000, img, 0x800);
	assert_int_equal(ram[0x200800], RAM_FILL);
}

static void test_aout_kludge_malformed_fields_fail(void **state)
{
	(void)state;
	build_aout(0x100040, 0x100080, 0x100800, 0x101000, 0x100080);
	expect_fail(-EINVAL, "disagree with its offset");
	build_aout(0x100040 + 0x1000, 0x100000, 0x100800, 0x101000, 0x100080);
	expect_fail(-EINVAL, "disagree with its offset");
	build_aout(0x100040, 0x100000, 0x100801, 0x101000, 0x100080);
	expect_fail(-EINVAL, "needs 0x801 file bytes, the image has 0x800");
	build_aout(0x100040, 0x100000, 0x0fffff, 0, 0x100080);
	expect_fail(-EINVAL, "below load_addr");
	build_aout(0x100040, 0x100000, 0x100800, 0x1007ff, 0x100080);
	expect_fail(-EINVAL, "bss_end_addr 0x1007ff is below the load end 0x100800");
	build_aout(0x100040, 0x100000, 0x100800, 0x101000, 0x101000);
	expect_fail(-EINVAL, "entry point 0x101000 is outside every loaded segment");
	build_aout(0xFFFFF040, 0xFFFFF000, 0xFFFFF800, 0xFFFFFFFF, 0xFFFFF080);
	expect_fail(-ERANGE, "outside guest RAM");
	build_aout(0x000FF040, 0x000FF000, 0x000FF800, 0x00100800, 0x000FF080);
	expect_fail(-ERANGE, "legacy hole");
	/* Huge bss: load_addr + memsz passes 4 GiB in 32-bit arithmetic. */
	build_aout(0x100040, 0x100000, 0x100800, 0xFFFFFFFF, 0x100080);
	expect_fail(-ERANGE, "outside guest RAM");
	/* The a.out fields run past the end of a short file. */
	build_aout(0x100040, 0x100000, 0x100800, 0x101000, 0x100080);
	img_size = 0x40 + 20;
	expect_fail(-EINVAL, "cut short");
}

/* --- malformed headers ----------------------------------------------------- */

static void test_no_header_fails(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	build(&s);
	memset(img + s.hdr_off, 0, 12);
	expect_fail(-EINVAL, "no Multiboot header in the first 8192 bytes");
	assert_int_equal(multiboot_load(&(struct multiboot_target){ .ram = ram,
			 .ram_size = RAM_SIZE }, NULL, 0, &b, why, sizeof(why)), -EINVAL);
	expect_why("no Multiboot header");
	img_size = 11;
	expect_fail(-EINVAL, "no Multiboot header");
}

static void test_bad_checksum_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	build(&s);
	img[s.hdr_off + 8] ^= 1;
	expect_fail(-EINVAL, "Multiboot header at offset 0x1000 has a bad checksum");
}

static void test_header_past_8k_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.hdr_off = MULTIBOOT_SEARCH;
	s.ph[0].off = 0x3000;
	s.ph[2].off = 0x4000;
	build_expect_fail(&s, -EINVAL, "Multiboot header at offset 0x2000 is past the first 8192");
	/* Straddling the 8 KiB boundary is past it too. */
	s.hdr_off = MULTIBOOT_SEARCH - 8;
	build_expect_fail(&s, -EINVAL, "is past the first 8192 bytes");
}

static void test_misaligned_header_is_not_found(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.hdr_off = 0x1002;
	build_expect_fail(&s, -EINVAL, "no Multiboot header");
}

static void test_required_video_or_unknown_flags_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.mb_flags = MULTIBOOT_VIDEO_MODE;
	build_expect_fail(&s, -ENOTSUP, "video mode");
	s.mb_flags = 0x8;
	build_expect_fail(&s, -ENOTSUP, "unknown features (flags 0x8)");
}

/* --- malformed ELF --------------------------------------------------------- */

static void test_not_elf_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	build(&s);
	img[1] = 'X';
	expect_fail(-EINVAL, "not an ELF file");
}

static void test_wrong_class_data_version_type_machine_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	build(&s);
	img[4] = 2;
	expect_fail(-ENOTSUP, "ELF64");
	img[4] = 3;
	expect_fail(-EINVAL, "ELF class 3");
	build(&s);
	img[5] = 2;
	expect_fail(-EINVAL, "little-endian");
	build(&s);
	img[6] = 0;
	expect_fail(-EINVAL, "ELF version 0");
	build(&s);
	put16(img + 16, 3); /* ET_DYN */
	expect_fail(-EINVAL, "ELF type 3");
	build(&s);
	put16(img + 18, 62); /* EM_X86_64 */
	expect_fail(-EINVAL, "ELF machine 62, want 3 (EM_386)");
}

static void test_truncated_elf_header_fails(void **state)
{
	(void)state;
	/* A valid Multiboot header at 16 in a 40-byte file: the ELF header is cut short. */
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 1;
	put_header(16, MULTIBOOT_MEMORY_INFO);
	img_size = 40;
	expect_fail(-EINVAL, "not an ELF file");
}

static void test_program_headers_past_eof_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	build(&s);
	put32(img + 28, (u32)img_size - 64); /* 3 * 32 bytes do not fit */
	expect_fail(-EINVAL, "program headers");
	build(&s);
	put32(img + 28, 0xFFFFFFF0); /* phoff + size wraps in 32 bits */
	expect_fail(-EINVAL, "run past the image end");
	build(&s);
	put16(img + 44, 0);
	expect_fail(-EINVAL, "0 program headers");
	build(&s);
	put16(img + 44, 0xFFFF);
	expect_fail(-EINVAL, "65535 program headers");
	build(&s);
	put16(img + 42, 16);
	expect_fail(-EINVAL, "e_phentsize 16");
}

static void test_larger_phentsize_is_honoured(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	/* One load header, described with 40-byte entries. */
	s.nph = 1;
	build(&s);
	put16(img + 42, 40);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.nr_segments, 1);
}

static void test_segment_past_eof_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	build(&s);
	img_size = 0x2000 + 0xff; /* the data segment's last byte is missing */
	expect_fail(-EINVAL, "program header 2: file bytes 0x2000-0x2100 run past the image end");
	s = good_spec();
	s.ph[2].off = 0xFFFFFFF0;
	s.ph[2].filesz = 0x20;
	s.ph[2].memsz = 0x20;
	build_expect_fail(&s, -EINVAL, "run past the image end");
}

static void test_filesz_above_memsz_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].memsz = 0xff;
	build_expect_fail(&s, -EINVAL, "p_filesz 0x100 > p_memsz 0xff");
	s = good_spec();
	s.ph[2].memsz = 0;
	build_expect_fail(&s, -EINVAL, "p_filesz 0x100 > p_memsz 0x0");
}

static void test_segment_outside_ram_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].paddr = RAM_SIZE - 0x1000; /* memsz 0x2000 */
	build_expect_fail(&s, -ERANGE, "segment 1 at 0x3ff000-0x400fff is outside guest RAM");
	s.ph[2].paddr = 0xF0000000;
	build_expect_fail(&s, -ERANGE, "outside guest RAM");
}

static void test_segment_ending_at_ram_end_loads_one_byte_more_fails(void **state)
{
	struct spec s = good_spec();
	struct multiboot_boot b;

	(void)state;
	s.ph[2].paddr = RAM_SIZE - 0x2000; /* memsz 0x2000: the last byte is RAM's last */
	build(&s);
	assert_int_equal(load(&b), 0);
	assert_int_equal(b.load_end, RAM_SIZE);
	memset(ram, RAM_FILL, RAM_SIZE);
	s.ph[2].paddr++;
	build_expect_fail(&s, -ERANGE, "segment 1 at 0x3fe001-0x400000 is outside guest RAM");
}

static void test_huge_values_overflowing_32_bits_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].paddr = 0xFFFFF000; /* + 0x2000 wraps to 0x1000 in 32 bits */
	build_expect_fail(&s, -ERANGE, "program header 2: 0xfffff000+0x2000 runs past 4 GiB");
	s = good_spec();
	s.ph[2].memsz = 0xFFFFFFFF; /* paddr + memsz wraps */
	build_expect_fail(&s, -ERANGE, "runs past 4 GiB");
	s = good_spec();
	s.ph[2].filesz = 0xFFFFFFFF;
	s.ph[2].memsz = 0xFFFFFFFF;
	build_expect_fail(&s, -EINVAL, "run past the image end");
	s = good_spec();
	s.entry = 0xFFFFFFFF;
	build_expect_fail(&s, -EINVAL, "entry point 0xffffffff");
}

static void test_segment_in_legacy_hole_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].paddr = 0x9F000; /* 0x9f000-0xa0fff */
	build_expect_fail(&s, -ERANGE,
			  "segment 1 at 0x9f000-0xa0fff overlaps the legacy hole 0xa0000-0xfffff");
	s.ph[2].paddr = 0xB8000;
	build_expect_fail(&s, -ERANGE, "legacy hole");
	s.ph[2].paddr = 0xFFFFF;
	build_expect_fail(&s, -ERANGE, "legacy hole");
}

static void test_segment_over_info_area_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].paddr = MB_AREA_BASE - 0x1fff; /* its last byte is the area's first */
	build_expect_fail(&s, -ERANGE,
			  "segment 1 at 0x5001-0x7000 overlaps the Multiboot info area 0x7000-0x9fff");
	s.ph[2].paddr = MB_AREA_END - 1;
	build_expect_fail(&s, -ERANGE, "Multiboot info area");
	s.ph[2].paddr = 0x8000;
	build_expect_fail(&s, -ERANGE, "Multiboot info area");
}

static void test_overlapping_segments_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[2].paddr = 0x100fff; /* one byte into the text */
	build_expect_fail(&s, -EINVAL, "segments 0 and 1 overlap (0x100000 and 0x100fff)");
	s = good_spec();
	s.ph[2].paddr = 0x100400; /* wholly inside the text */
	build_expect_fail(&s, -EINVAL, "segments 0 and 1 overlap");
	s.ph[2].paddr = 0x0ff000; /* covers the text from below (below 1 MiB: hole first) */
	s.ph[2].memsz = 0x200000;
	build_expect_fail(&s, -ERANGE, "legacy hole");
	s.ph[2].paddr = 0x100000; /* same start */
	build_expect_fail(&s, -EINVAL, "overlap");
}

static void test_entry_outside_segments_fails(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.entry = 0x103000; /* one past the end of the bss */
	build_expect_fail(&s, -EINVAL, "entry point 0x103000 is outside every loaded segment");
}

static void test_no_or_too_many_load_segments_fail(void **state)
{
	struct spec s = good_spec();

	(void)state;
	s.ph[0].type = PT_NOTE;
	s.ph[2].type = PT_NOTE;
	build_expect_fail(&s, -EINVAL, "no loadable segment");
	s = good_spec();
	s.nph = MB_MAX_SEGMENTS + 1;
	for (u32 i = 0; i < s.nph; i++)
		s.ph[i] = (struct ph){ PT_LOAD, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
				       0x10, 0x10 };
	build_expect_fail(&s, -ENOTSUP, "more than 16 loadable segments");
}

/* --- robustness ------------------------------------------------------------ */

static u32 lcg(u32 *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/*
 * Corrupts the good image at random in its headers and checks that every
 * outcome is a clean success or failure; ASan/UBSan catch any stray access.
 */
static void test_random_corruption_never_crashes(void **state)
{
	static const u32 hot[] = { 0, 16, 24, 28, 42, 44, 52, 84, 116, 0x1000 };
	struct spec s = good_spec();
	struct multiboot_target t = target("fuzz");
	struct multiboot_boot b;
	u32 x = 12345, ok = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		build(&s);
		for (int k = 1 + (int)(lcg(&x) % 4); k > 0; k--) {
			u32 at = hot[lcg(&x) % ARRAY_SIZE(hot)] + lcg(&x) % 32;

			img[at] = (u8)lcg(&x);
		}
		if (lcg(&x) % 8 == 0)
			img_size = lcg(&x) % (img_size + 1);
		int err = multiboot_load(&t, img, img_size, &b, why, sizeof(why));

		assert_non_null(memchr(why, '\0', sizeof(why)));
		if (err == 0) {
			ok++;
			assert_true(b.entry >= b.load_base && b.entry < b.load_end);
			assert_true(b.load_end <= RAM_SIZE);
		} else {
			assert_true(err == -EINVAL || err == -ERANGE || err == -ENOTSUP);
			assert_true(why[0] != '\0');
		}
	}
	assert_true(ok > 0);
}

/* Every test gets fresh RAM filled with RAM_FILL. */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_elf_loads_segments_and_zeroes_bss),
		T(test_good_elf_mbi_has_memory_mmap_name_and_cmdline),
		T(test_null_cmdline_leaves_cmdline_flag_clear),
		T(test_empty_cmdline_is_present_and_empty),
		T(test_long_cmdline_is_truncated_and_terminated),
		T(test_cmdline_of_exactly_max_is_not_truncated),
		T(test_reserved_windows_split_ram_in_mmap),
		T(test_segment_in_reserved_window_fails),
		T(test_bad_targets_fail),
		T(test_higher_half_entry_is_translated_to_physical),
		T(test_segment_just_outside_the_info_area_loads),
		T(test_optional_flags_and_empty_load_segments_are_ignored),
		T(test_header_at_last_slot_of_8k_is_found),
		T(test_reason_is_cut_to_a_small_buffer),
		T(test_aout_kludge_loads_flat_binary_with_bss),
		T(test_aout_kludge_zero_end_fields_load_whole_file),
		T(test_aout_kludge_malformed_fields_fail),
		T(test_no_header_fails),
		T(test_bad_checksum_fails),
		T(test_header_past_8k_fails),
		T(test_misaligned_header_is_not_found),
		T(test_required_video_or_unknown_flags_fail),
		T(test_not_elf_fails),
		T(test_wrong_class_data_version_type_machine_fail),
		T(test_truncated_elf_header_fails),
		T(test_program_headers_past_eof_fail),
		T(test_larger_phentsize_is_honoured),
		T(test_segment_past_eof_fails),
		T(test_filesz_above_memsz_fails),
		T(test_segment_outside_ram_fails),
		T(test_segment_ending_at_ram_end_loads_one_byte_more_fails),
		T(test_huge_values_overflowing_32_bits_fail),
		T(test_segment_in_legacy_hole_fails),
		T(test_segment_over_info_area_fails),
		T(test_overlapping_segments_fail),
		T(test_entry_outside_segments_fails),
		T(test_no_or_too_many_load_segments_fail),
		T(test_random_corruption_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
