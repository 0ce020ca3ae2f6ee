// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Multiboot v1 loader (see vmm/multiboot.h). Two phases: parse and check
 * everything into a list of segments, then copy. The image is hostile: every
 * field is read byte by byte through rd16/rd32 with its offset checked
 * first, and address arithmetic is done in 64 bits so nothing wraps.
 *
 * Context: guest creation; pure, reentrant.
 */
#include "vmm/multiboot.h"

#include "kernel/errno.h"
#include "kernel/klib.h"

/* ELF32 (System V ABI, i386 supplement), only what the loader reads. */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1

#define EHDR_SIZE 52u
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_ENTRY 24
#define EH_PHOFF 28
#define EH_PHENTSIZE 42
#define EH_PHNUM 44

#define PHDR_SIZE 32u
#define PH_TYPE 0
#define PH_OFFSET 4
#define PH_VADDR 8
#define PH_PADDR 12
#define PH_FILESZ 16
#define PH_MEMSZ 20

#define FOUR_GIB 0x100000000ULL

/* How far past MULTIBOOT_SEARCH to look for a misplaced header, only to say so. */
#define MB_HINT_SEARCH 0x10000u

/* One piece of the image to place in guest RAM. */
struct mb_seg {
	u64 off;	/* file offset */
	u64 filesz;
	u64 paddr;
	u64 memsz;	/* > 0, >= filesz */
};

/* Everything parsed from the image, before any byte is written. */
struct mb_plan {
	struct mb_seg seg[MB_MAX_SEGMENTS];
	u32 nr_seg;
	u64 entry;
	bool aout;
};

/* A reserved window, with a name for messages. */
struct mb_res {
	u64 base;
	u64 end;	/* exclusive */
	bool legacy;
};

struct mb_why {
	char *buf;
	size_t size;
	size_t len;
};

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | (u16)p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void why_putc(struct mb_why *w, char c)
{
	if (w->len + 1 < w->size)
		w->buf[w->len++] = c;
}

static void why_num(struct mb_why *w, u64 v, unsigned int base)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		why_putc(w, tmp[--n]);
}

/*
 * Writes a reason into w and returns err. fmt knows two conversions, %x
 * (u64 as 0x-prefixed hex) and %u (u64 decimal), taking a, b, c, d, e in
 * turn; taking the arguments as u64 parameters keeps the call sites
 * type-safe.
 */
static int why_set5(struct mb_why *w, int err, const char *fmt, u64 a, u64 b, u64 c, u64 d,
		    u64 e)
{
	const u64 arg[5] = { a, b, c, d, e };
	unsigned int i = 0;

	w->len = 0;
	for (; *fmt; fmt++) {
		if (fmt[0] == '%' && (fmt[1] == 'x' || fmt[1] == 'u') && i < ARRAY_SIZE(arg)) {
			if (fmt[1] == 'x') {
				why_putc(w, '0');
				why_putc(w, 'x');
			}
			why_num(w, arg[i++], fmt[1] == 'x' ? 16 : 10);
			fmt++;
		} else {
			why_putc(w, *fmt);
		}
	}
	if (w->size)
		w->buf[w->len] = '\0';
	return err;
}

static int why_set(struct mb_why *w, int err, const char *fmt, u64 a, u64 b, u64 c, u64 d)
{
	return why_set5(w, err, fmt, a, b, c, d, 0);
}

