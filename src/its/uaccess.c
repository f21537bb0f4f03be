/* SPDX-License-Identifier: MIT */
/*
 * The ITS registers as the VMM reads and restores them
 * (KVM_DEV_ARM_VGIC_GRP_ITS_REGS), and KVM_DEV_ARM_ITS_CTRL_RESET.  Reads go
 * through the guest's handlers; writes differ where KVM's do: GITS_IIDR
 * selects the table ABI, CWRITER and CREADR set the queue offsets without
 * running commands (GITS_CTLR, restored last, does that).
 */
#include <errno.h>

#include "its/its.h"

static uint64_t queue_size(uint64_t cbaser)
{
	return (FIELD_GET(GITS_CBASER, SIZE, cbaser) + 1) * ITS_QUEUE_PAGE;
}

static int uw_mmio(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_wi(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_iidr(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_cwriter(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_creadr(struct vgic_its *its, uint32_t off, uint64_t val);

struct its_ureg {
	uint32_t offset;
	uint32_t len;		/* bytes the register (array) covers */
	uint8_t width;		/* the one access size the ABI allows */
	int (*write)(struct vgic_its *its, uint32_t off, uint64_t val);
};

/* 64-bit registers take 64-bit accesses only, the rest 32-bit (KVM's ABI). */
static const struct its_ureg its_uregs[] = {
	{ GITS_CTLR, 4, 4, uw_mmio },
	{ GITS_IIDR, 4, 4, uw_iidr },
	{ GITS_TYPER, 8, 8, uw_wi },
	{ GITS_CBASER, 8, 8, uw_mmio },
	{ GITS_CWRITER, 8, 8, uw_cwriter },
	{ GITS_CREADR, 8, 8, uw_creadr },
	{ GITS_BASER, 8 * GITS_NR_BASER, 8, uw_mmio },
	{ GITS_IDREGS, 0x30, 4, uw_wi },
};

static int uw_mmio(struct vgic_its *its, uint32_t off, uint64_t val)
{
	its_mmio_write(its, off, off == GITS_CTLR ? 4 : 8, val);
	return 0;
}

static int uw_wi(struct vgic_its *its, uint32_t off, uint64_t val)
{
	(void)its, (void)off, (void)val;
	return 0;
}

/* The revision picks the table ABI; the other fields are not checked (KVM). */
static int uw_iidr(struct vgic_its *its, uint32_t off, uint64_t val)
{
	(void)its, (void)off;
	return FIELD_GET(GIC_IIDR, REVISION, val) == ITS_ABI_REV ? 0 : -EINVAL;
}

/* Restored without running commands: GITS_CTLR, restored last, does that. */
static int uw_cwriter(struct vgic_its *its, uint32_t off, uint64_t val)
{
	uint64_t offset = FIELD_GET(GITS_CWRITER, OFFSET, val) << GITS_CWRITER_OFFSET_SHIFT;
	int ret = 0;

	(void)off;
	pthread_mutex_lock(&its->lock);
	if (offset >= queue_size(its->cbaser))
		ret = -EINVAL;
	else
		its->cwriter = offset;
	pthread_mutex_unlock(&its->lock);
	return ret;
}

static int uw_creadr(struct vgic_its *its, uint32_t off, uint64_t val)
{
	uint64_t offset = FIELD_GET(GITS_CREADR, OFFSET, val) << GITS_CREADR_OFFSET_SHIFT;
	int ret = 0;

	(void)off;
	pthread_mutex_lock(&its->lock);
	if (atomic_load(&its->enabled))
		ret = -EBUSY;
	else if (offset >= queue_size(its->cbaser))
		ret = -EINVAL;
	else
		its->creadr = offset;
	pthread_mutex_unlock(&its->lock);
	return ret;
}

static const struct its_ureg *ureg_find(uint32_t off)
{
	for (size_t i = 0; i < ARRAY_SIZE(its_uregs); i++)
		if (off >= its_uregs[i].offset && off < its_uregs[i].offset + its_uregs[i].len)
			return &its_uregs[i];
	return NULL;
}

int its_uaccess_check(uint32_t off)
{
	const struct its_ureg *r = ureg_find(off);

	if (!r)
		return -ENXIO;
	return ALIGNED(off, r->width) ? 0 : -EINVAL;
}

int its_uaccess(struct vgic_its *its, uint32_t off, bool is_write, uint64_t *val)
{
	const struct its_ureg *r = ureg_find(off);
	int ret = its_uaccess_check(off);

	if (ret)
		return ret;
	if (is_write)
		return r->write(its, off, *val);
	*val = its_mmio_read(its, off, r->width);
	return 0;
}

/* KVM_DEV_ARM_ITS_CTRL_RESET: tables invalid (their ABI fields kept), queue and mappings gone. */
void its_reset(struct vgic_its *its)
{
	pthread_mutex_lock(&its->lock);
	atomic_store(&its->enabled, false);
	its->baser[0] = FIELD_SET(GITS_BASER, VALID, its->baser[0], 0);
	its->baser[1] = FIELD_SET(GITS_BASER, VALID, its->baser[1], 0);
	its->cbaser = 0;
	its->creadr = 0;
	its->cwriter = 0;
	its->stalled = false;
	its_free_mappings(its, true, true);
	pthread_mutex_unlock(&its->lock);
}
