/* SPDX-License-Identifier: MIT */
/*
 * The guest machine's memory map: the parts of QEMU's `virt` board that this
 * VMM models, at the same addresses, so images built for it run unchanged.
 *
 *   0x0800_0000  GICv3 distributor         64 KiB
 *   0x0808_0000  GICv3 ITS                128 KiB (control + translation frames)
 *   0x080a_0000  GICv3 redistributors      0xf6_0000 (128 KiB per vCPU, <= 123)
 *   0x0900_0000  PL011 UART                 4 KiB, SPI 1 (INTID 33)
 *   0x0a00_0000  32 virtio-mmio slots       0x200 each, SPIs 16..47
 *   0x0c00_0000  vgic test device           4 KiB, in virt's platform-bus hole:
 *                                           lets a guest ask the host to raise
 *                                           interrupts (not present on QEMU)
 *   0x4000_0000  RAM; flat images load at RAM + 0x8_0000
 */
#ifndef VGIC_VMM_VIRT_H
#define VGIC_VMM_VIRT_H

#define VIRT_GIC_DIST		0x08000000ULL
#define VIRT_GIC_DIST_SIZE	0x10000ULL
#define VIRT_GIC_ITS		0x08080000ULL
#define VIRT_GIC_ITS_SIZE	0x20000ULL
#define VIRT_GIC_REDIST		0x080a0000ULL
#define VIRT_GIC_REDIST_SIZE	0xf60000ULL
#define VIRT_MAX_VCPUS		(VIRT_GIC_REDIST_SIZE / 0x20000)
#define VIRT_UART		0x09000000ULL
#define VIRT_UART_SIZE		0x1000ULL
#define VIRT_UART_SPI		1
#define VIRT_MMIO		0x0a000000ULL
#define VIRT_MMIO_SLOT_SIZE	0x200ULL
#define VIRT_MMIO_SLOTS		32
#define VIRT_MMIO_SPI		16
#define VIRT_TESTDEV		0x0c000000ULL
#define VIRT_TESTDEV_SIZE	0x1000ULL
#define VIRT_RAM		0x40000000ULL
#define VIRT_IMAGE_OFFSET	0x80000ULL

#define VIRT_NR_IRQS		288	/* 32 private + 256 SPIs, as on virt */

/* Interrupt numbers as guests see them. */
#define VIRT_SPI_INTID(spi)	(32 + (spi))
#define VIRT_PPI_VTIMER		27
#define VIRT_PPI_PTIMER		30
#define VIRT_PPI_HTIMER		26
#define VIRT_PPI_STIMER		29

#endif