static bool ranges_overlap(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

/* --- the target ------------------------------------------------------------ */

/*
 * Checks the target and builds the sorted reserved list: the legacy hole plus
 * t->reserved. Returns the count through *nr.
 */
static int build_reserved(const struct multiboot_target *t, struct mb_res *res, u32 *nr,
			  struct mb_why *w)
{
	u32 n = 0;

	if (!t->ram)
		return why_set(w, -EINVAL, "no guest RAM buffer", 0, 0, 0, 0);
	if (t->ram_size < MB_MIN_RAM)
		return why_set(w, -ERANGE, "guest RAM %x is smaller than the minimum %x",
			       t->ram_size, MB_MIN_RAM, 0, 0);
	if (t->nr_reserved > MB_MAX_RESERVED || (t->nr_reserved && !t->reserved))
		return why_set(w, -EINVAL, "%u reserved windows, at most %u", t->nr_reserved,
			       MB_MAX_RESERVED, 0, 0);

	res[n++] = (struct mb_res){ MB_LEGACY_HOLE_BASE, MB_LEGACY_HOLE_END, true };
	for (size_t i = 0; i < t->nr_reserved; i++) {
		u64 base = t->reserved[i].base, size = t->reserved[i].size;
		u32 j;

		if (size == 0 || base + size < base)
			return why_set(w, -EINVAL, "reserved window %x+%x is empty or wraps", base,
				       size, 0, 0);
		if (ranges_overlap(base, base + size, MB_AREA_BASE, MB_AREA_END))
			return why_set(w, -EINVAL,
				       "reserved window %x+%x overlaps the Multiboot info area", base,
				       size, 0, 0);
		for (j = 0; j < n; j++) {
			if (ranges_overlap(base, base + size, res[j].base, res[j].end))
				return why_set(w, -EINVAL,
					       "reserved window %x+%x overlaps %x-%x", base, size,
					       res[j].base, res[j].end - 1);
		}
		/* Insertion sort by base; n is tiny. */
		for (j = n; j > 0 && res[j - 1].base > base; j--)
			res[j] = res[j - 1];
		res[j] = (struct mb_res){ base, base + size, false };
		n++;
	}
	*nr = n;
	return 0;
}

/* --- the header ------------------------------------------------------------ */

static bool is_header_at(const u8 *img, u64 off)
{
	u32 magic = rd32(img + off), flags = rd32(img + off + 4), sum = rd32(img + off + 8);

	return magic == MULTIBOOT_HEADER_MAGIC && (u32)(magic + flags + sum) == 0;
}

/* Finds the header; returns its offset through *hoff. */
static int find_header(const u8 *img, size_t size, u64 *hoff, struct mb_why *w)
{
	u64 limit = min_u64(size, MULTIBOOT_SEARCH);
	u64 hint = min_u64(size, MB_HINT_SEARCH);
	u64 bad = ~0ULL;
	u64 off;

	for (off = 0; off + MULTIBOOT_HEADER_BASE_SIZE <= limit; off += MULTIBOOT_HEADER_ALIGN) {
		if (is_header_at(img, off)) {
			*hoff = off;
			return 0;
		}
		if (rd32(img + off) == MULTIBOOT_HEADER_MAGIC && bad == ~0ULL)
			bad = off;
	}
	if (bad != ~0ULL) {
		u32 flags = rd32(img + bad + 4), sum = rd32(img + bad + 8);

		return why_set(w, -EINVAL,
			       "Multiboot header at offset %x has a bad checksum %x (want %x)", bad,
			       sum, (u32)-(MULTIBOOT_HEADER_MAGIC + flags), 0);
	}
	for (; off + MULTIBOOT_HEADER_BASE_SIZE <= hint; off += MULTIBOOT_HEADER_ALIGN) {
		if (is_header_at(img, off))
			return why_set(w, -EINVAL,
				       "Multiboot header at offset %x is past the first %u bytes",
				       off, MULTIBOOT_SEARCH, 0, 0);
	}
	return why_set(w, -EINVAL, "no Multiboot header in the first %u bytes (image is %u bytes)",
		       MULTIBOOT_SEARCH, size, 0, 0);
}

static int check_flags(u32 flags, struct mb_why *w)
{
	const u32 known = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO;
	u32 unknown = flags & MULTIBOOT_REQUIRED_MASK & ~known;

	/* PAGE_ALIGN concerns modules, and there are none; MEMORY_INFO is always given. */
	if (unknown & MULTIBOOT_VIDEO_MODE)
		return why_set(w, -ENOTSUP, "Multiboot header asks for a video mode (flags %x)",
			       flags, 0, 0, 0);
	if (unknown)
		return why_set(w, -ENOTSUP, "Multiboot header requires unknown features (flags %x)",
			       flags, 0, 0, 0);
	return 0;
}

/* --- the a.out kludge ------------------------------------------------------ */

static int parse_aout(const u8 *img, size_t size, u64 hoff, struct mb_plan *p, struct mb_why *w)
{
	const u8 *h = img + hoff;
	u64 header_addr, load_addr, load_end, bss_end, off, filesz, memsz;

	if (hoff + MULTIBOOT_HEADER_AOUT_SIZE > min_u64(size, MULTIBOOT_SEARCH))
		return why_set(w, -EINVAL, "Multiboot header at %x is cut short (a.out fields)",
			       hoff, 0, 0, 0);
	header_addr = rd32(h + 12);
	load_addr = rd32(h + 16);
	load_end = rd32(h + 20);
	bss_end = rd32(h + 24);

	/* The header is loaded with the text: its file offset fixes the text's. */
	if (header_addr < load_addr || header_addr - load_addr > hoff)
		return why_set(w, -EINVAL,
			       "a.out header_addr %x and load_addr %x disagree with its offset %x",
			       header_addr, load_addr, hoff, 0);
	off = hoff - (header_addr - load_addr);
	if (load_end == 0) {
		filesz = size - off;
	} else {
		if (load_end < load_addr)
			return why_set(w, -EINVAL, "a.out load_end_addr %x is below load_addr %x",
				       load_end, load_addr, 0, 0);
		filesz = load_end - load_addr;
		if (filesz > size - off)
			return why_set(w, -EINVAL,
				       "a.out load %x-%x needs %x file bytes, the image has %x",
				       load_addr, load_end, off + filesz, size);
	}
	if (bss_end == 0) {
		memsz = filesz;
	} else {
		if (bss_end < load_addr + filesz)
			return why_set(w, -EINVAL, "a.out bss_end_addr %x is below the load end %x",
				       bss_end, load_addr + filesz, 0, 0);
		memsz = bss_end - load_addr;
	}
	if (load_addr + memsz > FOUR_GIB)
		return why_set(w, -ERANGE, "a.out image %x+%x runs past 4 GiB", load_addr, memsz,
			       0, 0);
	if (memsz == 0)
		return why_set(w, -EINVAL, "a.out image loads no bytes", 0, 0, 0, 0);
	p->seg[0] = (struct mb_seg){ off, filesz, load_addr, memsz };
	p->nr_seg = 1;
	p->entry = rd32(h + 28);
	p->aout = true;
	return 0;
}

/* --- ELF32 ----------------------------------------------------------------- */

static int check_ehdr(const u8 *img, size_t size, struct mb_why *w)
{
	static const u8 elfmag[4] = { 0x7f, 'E', 'L', 'F' };

	if (size < EHDR_SIZE || memcmp(img, elfmag, sizeof(elfmag)) != 0)
		return why_set(w, -EINVAL, "not an ELF file, and the Multiboot header has no a.out "
				"address fields (flags bit 16)", 0, 0, 0, 0);
	if (img[EI_CLASS] == ELFCLASS64)
		return why_set(w, -ENOTSUP, "ELF64 image; link the kernel as ELF32 (elf_i386)", 0,
			       0, 0, 0);
	if (img[EI_CLASS] != ELFCLASS32)
		return why_set(w, -EINVAL, "ELF class %u, want 1 (ELF32)", img[EI_CLASS], 0, 0, 0);
	if (img[EI_DATA] != ELFDATA2LSB)
		return why_set(w, -EINVAL, "ELF data encoding %u, want 1 (little-endian)",
			       img[EI_DATA], 0, 0, 0);
	if (img[EI_VERSION] != EV_CURRENT)
		return why_set(w, -EINVAL, "ELF version %u, want 1", img[EI_VERSION], 0, 0, 0);
	if (rd16(img + EH_TYPE) != ET_EXEC)
		return why_set(w, -EINVAL, "ELF type %u, want 2 (ET_EXEC)", rd16(img + EH_TYPE), 0,
			       0, 0);
	if (rd16(img + EH_MACHINE) != EM_386)
		return why_set(w, -EINVAL, "ELF machine %u, want 3 (EM_386)",
			       rd16(img + EH_MACHINE), 0, 0, 0);
	return 0;
}

static int parse_elf(const u8 *img, size_t size, struct mb_plan *p, struct mb_why *w)
{
	u64 phoff, phentsize, phnum, entry;
	int err = check_ehdr(img, size, w);

	if (err)
		return err;
	phoff = rd32(img + EH_PHOFF);
	phentsize = rd16(img + EH_PHENTSIZE);
	phnum = rd16(img + EH_PHNUM);
	entry = rd32(img + EH_ENTRY);
	if (phentsize < PHDR_SIZE)
		return why_set(w, -EINVAL, "ELF e_phentsize %u, want at least %u", phentsize,
			       PHDR_SIZE, 0, 0);
	if (phnum == 0 || phnum > MB_MAX_PHDRS)
		return why_set(w, -EINVAL, "ELF has %u program headers, want 1 to %u", phnum,
			       MB_MAX_PHDRS, 0, 0);
	/* phoff < 2^32 and phnum * phentsize < 2^22: no overflow in 64 bits. */
	if (phoff + phnum * phentsize > size)
		return why_set(w, -EINVAL, "ELF program headers %x-%x run past the image end %x",
			       phoff, phoff + phnum * phentsize, size, 0);

	p->nr_seg = 0;
	p->entry = entry;
	for (u64 i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + i * phentsize;
		u64 off = rd32(ph + PH_OFFSET), vaddr = rd32(ph + PH_VADDR);
		u64 paddr = rd32(ph + PH_PADDR), filesz = rd32(ph + PH_FILESZ);
		u64 memsz = rd32(ph + PH_MEMSZ);

		if (rd32(ph + PH_TYPE) != PT_LOAD)
			continue;
		if (filesz > memsz)
			return why_set(w, -EINVAL, "program header %u: p_filesz %x > p_memsz %x", i,
				       filesz, memsz, 0);
		if (memsz == 0)
			continue;
		if (off + filesz > size)
			return why_set(w, -EINVAL,
				       "program header %u: file bytes %x-%x run past the image end %x",
				       i, off, off + filesz, size);
		if (paddr + memsz > FOUR_GIB)
			return why_set(w, -ERANGE, "program header %u: %x+%x runs past 4 GiB", i,
				       paddr, memsz, 0);
		if (p->nr_seg == MB_MAX_SEGMENTS)
			return why_set(w, -ENOTSUP, "more than %u loadable segments",
				       MB_MAX_SEGMENTS, 0, 0, 0);
		/* A virtual entry point inside this segment becomes physical (GRUB does this). */
		if (entry >= vaddr && entry < vaddr + memsz)
			p->entry = entry - vaddr + paddr;
		p->seg[p->nr_seg++] = (struct mb_seg){ off, filesz, paddr, memsz };
	}
	if (p->nr_seg == 0)
		return why_set(w, -EINVAL, "ELF has no loadable segment", 0, 0, 0, 0);
	p->aout = false;
	return 0;
}

/* --- placement ------------------------------------------------------------- */

static int check_placement(const struct mb_plan *p, const struct multiboot_target *t,
			   const struct mb_res *res, u32 nr_res, struct mb_why *w)
{
	bool entry_ok = false;

	for (u32 i = 0; i < p->nr_seg; i++) {
		const struct mb_seg *s = &p->seg[i];
		u64 end = s->paddr + s->memsz;

		if (end > t->ram_size)
			return why_set(w, -ERANGE, "segment %u at %x-%x is outside guest RAM (%x bytes)",
				       i, s->paddr, end - 1, t->ram_size);
		if (ranges_overlap(s->paddr, end, MB_AREA_BASE, MB_AREA_END))
			return why_set5(w, -ERANGE,
					"segment %u at %x-%x overlaps the Multiboot info area %x-%x", i,
					s->paddr, end - 1, MB_AREA_BASE, MB_AREA_END - 1);
		for (u32 r = 0; r < nr_res; r++) {
			if (!ranges_overlap(s->paddr, end, res[r].base, res[r].end))
				continue;
			if (res[r].legacy)
				return why_set(w, -ERANGE,
					       "segment %u at %x-%x overlaps the legacy hole "
					       "0xa0000-0xfffff", i, s->paddr, end - 1, 0);
			return why_set(w, -ERANGE,
				       "segment %u at %x-%x overlaps the reserved window at %x", i,
				       s->paddr, end - 1, res[r].base);
		}
		for (u32 j = 0; j < i; j++) {
			const struct mb_seg *o = &p->seg[j];

			if (ranges_overlap(s->paddr, end, o->paddr, o->paddr + o->memsz))
				return why_set(w, -EINVAL, "segments %u and %u overlap (%x and %x)", j,
					       i, o->paddr, s->paddr);
		}
		if (p->entry >= s->paddr && p->entry < end)
			entry_ok = true;
	}
	if (!entry_ok)
		return why_set(w, -EINVAL, "entry point %x is outside every loaded segment", p->entry,
			       0, 0, 0);
	return 0;
}

/* --- writing --------------------------------------------------------------- */

static u32 add_mmap(u8 *ram, u32 n, u64 base, u64 end, u32 type)
{
	struct multiboot_mmap_entry e = {
		.size = sizeof(e) - sizeof(e.size),
		.addr = base,
		.len = end - base,
		.type = type,
	};

	memcpy(ram + MB_MMAP_GPA + n * sizeof(e), &e, sizeof(e));
	return n + 1;
}

/* Every entry: RAM pieces between the reserved windows, and the windows themselves. */
BUILD_ASSERT(2 * (MB_MAX_RESERVED + 1) + 1 <= MB_MMAP_MAX, "mmap entries fit");
BUILD_ASSERT(MB_MMAP_GPA + MB_MMAP_MAX * sizeof(struct multiboot_mmap_entry) <= MB_LOADER_NAME_GPA,
	     "mmap fits below the loader name");
BUILD_ASSERT(MB_INFO_GPA + sizeof(struct multiboot_info) <= MB_MMAP_GPA, "mbi fits");
BUILD_ASSERT(MB_CMDLINE_GPA + MB_CMDLINE_MAX + 1 <= MB_AREA_END, "cmdline fits");

static u32 write_mmap(u8 *ram, u64 ram_size, const struct mb_res *res, u32 nr_res)
{
	u64 cur = 0;
	u32 n = 0;

	for (u32 r = 0; r < nr_res; r++) {
		if (res[r].base > cur && cur < ram_size)
			n = add_mmap(ram, n, cur, min_u64(res[r].base, ram_size),
				     MULTIBOOT_MEMORY_AVAILABLE);
		n = add_mmap(ram, n, res[r].base, res[r].end, MULTIBOOT_MEMORY_RESERVED);
		cur = max_u64(cur, res[r].end);
	}
	if (cur < ram_size)
		n = add_mmap(ram, n, cur, ram_size, MULTIBOOT_MEMORY_AVAILABLE);
	return n;
}

/* End of the RAM that is contiguous from 'from', stopping at the first reserved window. */
static u64 ram_run_end(u64 from, u64 ram_size, const struct mb_res *res, u32 nr_res)
{
	u64 end = ram_size;

	for (u32 r = 0; r < nr_res; r++) {
		if (res[r].end > from)
			end = min_u64(end, res[r].base);
	}
	return end > from ? end : from;
}

static void write_info(const struct multiboot_target *t, const struct mb_res *res, u32 nr_res,
		       struct multiboot_boot *out)
{
	u8 *ram = t->ram;
	struct multiboot_info mbi;
	u64 upper;

	memset(ram + MB_AREA_BASE, 0, MB_AREA_END - MB_AREA_BASE);
	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP |
		    MULTIBOOT_INFO_BOOT_LOADER_NAME;
	mbi.mem_lower = (u32)(min_u64(ram_run_end(0, t->ram_size, res, nr_res),
				      MB_LEGACY_HOLE_BASE) / 1024);
	upper = (ram_run_end(MB_LEGACY_HOLE_END, t->ram_size, res, nr_res) - MB_LEGACY_HOLE_END) /
		1024;
	mbi.mem_upper = (u32)min_u64(upper, 0xffffffffu);
	mbi.mmap_addr = MB_MMAP_GPA;
	mbi.mmap_length = write_mmap(ram, t->ram_size, res, nr_res) *
			  (u32)sizeof(struct multiboot_mmap_entry);
	mbi.boot_loader_name = MB_LOADER_NAME_GPA;
	memcpy(ram + MB_LOADER_NAME_GPA, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));

	out->cmdline_truncated = false;
	if (t->cmdline) {
		size_t len = 0;

		/* Bounded: the string may be long, and strnlen is not C11. */
		while (len < MB_CMDLINE_MAX && t->cmdline[len])
			len++;
		out->cmdline_truncated = t->cmdline[len] != '\0';
		memcpy(ram + MB_CMDLINE_GPA, t->cmdline, len);
		ram[MB_CMDLINE_GPA + len] = '\0';
		mbi.flags |= MULTIBOOT_INFO_CMDLINE;
		mbi.cmdline = MB_CMDLINE_GPA;
	}
	memcpy(ram + MB_INFO_GPA, &mbi, sizeof(mbi));
}

