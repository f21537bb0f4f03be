/* SPDX-License-Identifier: MIT */
/*
 * The whole VM as one versioned, CRC-checked byte string: machine shape,
 * virtual counter, every vCPU (registers, EL1 system registers, FP/SIMD,
 * power, timers), the PL011, the GIC and ITS state from vgic_vm_save_state()
 * and guest RAM (non-zero pages only).  The same bytes serve `--migrate`
 * (kept in memory) and `--save`/`--restore` (a file).
 *
 * RAM is copied after vgic_vm_save_state(), which writes the ITS tables and
 * LPI pending tables into it, and put back before vgic_vm_restore_state(),
 * which reads them.  A snapshot is parsed and checked whole before any VM is
 * built from it, so a truncated or altered one changes nothing.
 *
 * Layout (little-endian): header {magic "VGICVMSN", version, header size,
 * vCPUs, flags, RAM size, CRC-32 of everything with this field zero, pad},
 * then sections in a fixed order: counter, vCPUs, UART, GIC blob, RAM pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vgic/snapshot.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define SNAP_MAGIC		"VGICVMSN"
#define SNAP_VERSION		1
#define SNAP_HDR_SIZE		40
#define SNAP_HDR_CRC_OFF	32
#define SNAP_FLAG_ITS		BIT(0)
#define SNAP_FLAG_AT_PROMPT	BIT(1)
#define SNAP_FLAGS_KNOWN	(SNAP_FLAG_ITS | SNAP_FLAG_AT_PROMPT)
#define PAGE_SIZE		4096ULL
#define NR_GPRS			31
#define NR_QREGS		32

/* EL1 (and EL0 thread) system registers Unicorn keeps for the guest. */
static const uint8_t sysregs[][5] = {
	{ 3, 0, 1, 0, 0 },	/* SCTLR_EL1 */
	{ 3, 0, 1, 0, 2 },	/* CPACR_EL1 */
	{ 3, 0, 2, 0, 0 },	/* TTBR0_EL1 */
	{ 3, 0, 2, 0, 1 },	/* TTBR1_EL1 */
	{ 3, 0, 2, 0, 2 },	/* TCR_EL1 */
	{ 3, 0, 4, 0, 0 },	/* SPSR_EL1 */
	{ 3, 0, 4, 0, 1 },	/* ELR_EL1 */
	{ 3, 0, 5, 2, 0 },	/* ESR_EL1 */
	{ 3, 0, 6, 0, 0 },	/* FAR_EL1 */
	{ 3, 0, 7, 4, 0 },	/* PAR_EL1 */
	{ 3, 0, 10, 2, 0 },	/* MAIR_EL1 */
	{ 3, 0, 12, 0, 0 },	/* VBAR_EL1 */
	{ 3, 0, 13, 0, 1 },	/* CONTEXTIDR_EL1 */
	{ 3, 0, 13, 0, 4 },	/* TPIDR_EL1 */
	{ 3, 3, 13, 0, 2 },	/* TPIDR_EL0 */
	{ 3, 3, 13, 0, 3 },	/* TPIDRRO_EL0 */
	{ 3, 0, 14, 1, 0 },	/* CNTKCTL_EL1 */
};
#define NR_SYSREGS	ARRAY_SIZE(sysregs)

struct snap_gtimer {
	uint32_t ctl, level;
	uint64_t cval;
};

struct snap_vcpu {
	uint32_t power, ran, idle;
	uint64_t x[NR_GPRS], sp, pc, pstate, sp_el0, sp_el1, fpcr, fpsr;
	uint64_t sys[NR_SYSREGS];
	uint64_t q[NR_QREGS][2];
	struct snap_gtimer vtimer, ptimer;
};

/* A parsed snapshot; pointers point into the caller's buffer. */
struct snap {
	unsigned int nr_vcpus;
	uint32_t flags;
	uint64_t ram_size, counter;
	struct snap_vcpu *vcpus;
	struct pl011_state uart;
	const uint8_t *gic;
	uint64_t gic_len;
	const uint8_t *pages;
	uint64_t nr_pages;
};

