// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest page-table walker (see vmm/gwalk.h for the contract).
 *
 * Environment: pure C, exit path of one vCPU; guest memory only through
 * struct gwalk_mem. The architectural bits are defined here rather than
 * taken from kernel/x86 headers: they describe the guest's paging, which
 * this file alone interprets (SDM vol. 3, 2.5 for CR0/CR4, 4.1-4.7).
 */
#include "vmm/gwalk.h"

#include "kernel/errno.h"

#define X86_CR0_WP BIT(16)
#define X86_CR0_PG BIT(31)
#define X86_CR4_PSE BIT(4)
#define X86_CR4_PAE BIT(5)
#define X86_CR4_LA57 BIT(12)
#define X86_CR4_SMEP BIT(20)
#define X86_CR4_SMAP BIT(21)
#define X86_EFER_LMA BIT(10)
#define X86_EFER_NXE BIT(11)

/* Paging-structure entry bits common to all modes (4.3-4.5). */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)

/* 32-bit paging, 4 MiB page: bits 20:13 hold physical address bits 39:32 (PSE-36). */
#define PDE32_4M_ADDR_LO GENMASK(31, 22)
#define PDE32_4M_ADDR_HI GENMASK(20, 13)
/* PAE PDPTE: bits 2:1 and 8:5 are reserved (4.4.1, table 4-8). */
#define PDPTE_PAE_RSVD (GENMASK(8, 5) | GENMASK(2, 1))

#define PAGE_4K 4096ULL
#define AD_RETRIES 4

enum mode { MODE_OFF, MODE_32, MODE_PAE, MODE_LONG };

struct walk {
	const struct gwalk_cpu *cpu;
	const struct gwalk_mem *mem;
	enum mode mode;
	u64 gva;
	u32 access;
	unsigned esize; /* entry bytes: 4 or 8 */
	/* Entries the walk used, top first, for the A/D update. */
	unsigned n;
	u64 egpa[4], eval[4];
	bool us, rw, xd; /* the rights of the whole walk */
	u64 page_base, page_size;
};

/* True when paging has the XD bit at all (PAE or 4-level with EFER.NXE). */
static bool nx_paging(const struct walk *w)
{
	return w->mode != MODE_32 && (w->cpu->efer & X86_EFER_NXE);
}

static int page_fault(const struct walk *w, u32 bits, struct gwalk_fault *f)
{
	u32 ec = bits;

	if (w->access & GWALK_WRITE)
		ec |= PF_ERR_WRITE;
	if (w->access & GWALK_USER)
		ec |= PF_ERR_USER;
	if ((w->access & GWALK_FETCH) && (nx_paging(w) || (w->cpu->cr4 & X86_CR4_SMEP)))
		ec |= PF_ERR_FETCH;
	f->vector = GWALK_VEC_PF;
	f->error_code = ec;
	f->addr = w->gva;
	return GWALK_FAULT;
}

static int read_entry(const struct walk *w, u64 gpa, u64 *e)
{
	u64 v = 0; /* a 4-byte entry lands in the low half: x86 is little-endian */
	int ret = w->mem->read(w->mem->ctx, gpa, &v, w->esize);

	*e = v;
	return ret;
}

/* Bits that must be 0 in present entry e at level (0 = page table). */
static u64 reserved_bits(const struct walk *w, unsigned level, u64 e)
{
	unsigned m = w->cpu->maxphyaddr;
	bool large = level > 0 && (e & PTE_PS);
	u64 r;

	if (w->mode == MODE_32) {
		if (!large || !(w->cpu->cr4 & X86_CR4_PSE))
			return 0;
		/*
		 * Bits 20:13 carry address bits 39:32 up to MAXPHYADDR (40 at
		 * most); the rest, up to bit 21, are reserved.
		 */
		return GENMASK(21, 13 + ((m < 40 ? m : 40) - 32));
	}
	if (w->mode == MODE_PAE)
		r = GENMASK(62, m); /* PAE reserves 62:52 too (4.4.2) */
	else
		r = m < 52 ? GENMASK(51, m) : 0; /* 62:52 are ignored in 4-level paging */
	if (!(w->cpu->efer & X86_EFER_NXE))
		r |= PTE_XD;
	if (level == 3)
		r |= PTE_PS;
	else if (large && level == 2)
		r |= GENMASK(29, 13); /* 1 GiB page: bit 12 is PAT */
	else if (large && level == 1)
		r |= GENMASK(20, 13); /* 2 MiB page */
	return r;
}

static bool is_leaf(const struct walk *w, unsigned level, u64 e)
{
	if (level == 0)
		return true;
	if (!(e & PTE_PS))
		return false;
	/* Without CR4.PSE, 32-bit paging ignores PS; PAE and 4-level always honour it. */
	return w->mode != MODE_32 || (w->cpu->cr4 & X86_CR4_PSE);
}

