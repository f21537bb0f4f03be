/* SPDX-License-Identifier: MIT */
/*
 * The 32 virtio-mmio transport slots of QEMU's virt, all empty: each reads
 * the transport's magic and version with device ID 0 ("no device here"),
 * which drivers treat as an absent device.  Writes are ignored.
 */
#include "vmm/vmm.h"

#define VIRTIO_MMIO_MAGIC_VALUE	0x000
#define VIRTIO_MMIO_VERSION	0x004
#define VIRTIO_MMIO_DEVICE_ID	0x008
#define VIRTIO_MMIO_VENDOR_ID	0x00c

#define VIRTIO_MAGIC		0x74726976u	/* "virt" */
#define VIRTIO_MMIO_V2		2
#define VIRTIO_VENDOR_VGIC	0x43494756u	/* "VGIC" */

static uint64_t slot_read(void *opaque, struct vcpu *v, uint64_t off, unsigned int len)
{
	(void)opaque, (void)v;
	if (len != 4)
		return 0;
	switch (off % VIRT_MMIO_SLOT_SIZE) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_V2;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_VENDOR_VGIC;
	default:
		return 0;	/* DEVICE_ID 0: empty slot */
	}
}

static void slot_write(void *opaque, struct vcpu *v, uint64_t off, unsigned int len, uint64_t val)
{
	(void)opaque, (void)v, (void)off, (void)len, (void)val;
}

void virtio_mmio_dev(struct vmm *vmm, struct mmio_dev *dev)
{
	*dev = (struct mmio_dev){
		.base = VIRT_MMIO, .size = VIRT_MMIO_SLOT_SIZE * VIRT_MMIO_SLOTS,
		.opaque = vmm, .read = slot_read, .write = slot_write,
	};
}