/* --- CRC-32 (IEEE, reflected) --- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* zlib's convention: start from 0, feed pieces in order. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t len)
{
	uint32_t c = ~crc;

	if (!crc_table[1])
		crc_init();
	for (size_t i = 0; i < len; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

/* --- writer --- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t cap = MAX(w->cap * 2, w->len + n + 4096);
		uint8_t *p = realloc(w->p, cap);

		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, sizeof(b));
}

static void put64(struct wbuf *w, uint64_t v)
{
	put32(w, (uint32_t)v);
	put32(w, (uint32_t)(v >> 32));
}

/* --- reader: every get past the end marks the snapshot bad --- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *take(struct rbuf *r, uint64_t n)
{
	const uint8_t *at;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	at = r->p + r->off;
	r->off += n;
	return at;
}

static uint32_t get32(struct rbuf *r)
{
	const uint8_t *b = take(r, 4);
	uint32_t v = 0;

	for (int i = 0; b && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static uint64_t get64(struct rbuf *r)
{
	uint64_t lo = get32(r);

	return lo | (uint64_t)get32(r) << 32;
}

/* --- vCPU state --- */

static void gtimer_save(struct wbuf *w, const struct gtimer *t)
{
	put32(w, t->ctl);
	put32(w, t->level);
	put64(w, t->cval);
}

static void vcpu_save(struct wbuf *w, struct vcpu *v)
{
	uint64_t q[2];

	put32(w, v->power);
	put32(w, v->ran);
	put32(w, v->idle);
	for (int i = 0; i < NR_GPRS; i++)
		put64(w, vcpu_reg(v, i < 29 ? UC_ARM64_REG_X0 + i : UC_ARM64_REG_X29 + i - 29));
	put64(w, vcpu_reg(v, UC_ARM64_REG_SP));
	put64(w, vcpu_reg(v, UC_ARM64_REG_PC));
	put64(w, vcpu_reg(v, UC_ARM64_REG_PSTATE));
	put64(w, vcpu_reg(v, UC_ARM64_REG_SP_EL0));
	put64(w, vcpu_reg(v, UC_ARM64_REG_SP_EL1));
	put64(w, vcpu_reg(v, UC_ARM64_REG_FPCR));
	put64(w, vcpu_reg(v, UC_ARM64_REG_FPSR));
	for (size_t i = 0; i < NR_SYSREGS; i++) {
		const uint8_t *e = sysregs[i];

		put64(w, vcpu_sysreg(v, e[0], e[1], e[2], e[3], e[4]));
	}
	for (int i = 0; i < NR_QREGS; i++) {
		memset(q, 0, sizeof(q));
		uc_reg_read(v->uc, UC_ARM64_REG_Q0 + i, q);
		put64(w, q[0]);
		put64(w, q[1]);
	}
	gtimer_save(w, &v->vtimer);
	gtimer_save(w, &v->ptimer);
}

static void gtimer_parse(struct rbuf *r, struct snap_gtimer *t)
{
	t->ctl = get32(r);
	t->level = get32(r);
	t->cval = get64(r);
}

static void vcpu_parse(struct rbuf *r, struct snap_vcpu *s)
{
	s->power = get32(r);
	s->ran = get32(r);
	s->idle = get32(r);
	for (int i = 0; i < NR_GPRS; i++)
		s->x[i] = get64(r);
	s->sp = get64(r);
	s->pc = get64(r);
	s->pstate = get64(r);
	s->sp_el0 = get64(r);
	s->sp_el1 = get64(r);
	s->fpcr = get64(r);
	s->fpsr = get64(r);
	for (size_t i = 0; i < NR_SYSREGS; i++)
		s->sys[i] = get64(r);
	for (int i = 0; i < NR_QREGS; i++) {
		s->q[i][0] = get64(r);
		s->q[i][1] = get64(r);
	}
	gtimer_parse(r, &s->vtimer);
	gtimer_parse(r, &s->ptimer);
	if (s->power > VCPU_ON || s->ran > 1 || s->idle > 1 || s->pstate > UINT32_MAX ||
	    s->vtimer.level > 1 || s->ptimer.level > 1)
		r->bad = true;
}

static void gtimer_apply(struct gtimer *t, const struct snap_gtimer *s)
{
	t->ctl = s->ctl;
	t->cval = s->cval;
	/* The GIC blob restored the line itself: only remember what drives it. */
	t->level = s->level;
}

/*
 * System registers first (SCTLR may turn the MMU on; a CP_REG write rebuilds
 * Unicorn's cached flags), then PSTATE, the banked stack pointers and last
 * the live SP, which Unicorn keeps apart from the banked copies.
 */