static void set_page(struct walk *w, unsigned level, u64 e)
{
	if (w->mode == MODE_32 && level == 1) {
		w->page_base = (e & PDE32_4M_ADDR_LO) | (FIELD_GET(PDE32_4M_ADDR_HI, e) << 32);
		w->page_size = 1ULL << 22;
	} else if (w->mode == MODE_32) {
		w->page_base = e & GENMASK(31, 12);
		w->page_size = PAGE_4K;
	} else {
		w->page_base = e & GENMASK(51, 12 + 9 * level);
		w->page_size = 1ULL << (12 + 9 * level);
	}
}

/* PAE: the PDPTE for w->gva, checked. Returns 0 with *table set, a fault, or -errno. */
static int pae_pdpte(struct walk *w, u64 *table, struct gwalk_fault *f)
{
	const struct gwalk_cpu *cpu = w->cpu;
	unsigned i = (w->gva >> 30) & 3;
	u64 pdpte;
	int ret;

	if (cpu->pdptes_valid) {
		pdpte = cpu->pdpte[i];
	} else {
		ret = read_entry(w, (cpu->cr3 & GENMASK(31, 5)) + 8 * i, &pdpte);
		if (ret)
			return ret;
	}
	if (!(pdpte & PTE_P))
		return page_fault(w, 0, f);
	if (pdpte & (GENMASK(63, cpu->maxphyaddr) | PDPTE_PAE_RSVD))
		return page_fault(w, PF_ERR_PRESENT | PF_ERR_RSVD, f);
	*table = pdpte & GENMASK(51, 12);
	return 0;
}

/* One walk from CR3 to the leaf: fills w's entries, rights and page. */
static int walk_once(struct walk *w, struct gwalk_fault *f)
{
	const struct gwalk_cpu *cpu = w->cpu;
	unsigned bits = w->mode == MODE_32 ? 10 : 9;
	unsigned level;
	u64 table = 0;
	int ret;

	w->n = 0;
	w->us = w->rw = true;
	w->xd = false;
	if (w->mode == MODE_32) {
		level = 1;
		table = cpu->cr3 & GENMASK(31, 12);
	} else if (w->mode == MODE_PAE) {
		level = 1;
		ret = pae_pdpte(w, &table, f);
		if (ret)
			return ret;
	} else {
		level = 3;
		table = cpu->cr3 & GENMASK(cpu->maxphyaddr - 1, 12);
	}

	for (;; level--) {
		unsigned idx = (w->gva >> (12 + bits * level)) & ((1u << bits) - 1);
		u64 egpa = table + (u64)idx * w->esize;
		u64 e;

		ret = read_entry(w, egpa, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return page_fault(w, 0, f);
		if (e & reserved_bits(w, level, e))
			return page_fault(w, PF_ERR_PRESENT | PF_ERR_RSVD, f);
		w->egpa[w->n] = egpa;
		w->eval[w->n++] = e;
		w->us = w->us && (e & PTE_US);
		w->rw = w->rw && (e & PTE_RW);
		w->xd = w->xd || (nx_paging(w) && (e & PTE_XD));
		if (is_leaf(w, level, e)) {
			set_page(w, level, e);
			return 0;
		}
		table = e & (w->mode == MODE_32 ? GENMASK(31, 12) : GENMASK(51, 12));
	}
}

/* The access rights check of SDM vol. 3, 4.6, on the whole walk. */
static bool allowed(const struct walk *w)
{
	u32 a = w->access;
	bool write = a & GWALK_WRITE, fetch = a & GWALK_FETCH;

	if (a & GWALK_USER) {
		if (!w->us || (write && !w->rw))
			return false;
	} else {
		if (write && !w->rw && (w->cpu->cr0 & X86_CR0_WP))
			return false;
		if (w->us && fetch && (w->cpu->cr4 & X86_CR4_SMEP))
			return false;
		if (w->us && !fetch && (w->cpu->cr4 & X86_CR4_SMAP) && !(a & GWALK_AC))
			return false;
	}
	return !(fetch && w->xd);
}

/* A in every entry used, D in the leaf for a write; -EBUSY if the guest got there first. */
static int set_accessed_dirty(const struct walk *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		u64 want = w->eval[i] | PTE_A;
		int ret;

		if (i == w->n - 1 && (w->access & GWALK_WRITE))
			want |= PTE_D;
		if (want == w->eval[i])
			continue;
		ret = w->mem->cmpxchg(w->mem->ctx, w->egpa[i], w->eval[i], want, w->esize);
		if (ret)
			return ret;
	}
	return 0;
}

