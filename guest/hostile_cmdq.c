/* SPDX-License-Identifier: MIT */
/*
 * Hostile guest: floods the ITS command queue.  A valid setup first, then
 * the queue filled with random commands, CWRITER moved by random (also
 * unaligned and out-of-range) amounts, and bursts of INT commands for a
 * mapped event, many thousands of times.  The VMM must survive, the ITS must
 * keep processing, and the guest must power off.
 */
#include "its.h"

#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define ROUNDS		20000

static uint64_t seed = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

int main(const void *fdt)
{
	uint64_t cbaser, *q;
	bool ok;

	boot_fdt = fdt;
	print("hostile_cmdq: flooding the ITS command queue\n");
	irq_disable();
	gic_dist_init();
	gic_cpu_init();
	if (!its_present()) {
		skip("survived-cmdq-flood", "no ITS");
		return summary();
	}
	its_init();
	its_cpu_init();
	lpi_config(LPI_BASE, 0xa0, true);
	ok = its_mapc(0, 0) && its_mapd(1, 8) && its_mapti(1, 0, LPI_BASE, 0) && its_sync(0);
	check("its-setup", ok, "");
	cbaser = mmio_read64(GITS_BASE + GITS_CBASER);
	q = (uint64_t *)(cbaser & 0xffffffffff000ULL);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int i = 0; i < 16; i++)
			q[rnd() % 512] = (r & 1) ? rnd() : (ITS_CMD_INT | 1ULL << 32);
		dsb();
		mmio_write64(GITS_BASE + GITS_CWRITER, (r % 7) ? rnd() % 4096 & ~31ULL : rnd());
		if ((r % 1000) == 0) {
			/* Occasionally also reprogram the queue itself. */
			mmio_write64(GITS_BASE + GITS_CBASER, (r % 2000) ? rnd() : cbaser);
			mmio_write64(GITS_BASE + GITS_CBASER, cbaser);
		}
	}
	/* Drain: a fresh queue position and a SYNC must still complete. */
	mmio_write32(GITS_BASE + 0, 0);
	mmio_write64(GITS_BASE + GITS_CBASER, cbaser);
	mmio_write64(GITS_BASE + GITS_CWRITER, 0);
	its_init();
	check("survived-cmdq-flood", its_mapc(0, 0) && its_sync(0), "ITS stuck after the flood");
	return summary();
}