static void vcpu_apply(struct vcpu *v, const struct snap_vcpu *s)
{
	for (size_t i = 0; i < NR_SYSREGS; i++) {
		const uint8_t *e = sysregs[i];

		vcpu_set_sysreg(v, e[0], e[1], e[2], e[3], e[4], s->sys[i]);
	}
	vcpu_set_reg(v, UC_ARM64_REG_PSTATE, s->pstate);
	vcpu_set_reg(v, UC_ARM64_REG_SP_EL0, s->sp_el0);
	vcpu_set_reg(v, UC_ARM64_REG_SP_EL1, s->sp_el1);
	vcpu_set_reg(v, UC_ARM64_REG_SP, s->sp);
	for (int i = 0; i < NR_GPRS; i++)
		vcpu_set_reg(v, i < 29 ? UC_ARM64_REG_X0 + i : UC_ARM64_REG_X29 + i - 29, s->x[i]);
	vcpu_set_reg(v, UC_ARM64_REG_FPCR, s->fpcr);
	vcpu_set_reg(v, UC_ARM64_REG_FPSR, s->fpsr);
	for (int i = 0; i < NR_QREGS; i++) {
		uint64_t q[2] = { s->q[i][0], s->q[i][1] };

		uc_reg_write(v->uc, UC_ARM64_REG_Q0 + i, q);
	}
	vcpu_set_reg(v, UC_ARM64_REG_PC, s->pc);
	v->power = s->power;
	v->ran = s->ran;
	v->idle = s->idle;
	gtimer_apply(&v->vtimer, &s->vtimer);
	gtimer_apply(&v->ptimer, &s->ptimer);
}

/* --- UART --- */

static void uart_save(struct wbuf *w, struct vmm *vmm)
{
	struct pl011_state u;

	pl011_get_state(vmm, &u);
	put(w, u.rx, sizeof(u.rx));
	put32(w, u.rx_head);
	put32(w, u.rx_count);
	put32(w, u.ris);
	put32(w, u.imsc);
	put32(w, u.cr);
	put32(w, u.lcr_h);
	put32(w, u.ibrd);
	put32(w, u.fbrd);
	put32(w, u.ifls);
	put32(w, u.dmacr);
	put32(w, u.level);
}

static void uart_parse(struct rbuf *r, struct pl011_state *u)
{
	const uint8_t *rx = take(r, sizeof(u->rx));

	if (rx)
		memcpy(u->rx, rx, sizeof(u->rx));
	u->rx_head = get32(r);
	u->rx_count = get32(r);
	u->ris = get32(r);
	u->imsc = get32(r);
	u->cr = get32(r);
	u->lcr_h = get32(r);
	u->ibrd = get32(r);
	u->fbrd = get32(r);
	u->ifls = get32(r);
	u->dmacr = get32(r);
	u->level = get32(r);
	if (u->rx_head >= sizeof(u->rx) || u->rx_count > sizeof(u->rx) || u->level > 1)
		r->bad = true;
}

/* --- RAM: non-zero pages as {page index, 4 KiB} --- */

static bool page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[PAGE_SIZE];

	return !memcmp(p, zero, PAGE_SIZE);
}

/*
 * Pages the guest never touched are neither present nor swapped out
 * (/proc/self/pagemap) and read as zero: only the others need looking at,
 * which keeps a save of a large, mostly idle RAM short.  Without pagemap
 * every page is looked at.
 */
#define PAGEMAP_PRESENT		BIT(63)
#define PAGEMAP_SWAPPED		BIT(62)
#define PAGEMAP_CHUNK		4096

static bool page_maybe_used(int fd, const uint8_t *page, uint64_t *map, uint64_t i)
{
	uint64_t slot = i % PAGEMAP_CHUNK;

	if (fd < 0)
		return true;
	if (!slot) {
		off_t at = (off_t)((uintptr_t)page / PAGE_SIZE * sizeof(uint64_t));
		ssize_t got = pread(fd, map, PAGEMAP_CHUNK * sizeof(uint64_t), at);
		size_t have = got > 0 ? (size_t)got : 0;

		/* What could not be read counts as used. */
		memset((uint8_t *)map + have, 0xff, PAGEMAP_CHUNK * sizeof(uint64_t) - have);
	}
	return map[slot] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED);
}

