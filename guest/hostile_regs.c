/* SPDX-License-Identifier: MIT */
/*
 * Hostile guest: writes pseudo-random garbage, at every width the bus
 * allows, to every register offset of the distributor, of each vCPU's
 * redistributor frames and of the ITS, reading each back, with IRQs masked.
 * The VMM must survive and let the guest power off.
 */
#include "gic.h"

#define ITS_SIZE	0x20000UL
#define DIST_SIZE	0x10000UL

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void garble(uint64_t base, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += 4) {
		(void)mmio_read32(base + off);
		mmio_write32(base + off, (uint32_t)rnd());
		if (!(off & 7)) {
			(void)mmio_read64(base + off);
			mmio_write64(base + off, rnd());
		}
		*(volatile uint8_t *)(base + off + 1) = (uint8_t)rnd();
		*(volatile uint16_t *)(base + off + 2) = (uint16_t)rnd();
	}
}

int main(const void *fdt)
{
	unsigned int frames = 0;

	boot_fdt = fdt;
	print("hostile_regs: garbage to every GIC and ITS register\n");
	irq_disable();
	for (int pass = 0; pass < 2; pass++) {
		garble(GICD_BASE, DIST_SIZE);
		for (uint64_t rd = GICR_BASE;; rd += GICR_STRIDE) {
			bool last = mmio_read64(rd + GICR_TYPER) & GICR_TYPER_LAST;

			garble(rd, GICR_STRIDE);
			frames++;
			if (last || frames > 64)
				break;
		}
		garble(GITS_BASE, ITS_SIZE);
		/* Garbage into the CPU interface too. */
		sysreg_write(S3_0_C4_C6_0, rnd());
		sysreg_write(S3_0_C12_C12_4, rnd());
		sysreg_write(S3_0_C12_C12_7, rnd());
		sysreg_write(S3_0_C12_C11_5, rnd());
		sysreg_write(S3_0_C12_C12_1, rnd());
		sysreg_write(S3_0_C12_C11_1, rnd());
		(void)sysreg_read(S3_0_C12_C12_0);
	}
	check("survived-garbage", true, "");
	return summary();
}
