/* SPDX-License-Identifier: MIT */
/*
 * The ITS register frames as KVM exposes them: 16 DeviceID and EventID bits,
 * 16-bit collection IDs held by the ITS (no HCC), processor numbers as
 * RDbase (PTA = 0), a Device table (BASER0, flat or two-level) and a
 * Collection table (BASER1, flat only), 8-byte entries (save/restore ABI 0).
 * Width and alignment are checked once, in the dispatcher; bad accesses read
 * as zero, are ignored and counted.
 */
#include "its/its.h"

/* Access-size flags equal the size in bytes, so `access & len` checks a width. */
#define A16	2u
#define A32	4u
#define A64	8u

struct its_reg {
	uint32_t offset;
	uint32_t len;
	uint8_t access;		/* allowed access sizes */
	uint64_t (*read)(struct vgic_its *its, uint32_t off, unsigned int len);
	void (*write)(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val);
};

static uint64_t queue_size(uint64_t cbaser)
{
	return (FIELD_GET(GITS_CBASER, SIZE, cbaser) + 1) * ITS_QUEUE_PAGE;
}

static uint64_t read_raz(struct vgic_its *its, uint32_t off, unsigned int len)
{
	(void)its, (void)off, (void)len;
	return 0;
}

static void write_wi(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	(void)its, (void)off, (void)len, (void)val;
}

static uint64_t read_ctlr(struct vgic_its *its, uint32_t off, unsigned int len)
{
	uint64_t v;

	(void)off, (void)len;
	pthread_mutex_lock(&its->lock);
	its_process_queue(its);		/* work left over by the budget */
	v = FIELD_DP(GITS_CTLR, ENABLED, atomic_load(&its->enabled)) |
	    FIELD_DP(GITS_CTLR, QUIESCENT, its->creadr == its->cwriter && !its->stalled);
	pthread_mutex_unlock(&its->lock);
	return v;
}

/*
 * Enabling with an invalid command queue or Device/Collection table is
 * UNPREDICTABLE; like KVM we stay disabled.  Disabling forgets every cached
 * translation: MSIs are refused until the ITS is enabled again.
 */
static void write_ctlr(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	bool en = FIELD_GET(GITS_CTLR, ENABLED, val);

	(void)off, (void)len;
	pthread_mutex_lock(&its->lock);
	if (en && !atomic_load(&its->enabled) &&
	    (!FIELD_GET(GITS_BASER, VALID, its->baser[0]) ||
	     !FIELD_GET(GITS_BASER, VALID, its->baser[1]) ||
	     !FIELD_GET(GITS_CBASER, VALID, its->cbaser))) {
		pthread_mutex_unlock(&its->lock);
		return;
	}
	atomic_store(&its->enabled, en);
	if (!en)
		its_cache_forget_all(its);
	its_process_queue(its);
	pthread_mutex_unlock(&its->lock);
}

static uint64_t read_iidr(struct vgic_its *its, uint32_t off, unsigned int len)
{
	(void)its, (void)off, (void)len;
	return FIELD_DP(GIC_IIDR, PRODUCT, GIC_IIDR_PRODUCT_KVM) |
	       FIELD_DP(GIC_IIDR, REVISION, ITS_ABI_REV) |
	       FIELD_DP(GIC_IIDR, IMPLEMENTER, GIC_IIDR_IMPLEMENTER_ARM);
}

static uint64_t read_typer(struct vgic_its *its, uint32_t off, unsigned int len)
{
	uint64_t v = FIELD_DP(GITS_TYPER, PHYSICAL, 1) |
		     FIELD_DP(GITS_TYPER, ITT_ENTRY_SIZE, ITS_ENTRY_SIZE - 1) |
		     FIELD_DP(GITS_TYPER, IDBITS, ITS_EVENTBITS - 1) |
		     FIELD_DP(GITS_TYPER, DEVBITS, ITS_DEVBITS - 1);

	(void)its;
	return extract_bytes(v, off & 7, len);
}

static uint64_t read_cbaser(struct vgic_its *its, uint32_t off, unsigned int len)
{
	uint64_t v;

	pthread_mutex_lock(&its->lock);
	v = its->cbaser;
	pthread_mutex_unlock(&its->lock);
	return extract_bytes(v, off & 7, len);
}