static void ram_save(struct wbuf *w, struct vmm *vmm)
{
	uint64_t nr = vmm->ram_size / PAGE_SIZE, used = 0;
	uint64_t *map = malloc(PAGEMAP_CHUNK * sizeof(uint64_t));
	int fd = map ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
	size_t count_at = w->len;

	put64(w, 0);		/* page count, filled in below */
	for (uint64_t i = 0; i < nr; i++) {
		const uint8_t *page = vmm->ram + i * PAGE_SIZE;

		if (!page_maybe_used(fd, page, map, i) || page_is_zero(page))
			continue;
		put64(w, i);
		put(w, page, PAGE_SIZE);
		used++;
	}
	if (fd >= 0)
		close(fd);
	free(map);
	for (int b = 0; !w->oom && b < 8; b++)
		w->p[count_at + b] = (uint8_t)(used >> (8 * b));
}

static void ram_parse(struct rbuf *r, struct snap *s)
{
	uint64_t nr = s->ram_size / PAGE_SIZE, prev = 0;

	s->nr_pages = get64(r);
	if (s->nr_pages > nr) {
		r->bad = true;
		return;
	}
	s->pages = r->p + r->off;
	/* Strictly increasing indices inside RAM: each page is written once. */
	for (uint64_t i = 0; i < s->nr_pages && !r->bad; i++) {
		uint64_t idx = get64(r);

		if (idx >= nr || (i && idx <= prev))
			r->bad = true;
		prev = idx;
		take(r, PAGE_SIZE);
	}
}

static void ram_apply(struct vmm *vmm, const struct snap *s)
{
	const uint8_t *p = s->pages;

	/* A VM just built: its RAM is fresh anonymous memory, all zero. */
	for (uint64_t i = 0; i < s->nr_pages; i++) {
		uint64_t idx = 0;

		for (int b = 0; b < 8; b++)
			idx |= (uint64_t)p[b] << (8 * b);
		memcpy(vmm->ram + idx * PAGE_SIZE, p + 8, PAGE_SIZE);
		p += 8 + PAGE_SIZE;
	}
}

/* --- whole snapshot --- */

int snapshot_save(struct vmm *vmm, bool at_prompt, void **bufp, size_t *lenp)
{
	struct wbuf w = { 0 };
	void *gic = NULL;
	size_t gic_len = 0;
	uint32_t crc;
	int ret;

	/* Before RAM: it writes the ITS tables and pending tables there. */
	ret = vgic_vm_save_state(vmm->vm, &gic, &gic_len);
	if (ret) {
		fprintf(stderr, "vgic run: saving the GIC state: %s\n", vgic_strerror(ret));
		return ret;
	}
	put(&w, SNAP_MAGIC, 8);
	put32(&w, SNAP_VERSION);
	put32(&w, SNAP_HDR_SIZE);
	put32(&w, vmm->nr_vcpus);
	put32(&w, (vmm->has_its ? SNAP_FLAG_ITS : 0) | (at_prompt ? SNAP_FLAG_AT_PROMPT : 0));
	put64(&w, vmm->ram_size);
	put32(&w, 0);		/* CRC, filled in below */
	put32(&w, 0);
	put64(&w, timer_counter(vmm));
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		vcpu_save(&w, &vmm->vcpus[i]);
	uart_save(&w, vmm);
	put64(&w, gic_len);
	put(&w, gic, gic_len);
	free(gic);
	ram_save(&w, vmm);
	if (w.oom) {
		free(w.p);
		fprintf(stderr, "vgic run: saving the VM: out of memory\n");
		return -ENOMEM;
	}
	crc = crc32_update(0, w.p, w.len);
	for (int i = 0; i < 4; i++)
		w.p[SNAP_HDR_CRC_OFF + i] = (uint8_t)(crc >> (8 * i));
	*bufp = w.p;
	*lenp = w.len;
	return 0;
}