/* Checks arguments and picks the paging mode. 0, GWALK_FAULT (#GP) or -errno. */
static int walk_setup(struct walk *w, const struct gwalk_cpu *cpu, const struct gwalk_mem *mem,
		      u64 gva, u32 access, struct gwalk_fault *f)
{
	const u32 known = GWALK_WRITE | GWALK_FETCH | GWALK_USER | GWALK_AC | GWALK_PEEK;

	if (!cpu || !mem || !mem->read || !f || (access & ~known) ||
	    ((access & GWALK_WRITE) && (access & GWALK_FETCH)) ||
	    (!(access & GWALK_PEEK) && !mem->cmpxchg) || cpu->maxphyaddr < 32 ||
	    cpu->maxphyaddr > 52)
		return -EINVAL;
	*w = (struct walk){ .cpu = cpu, .mem = mem, .access = access, .esize = 8 };

	if (cpu->efer & X86_EFER_LMA) {
		if (!(cpu->cr0 & X86_CR0_PG) || !(cpu->cr4 & X86_CR4_PAE))
			return -EINVAL;
		if (cpu->cr4 & X86_CR4_LA57)
			return -ENOTSUP;
		w->mode = MODE_LONG;
		w->gva = gva;
		if ((u64)((s64)(gva << 16) >> 16) != gva) {
			f->vector = GWALK_VEC_GP;
			f->error_code = 0;
			f->addr = gva;
			return GWALK_FAULT;
		}
		return 0;
	}
	w->gva = gva & 0xffffffffULL;
	if (!(cpu->cr0 & X86_CR0_PG))
		w->mode = MODE_OFF;
	else if (cpu->cr4 & X86_CR4_PAE)
		w->mode = MODE_PAE;
	else
		w->mode = MODE_32;
	if (w->mode == MODE_32)
		w->esize = 4;
	return 0;
}

int gwalk_translate(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva,
		    u32 access, u64 *gpa, struct gwalk_fault *fault)
{
	struct walk w;
	int ret;

	if (!gpa)
		return -EINVAL;
	ret = walk_setup(&w, cpu, mem, gva, access, fault);
	if (ret)
		return ret;
	if (w.mode == MODE_OFF) {
		*gpa = w.gva;
		return 0;
	}
	for (unsigned tries = 0; tries < AD_RETRIES; tries++) {
		ret = walk_once(&w, fault);
		if (ret)
			return ret;
		if (!allowed(&w))
			return page_fault(&w, PF_ERR_PRESENT, fault);
		if (!(access & GWALK_PEEK)) {
			ret = set_accessed_dirty(&w);
			if (ret == -EBUSY)
				continue; /* the guest changed an entry: walk again */
			if (ret)
				return ret;
		}
		*gpa = w.page_base | (w.gva & (w.page_size - 1));
		return 0;
	}
	return -EBUSY;
}

/* Translates every page of [gva, gva + len) first, then moves the bytes. */
static int copy(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva, void *dst,
		const void *src, size_t len, u32 access, struct gwalk_fault *fault)
{
	u64 gpa[2];
	size_t part[2], done = 0;
	unsigned n = 0;
	u64 addr = gva;
	int ret;

	if (!cpu || !mem || !len || len > GWALK_COPY_MAX || (!dst && !src))
		return -EINVAL;
	while (done < len) {
		size_t chunk = PAGE_4K - (addr & (PAGE_4K - 1));

		if (chunk > len - done)
			chunk = len - done;
		ret = gwalk_translate(cpu, mem, addr, access, &gpa[n], fault);
		if (ret)
			return ret;
		part[n++] = chunk;
		done += chunk;
		addr += chunk;
		if (!(cpu->efer & X86_EFER_LMA))
			addr &= 0xffffffffULL; /* linear addresses wrap at 4 GiB */
	}
	done = 0;
	for (unsigned i = 0; i < n; i++) {
		if (dst)
			ret = mem->read(mem->ctx, gpa[i], (u8 *)dst + done, part[i]);
		else if (mem->write)
			ret = mem->write(mem->ctx, gpa[i], (const u8 *)src + done, part[i]);
		else
			ret = -EINVAL;
		if (ret)
			return ret;
		done += part[i];
	}
	return 0;
}

int gwalk_read(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva, void *buf,
	       size_t len, u32 access, struct gwalk_fault *fault)
{
	if (!buf)
		return -EINVAL;
	return copy(cpu, mem, gva, buf, NULL, len, access, fault);
}

int gwalk_write(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva,
		const void *buf, size_t len, u32 access, struct gwalk_fault *fault)
{
	if (!buf)
		return -EINVAL;
	return copy(cpu, mem, gva, NULL, buf, len, access | GWALK_WRITE, fault);
}