/* Read-only while enabled; a new queue starts empty (CREADR = CWRITER = 0). */
static void write_cbaser(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	uint64_t v;

	pthread_mutex_lock(&its->lock);
	if (atomic_load(&its->enabled))
		goto out;
	v = deposit_bytes(its->cbaser, off & 7, len, val);
	v = FIELD_SET(GITS_CBASER, SHAREABILITY, v,
		      gic_baser_sanitise_sh(FIELD_GET(GITS_CBASER, SHAREABILITY, v)));
	v = FIELD_SET(GITS_CBASER, INNER_CACHE, v,
		      gic_baser_sanitise_inner(FIELD_GET(GITS_CBASER, INNER_CACHE, v)));
	v = FIELD_SET(GITS_CBASER, OUTER_CACHE, v,
		      gic_baser_sanitise_outer(FIELD_GET(GITS_CBASER, OUTER_CACHE, v)));
	v = FIELD_SET(GITS_CBASER, PA_64K_RES0, v, 0);
	its->cbaser = v & (FIELD_MASK(GITS_CBASER, SIZE) | FIELD_MASK(GITS_CBASER, SHAREABILITY) |
			   FIELD_MASK(GITS_CBASER, PA) | FIELD_MASK(GITS_CBASER, OUTER_CACHE) |
			   FIELD_MASK(GITS_CBASER, INNER_CACHE) | FIELD_MASK(GITS_CBASER, VALID));
	its->creadr = 0;
	its->cwriter = 0;
	its->stalled = false;
out:
	pthread_mutex_unlock(&its->lock);
}

static uint64_t read_cwriter(struct vgic_its *its, uint32_t off, unsigned int len)
{
	uint64_t v;

	pthread_mutex_lock(&its->lock);
	v = its->cwriter;
	pthread_mutex_unlock(&its->lock);
	return extract_bytes(v, off & 7, len);
}

/*
 * The guest announces commands.  Low bits are RES0 (an unaligned value is
 * truncated to a command boundary); an offset past the end of the queue is
 * ignored, as KVM does.  A stalled queue resumes only on a write with Retry.
 */
static void write_cwriter(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	uint64_t v, offset;

	pthread_mutex_lock(&its->lock);
	v = deposit_bytes(its->cwriter, off & 7, len, val);
	if (v & GENMASK(GITS_CWRITER_OFFSET_SHIFT - 1, GITS_CWRITER_RETRY_WIDTH))
		its_count(its, mmio_bad_access);	/* RES0 bits: not a command boundary */
	offset = FIELD_GET(GITS_CWRITER, OFFSET, v) << GITS_CWRITER_OFFSET_SHIFT;
	if (offset >= queue_size(its->cbaser)) {
		its_count(its, mmio_bad_access);
		goto out;
	}
	its->cwriter = offset;
	if (its->stalled && !FIELD_GET(GITS_CWRITER, RETRY, v))
		goto out;
	its->stalled = false;
	its_process_queue(its);
out:
	pthread_mutex_unlock(&its->lock);
}

static uint64_t read_creadr(struct vgic_its *its, uint32_t off, unsigned int len)
{
	uint64_t v;

	pthread_mutex_lock(&its->lock);
	its_process_queue(its);		/* a guest polling for completion makes progress */
	v = its->creadr | FIELD_DP(GITS_CREADR, STALLED, its->stalled);
	pthread_mutex_unlock(&its->lock);
	return extract_bytes(v, off & 7, len);
}

static int baser_index(uint32_t off)
{
	int idx = (int)((off - GITS_BASER) / 8);

	return idx < 2 ? idx : -1;
}

static uint64_t read_baser(struct vgic_its *its, uint32_t off, unsigned int len)
{
	int idx = baser_index(off);
	uint64_t v = 0;

	if (idx < 0)
		return 0;
	pthread_mutex_lock(&its->lock);
	v = its->baser[idx];
	pthread_mutex_unlock(&its->lock);
	return extract_bytes(v, off & 7, len);
}

/*
 * Type and Entry_Size are read-only; the Collection table cannot be
 * two-level (KVM); the reserved page size encoding reads back as 64 KiB.
 * Clearing Valid drops every mapping the table held, as KVM does.
 */
