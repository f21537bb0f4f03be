/* SPDX-License-Identifier: MIT */
/*
 * The vgic test device, in the platform-bus hole of the virt map (virt.h):
 * lets a guest ask the host to drive an interrupt input, so that the guest
 * suite can check host-raised SPIs and PPIs.  Listed in the device tree as
 * "vgic,testdev"; QEMU has no such device, so guests skip those checks there.
 *
 *   0x00 ID          RO  "VGTD"
 *   0x04 SPI_SET     WO  INTID: raise the SPI's line (vgic_irq_line)
 *   0x08 SPI_CLEAR   WO  INTID: lower it
 *   0x0c SPI_PULSE   WO  INTID: raise then lower (an edge)
 *   0x10 PPI_SET     WO  vCPU << 16 | INTID
 *   0x14 PPI_CLEAR   WO  vCPU << 16 | INTID
 *   0x18 LAST_ERR    RO  result of the last request (0 or a negative errno)
 *   0x1c SPI_IRQFD   WO  INTID: the backend raises the SPI through an irqfd
 *   0x20 MSI_DEVID   WO  DeviceID of the backend's MSIs
 *   0x24 MSI_COUNT   WO  number of MSI round trips to run
 *   0x28 MSI_START   WO  EventID: start the round trips (backend.c)
 *   0x2c MSI_DONE    RO  round trips completed
 *   0x30 DOORBELL    WO  the guest's acknowledgement: an ioeventfd, consumed
 *                        by the library's MMIO bus (never reaches this file)
 */
#include <errno.h>
#include <stdlib.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define TESTDEV_ID		0x00
#define TESTDEV_SPI_SET		0x04
#define TESTDEV_SPI_CLEAR	0x08
#define TESTDEV_SPI_PULSE	0x0c
#define TESTDEV_PPI_SET		0x10
#define TESTDEV_PPI_CLEAR	0x14
#define TESTDEV_LAST_ERR	0x18
#define TESTDEV_SPI_IRQFD	0x1c
#define TESTDEV_MSI_DEVID	0x20
#define TESTDEV_MSI_COUNT	0x24
#define TESTDEV_MSI_START	0x28
#define TESTDEV_MSI_DONE	0x2c

#define TESTDEV_MAGIC		0x56475444u	/* "VGTD" */

FIELD(TESTDEV_PPI, INTID, 0, 16);
FIELD(TESTDEV_PPI, VCPU, 16, 16);

struct testdev {
	struct vmm *vmm;
	int last_err;
	uint32_t msi_devid, msi_count;
};

static int spi_line(struct testdev *t, uint64_t intid, bool level)
{
	return vgic_irq_line(t->vmm->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, intid), level);
}

static int ppi_line(struct testdev *t, uint64_t val, bool level)
{
	return vgic_irq_line(t->vmm->vm,
			     vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, FIELD_GET(TESTDEV_PPI, VCPU, val),
						FIELD_GET(TESTDEV_PPI, INTID, val)), level);
}

static uint64_t testdev_read(void *opaque, struct vcpu *v, uint64_t off, unsigned int len)
{
	struct testdev *t = opaque;

	(void)v, (void)len;
	if (off == TESTDEV_ID)
		return TESTDEV_MAGIC;
	if (off == TESTDEV_LAST_ERR)
		return (uint32_t)t->last_err;
	if (off == TESTDEV_MSI_DONE)
		return backend_done(t->vmm);
	return 0;
}

static void testdev_write(void *opaque, struct vcpu *v, uint64_t off, unsigned int len,
			  uint64_t val)
{
	struct testdev *t = opaque;
	int ret;

	(void)v, (void)len;
	switch (off) {
	case TESTDEV_SPI_SET:	ret = spi_line(t, val, true); break;
	case TESTDEV_SPI_CLEAR:	ret = spi_line(t, val, false); break;
	case TESTDEV_SPI_PULSE:
		ret = spi_line(t, val, true);
		if (!ret)
			ret = spi_line(t, val, false);
		break;
	case TESTDEV_PPI_SET:	ret = ppi_line(t, val, true); break;
	case TESTDEV_PPI_CLEAR:	ret = ppi_line(t, val, false); break;
	case TESTDEV_SPI_IRQFD:	ret = backend_raise_spi(t->vmm, val); break;
	case TESTDEV_MSI_DEVID:	t->msi_devid = val; ret = 0; break;
	case TESTDEV_MSI_COUNT:	t->msi_count = val; ret = 0; break;
	case TESTDEV_MSI_START:
		ret = backend_start(t->vmm, t->msi_devid, val, t->msi_count);
		break;
	default:		ret = -EINVAL; break;
	}
	t->last_err = ret;
}

int testdev_create(struct vmm *vmm, struct mmio_dev *dev)
{
	struct testdev *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->vmm = vmm;
	vmm->testdev = t;
	*dev = (struct mmio_dev){ .base = VIRT_TESTDEV, .size = VIRT_TESTDEV_SIZE, .opaque = t,
				  .read = testdev_read, .write = testdev_write };
	return 0;
}

void testdev_destroy(struct vmm *vmm)
{
	free(vmm->testdev);
	vmm->testdev = NULL;
}