int multiboot_load(const struct multiboot_target *t, const void *image, size_t image_size,
		   struct multiboot_boot *out, char *why, size_t why_size)
{
	struct mb_why w = { why, why_size, 0 };
	struct mb_res res[MB_MAX_RESERVED + 1];
	struct mb_plan plan = { .nr_seg = 0 };
	const u8 *img = image;
	u8 *ram;
	u32 nr_res = 0, flags;
	u64 hoff = 0, lo = ~0ULL, hi = 0;
	int err;

	why_set(&w, 0, "", 0, 0, 0, 0);
	if (!t || !out || (!image && image_size))
		return why_set(&w, -EINVAL, "bad arguments", 0, 0, 0, 0);
	err = build_reserved(t, res, &nr_res, &w);
	if (err)
		return err;
	err = find_header(img, image_size, &hoff, &w);
	if (err)
		return err;
	flags = rd32(img + hoff + 4);
	err = check_flags(flags, &w);
	if (err)
		return err;
	if (flags & MULTIBOOT_AOUT_KLUDGE)
		err = parse_aout(img, image_size, hoff, &plan, &w);
	else
		err = parse_elf(img, image_size, &plan, &w);
	if (err)
		return err;
	err = check_placement(&plan, t, res, nr_res, &w);
	if (err)
		return err;

	/* Everything checked: now write. */
	ram = t->ram;
	for (u32 i = 0; i < plan.nr_seg; i++) {
		const struct mb_seg *s = &plan.seg[i];

		memcpy(ram + s->paddr, img + s->off, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
		lo = min_u64(lo, s->paddr);
		hi = max_u64(hi, s->paddr + s->memsz);
	}
	write_info(t, res, nr_res, out);
	out->entry = (u32)plan.entry;
	out->mbi_gpa = MB_INFO_GPA;
	out->load_base = lo;
	out->load_end = hi;
	out->nr_segments = plan.nr_seg;
	out->aout_kludge = plan.aout;
	return 0;
}