static uint64_t sanitise_baser(int idx, uint64_t v)
{
	v &= ~(FIELD_MASK(GITS_BASER, ENTRY_SIZE) | FIELD_MASK(GITS_BASER, TYPE));
	if (idx == 1)
		v = FIELD_SET(GITS_BASER, INDIRECT, v, 0);
	v |= FIELD_DP(GITS_BASER, ENTRY_SIZE, ITS_ENTRY_SIZE - 1) |
	     FIELD_DP(GITS_BASER, TYPE, idx ? GITS_BASER_TYPE_COLLECTION : GITS_BASER_TYPE_DEVICE);
	v = FIELD_SET(GITS_BASER, SHAREABILITY, v,
		      gic_baser_sanitise_sh(FIELD_GET(GITS_BASER, SHAREABILITY, v)));
	v = FIELD_SET(GITS_BASER, INNER_CACHE, v,
		      gic_baser_sanitise_inner(FIELD_GET(GITS_BASER, INNER_CACHE, v)));
	v = FIELD_SET(GITS_BASER, OUTER_CACHE, v,
		      gic_baser_sanitise_outer(FIELD_GET(GITS_BASER, OUTER_CACHE, v)));
	if (FIELD_GET(GITS_BASER, PAGE_SIZE, v) > GITS_BASER_PAGE_64K)
		v = FIELD_SET(GITS_BASER, PAGE_SIZE, v, GITS_BASER_PAGE_64K);
	return v;
}

static void write_baser(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	int idx = baser_index(off);

	if (idx < 0)
		return;
	pthread_mutex_lock(&its->lock);
	if (!atomic_load(&its->enabled)) {
		its->baser[idx] = sanitise_baser(idx, deposit_bytes(its->baser[idx], off & 7, len, val));
		if (!FIELD_GET(GITS_BASER, VALID, its->baser[idx]))
			its_free_mappings(its, idx == 0, idx != 0);
	}
	pthread_mutex_unlock(&its->lock);
}

/* Identification registers: KVM's part number, a 64 KiB frame, ArchRev 3. */
static uint64_t read_idregs(struct vgic_its *its, uint32_t off, unsigned int len)
{
	static const struct { uint32_t off; uint8_t val; } ids[] = {
		{ GITS_PIDR4, 0x40 }, { GITS_PIDR0, 0x92 }, { GITS_PIDR1, 0xb4 },
		{ GITS_PIDR2, GIC_PIDR2_GICV3 }, { GITS_CIDR0, 0x0d }, { GITS_CIDR1, 0xf0 },
		{ GITS_CIDR2, 0x05 }, { GITS_CIDR3, 0xb1 },
	};

	(void)its, (void)len;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (ids[i].off == off)
			return ids[i].val;
	return 0;
}

/*
 * A vCPU writing GITS_TRANSLATER carries no device identity; like QEMU for
 * requester-less writes, it is translated as DeviceID 0.
 */
static void write_translater(struct vgic_its *its, uint32_t off, unsigned int len, uint64_t val)
{
	(void)off;
	its_translate(its, 0, (uint32_t)extract_bytes(val, 0, len), false);
}

static const struct its_reg its_regs[] = {
	{ GITS_CTLR, 4, A32, read_ctlr, write_ctlr },
	{ GITS_IIDR, 4, A32, read_iidr, write_wi },
	{ GITS_TYPER, 8, A32 | A64, read_typer, write_wi },
	{ GITS_CBASER, 8, A32 | A64, read_cbaser, write_cbaser },
	{ GITS_CWRITER, 8, A32 | A64, read_cwriter, write_cwriter },
	{ GITS_CREADR, 8, A32 | A64, read_creadr, write_wi },
	{ GITS_BASER, 8 * GITS_NR_BASER, A32 | A64, read_baser, write_baser },
	{ GITS_IDREGS, 0x30, A32, read_idregs, write_wi },
	/* Write-only: reads are RAZ.  16- and 32-bit writes, as the spec allows. */
	{ GITS_TRANSLATER, 4, A16 | A32, read_raz, write_translater },
};

static const struct its_reg *reg_find(uint64_t off, unsigned int len)
{
	for (size_t i = 0; i < ARRAY_SIZE(its_regs); i++) {
		const struct its_reg *r = &its_regs[i];

		/* Sub-word accesses (16-bit TRANSLATER) only at the register itself. */
		if (off >= r->offset && off < r->offset + r->len)
			return ((r->access & len) && ALIGNED(off, len) &&
				off + len <= r->offset + r->len &&
				(len >= 4 || off == r->offset)) ? r : NULL;
	}
	return NULL;
}

uint64_t its_mmio_read(struct vgic_its *its, uint64_t off, unsigned int len)
{
	const struct its_reg *r = reg_find(off, len);

	if (!r) {
		its_count(its, mmio_bad_access);
		return 0;
	}
	return r->read(its, (uint32_t)off, len);
}

void its_mmio_write(struct vgic_its *its, uint64_t off, unsigned int len, uint64_t val)
{
	const struct its_reg *r = reg_find(off, len);

	if (!r) {
		its_count(its, mmio_bad_access);
		return;
	}
	r->write(its, (uint32_t)off, len, val);
}
