/* SPDX-License-Identifier: MIT */
/*
 * The MMIO path.  Every access in a device region goes to the library first
 * (GIC, ITS, ioeventfd: KVM's io-bus), then to the VMM's devices -- the
 * "exit to userspace" of a real VMM, here a function call.  Accesses no one
 * claims inside a mapped region read as zero and are counted; addresses
 * outside every region are unmapped and abort (exc.c).
 *
 * Unicorn splits 64-bit accesses to MMIO into two 32-bit halves (low first),
 * which the GICv3 architecture allows for its 64-bit registers.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/bits.h"
#include "vmm/vmm.h"

struct mmio_region {
	uint64_t base, size;
};

struct mmio_ctx {
	struct vcpu *v;
	uint64_t base;
};

static const struct mmio_region regions[] = {
	{ VIRT_GIC_DIST, VIRT_GIC_DIST_SIZE },
	{ VIRT_GIC_ITS, VIRT_GIC_ITS_SIZE },
	{ VIRT_GIC_REDIST, VIRT_GIC_REDIST_SIZE },
	{ VIRT_UART, VIRT_UART_SIZE },
	{ VIRT_MMIO, VIRT_MMIO_SLOT_SIZE * VIRT_MMIO_SLOTS },
	{ VIRT_TESTDEV, VIRT_TESTDEV_SIZE },
};

static struct mmio_dev *dev_find(struct vmm *vmm, uint64_t gpa)
{
	for (unsigned int i = 0; i < vmm->nr_devs; i++)
		if (gpa - vmm->devs[i].base < vmm->devs[i].size)
			return &vmm->devs[i];
	return NULL;
}

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned int len, void *opaque)
{
	struct mmio_ctx *c = opaque;
	struct vmm *vmm = c->v->vmm;
	uint64_t gpa = c->base + off, val = 0;
	struct mmio_dev *dev;

	(void)uc;
	vmm->stats.mmio_exits++;
	if (vgic_mmio_read(vmm->vm, c->v->idx, gpa, len, &val) == VGIC_MMIO_HANDLED)
		return val;
	dev = dev_find(vmm, gpa);
	if (dev)
		return dev->read(dev->opaque, c->v, gpa - dev->base, len);
	vmm->stats.unclaimed_mmio++;
	return 0;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned int len, uint64_t val, void *opaque)
{
	struct mmio_ctx *c = opaque;
	struct vmm *vmm = c->v->vmm;
	uint64_t gpa = c->base + off;
	struct mmio_dev *dev;

	(void)uc;
	vmm->stats.mmio_exits++;
	if (vgic_mmio_write(vmm->vm, c->v->idx, gpa, len, val) == VGIC_MMIO_HANDLED)
		return;
	dev = dev_find(vmm, gpa);
	if (dev) {
		dev->write(dev->opaque, c->v, gpa - dev->base, len, val);
		return;
	}
	vmm->stats.unclaimed_mmio++;
}

int mmio_map(struct vcpu *v)
{
	struct mmio_ctx *ctx = calloc(ARRAY_SIZE(regions), sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	v->mmio_ctx = ctx;
	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		ctx[i] = (struct mmio_ctx){ .v = v, .base = regions[i].base };
		if (uc_mmio_map(v->uc, regions[i].base, regions[i].size, mmio_read, &ctx[i],
				mmio_write, &ctx[i]))
			return -ENOMEM;
	}
	return 0;
}

void mmio_unmap(struct vcpu *v)
{
	free(v->mmio_ctx);
	v->mmio_ctx = NULL;
}