/* Header and CRC; a message on stderr and -EINVAL/-EOPNOTSUPP if refused. */
static int header_parse(struct rbuf *r, struct snap *s)
{
	const uint8_t *magic = take(r, 8);
	uint32_t version, hdr_size, crc, want;
	uint8_t hdr[SNAP_HDR_SIZE];

	version = get32(r);
	hdr_size = get32(r);
	s->nr_vcpus = get32(r);
	s->flags = get32(r);
	s->ram_size = get64(r);
	crc = get32(r);
	get32(r);
	if (r->bad || memcmp(magic, SNAP_MAGIC, 8)) {
		fprintf(stderr, "vgic run: not a vgic VM snapshot (bad magic or truncated header)\n");
		return -EINVAL;
	}
	if (version != SNAP_VERSION) {
		fprintf(stderr, "vgic run: snapshot format version %u, this vgic reads %u\n",
			version, SNAP_VERSION);
		return -EOPNOTSUPP;
	}
	/* The CRC covers the whole file with its own field as zero. */
	memcpy(hdr, r->p, SNAP_HDR_SIZE);
	memset(hdr + SNAP_HDR_CRC_OFF, 0, 4);
	want = crc32_update(0, hdr, SNAP_HDR_SIZE);
	want = crc32_update(want, r->p + SNAP_HDR_SIZE, r->len - SNAP_HDR_SIZE);
	if (want != crc) {
		fprintf(stderr, "vgic run: snapshot is damaged (CRC %08x, expected %08x): "
			"truncated or altered\n", want, crc);
		return -EINVAL;
	}
	if (hdr_size != SNAP_HDR_SIZE || !s->nr_vcpus || s->nr_vcpus > VIRT_MAX_VCPUS ||
	    (s->flags & ~SNAP_FLAGS_KNOWN) || s->ram_size < (16ULL << 20) || s->ram_size > (1ULL << 38) ||
	    (s->ram_size & ((1ULL << 20) - 1))) {
		fprintf(stderr, "vgic run: snapshot describes an impossible machine\n");
		return -EINVAL;
	}
	return 0;
}

int snapshot_parse(const void *buf, size_t len, struct snap **sp)
{
	struct rbuf r = { .p = buf, .len = len };
	struct snap *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = header_parse(&r, s);
	if (ret) {
		free(s);
		return ret;
	}
	s->vcpus = calloc(s->nr_vcpus, sizeof(*s->vcpus));
	if (!s->vcpus) {
		free(s);
		return -ENOMEM;
	}
	s->counter = get64(&r);
	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		vcpu_parse(&r, &s->vcpus[i]);
	uart_parse(&r, &s->uart);
	s->gic_len = get64(&r);
	s->gic = take(&r, s->gic_len);
	ram_parse(&r, s);
	if (r.bad || r.off != r.len) {
		fprintf(stderr, "vgic run: snapshot is inconsistent (a section is out of range "
			"or the file has trailing bytes)\n");
		snapshot_free(s);
		return -EINVAL;
	}
	*sp = s;
	return 0;
}

void snapshot_free(struct snap *s)
{
	if (!s)
		return;
	free(s->vcpus);
	free(s);
}

void snapshot_shape(const struct snap *s, struct vmm_config *cfg)
{
	cfg->nr_vcpus = s->nr_vcpus;
	cfg->ram_mib = s->ram_size >> 20;
	cfg->its = s->flags & SNAP_FLAG_ITS;
	cfg->image = NULL;
}

bool snapshot_at_prompt(const struct snap *s)
{
	return s->flags & SNAP_FLAG_AT_PROMPT;
}

int snapshot_apply(struct vmm *vmm, const struct snap *s)
{
	int ret;

	if (vmm->nr_vcpus != s->nr_vcpus || vmm->ram_size != s->ram_size ||
	    vmm->has_its != !!(s->flags & SNAP_FLAG_ITS)) {
		fprintf(stderr, "vgic run: the snapshot is of another machine shape\n");
		return -EINVAL;
	}
	ram_apply(vmm, s);
	ret = vgic_vm_restore_state(vmm->vm, s->gic, s->gic_len);
	if (ret) {
		fprintf(stderr, "vgic run: restoring the GIC state: %s\n", vgic_strerror(ret));
		return ret;
	}
	timer_set_counter(vmm, s->counter);
	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		vcpu_apply(&vmm->vcpus[i], &s->vcpus[i]);
	pl011_set_state(vmm, &s->uart);
	return 0;
}

int snapshot_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f) {
		fprintf(stderr, "vgic run: cannot create %s: %s\n", path, strerror(errno));
		return -errno;
	}
	ok = fwrite(buf, 1, len, f) == len;
	ok = !fclose(f) && ok;
	if (!ok) {
		fprintf(stderr, "vgic run: writing %s failed\n", path);
		remove(path);
		return -EIO;
	}
	return 0;
}

int snapshot_read_file(const char *path, void **bufp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	struct wbuf w = { 0 };
	uint8_t chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "vgic run: cannot open %s: %s\n", path, strerror(errno));
		return -ENOENT;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(&w, chunk, n);
	if (ferror(f) || w.oom) {
		fclose(f);
		free(w.p);
		fprintf(stderr, "vgic run: reading %s failed\n", path);
		return -EIO;
	}
	fclose(f);
	*bufp = w.p;
	*lenp = w.len;
	return 0;
}
