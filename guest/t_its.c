/* SPDX-License-Identifier: MIT */
/*
 * LPIs through the ITS, using only virt features (run on QEMU too): every
 * ITS command (MAPD, MAPC, MAPTI, MAPI, INT, CLEAR, DISCARD, INV, INVALL,
 * MOVI, MOVALL, SYNC) and guest writes to GITS_TRANSLATER (DeviceID 0).
 * Needs 2 vCPUs.
 *
 * Built twice: t_its (compared with QEMU) stops after INV; t_its_more
 * (ITS_MORE) adds INVALL, MOVI, MOVALL and DISCARD, which run on vgic only:
 * QEMU 7.2 (Debian 12) does not get through them -- it hangs in the INVALL
 * check or, with other timing, keeps re-signalling the moved LPI on vCPU 1
 * thousands of times after one INT.  The architecture makes an LPI
 * edge-triggered: one INT, one interrupt, which is what vgic delivers.
 */
#include "its.h"

#define WAIT_US		200000
#define DEV_CPU		0	/* TRANSLATER writes from a CPU carry DeviceID 0 */
#define DEV		1
#define LPI_A		(LPI_BASE + 0)
#define LPI_B		(LPI_BASE + 8)
#define LPI_MAPI	(LPI_BASE + 3)	/* MAPI: the EventID is the LPI */

static volatile bool online;

void secondary_main(unsigned int idx)
{
	(void)idx;
	its_secondary_loop(&online);
}

static void checks(void)
{
	bool ok;

	ok = its_mapc(0, 0) && its_mapc(1, 1) && its_mapd(DEV_CPU, 8) && its_mapd(DEV, 14) &&
	     its_sync(0);
	check("its-map-device-collection", ok, "command queue stalled");

	lpi_config(LPI_A, 0xa0, true);
	lpi_config(LPI_B, 0xa0, true);
	lpi_config(LPI_MAPI, 0xa0, true);
	ok = its_mapti(DEV_CPU, 0, LPI_A, 0) && its_dev_cmd(ITS_CMD_INV, DEV_CPU, 0) && its_sync(0);
	irq_log_reset();
	mmio_write32(GITS_BASE + GITS_TRANSLATER, 0);
	check("lpi-translater", ok && irq_log_once(0, LPI_A, WAIT_US), "n=%u", irq_logs[0].n);

	ok = its_mapti(DEV, 5, LPI_B, 0) && its_dev_cmd(ITS_CMD_INV, DEV, 5);
	irq_log_reset();
	ok = ok && its_dev_cmd(ITS_CMD_INT, DEV, 5);
	check("lpi-mapti-int", ok && irq_log_once(0, LPI_B, WAIT_US), "n=%u", irq_logs[0].n);

	irq_log_reset();
	ok = its_mapi(DEV, LPI_MAPI, 0) && its_dev_cmd(ITS_CMD_INV, DEV, LPI_MAPI) &&
	     its_dev_cmd(ITS_CMD_INT, DEV, LPI_MAPI);
	check("lpi-mapi", ok && irq_log_once(0, LPI_MAPI, WAIT_US), "n=%u", irq_logs[0].n);

	/* CLEAR takes back a pending LPI before the CPU could take it. */
	irq_log_reset();
	irq_disable();
	ok = its_dev_cmd(ITS_CMD_INT, DEV, 5) && its_dev_cmd(ITS_CMD_CLEAR, DEV, 5) && its_sync(0);
	irq_enable();
	check("lpi-clear", ok && irq_log_none(0), "n=%u", irq_logs[0].n);

	/* A disabled LPI stays pending; INV makes the new enable visible. */
	irq_log_reset();
	lpi_config(LPI_B, 0xa0, false);
	ok = its_dev_cmd(ITS_CMD_INV, DEV, 5) && its_dev_cmd(ITS_CMD_INT, DEV, 5) && its_sync(0);
	ok = ok && irq_log_none(0);
	lpi_config(LPI_B, 0xa0, true);
	ok = ok && its_dev_cmd(ITS_CMD_INV, DEV, 5);
	check("lpi-inv", ok && irq_log_once(0, LPI_B, WAIT_US), "n=%u", irq_logs[0].n);

#ifdef ITS_MORE
	irq_log_reset();
	lpi_config(LPI_B, 0xa0, false);
	ok = its_invall(0) && its_dev_cmd(ITS_CMD_INT, DEV, 5) && its_sync(0) && irq_log_none(0);
	lpi_config(LPI_B, 0xa0, true);
	ok = ok && its_invall(0);
	check("lpi-invall", ok && irq_log_once(0, LPI_B, WAIT_US), "n=%u", irq_logs[0].n);

	irq_log_reset();
	ok = its_movi(DEV, 5, 1) && its_dev_cmd(ITS_CMD_INT, DEV, 5);
	check("lpi-movi", ok && irq_log_once(1, LPI_B, WAIT_US) && irq_logs[0].n == 0, "n=%u/%u", irq_logs[0].n,
	      irq_logs[1].n);

	/* MOVALL: an LPI pending at CPU 0 (masked by PMR) moves to CPU 1. */
	irq_log_reset();
	sysreg_write(S3_0_C4_C6_0, 0);	/* ICC_PMR_EL1: mask everything */
	isb();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_CPU, 0) && its_sync(0) && irq_log_none(0);
	ok = ok && its_mapc(0, 1) && its_movall(0, 1);
	sysreg_write(S3_0_C4_C6_0, 0xff);
	isb();
	check("lpi-movall", ok && irq_log_once(1, LPI_A, WAIT_US) && irq_logs[0].n == 0, "n=%u/%u", irq_logs[0].n,
	      irq_logs[1].n);
	its_mapc(0, 0);

	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_DISCARD, DEV, 5) && its_dev_cmd(ITS_CMD_INT, DEV, 5) && its_sync(1);
	check("lpi-discard", ok && irq_log_none(0) && irq_log_none(1), "n=%u/%u", irq_logs[0].n, irq_logs[1].n);
#endif
}

int main(const void *fdt)
{
	boot_fdt = fdt;
	print("t_its: LPIs through the ITS\n");
	if (!its_guest_start(&online, WAIT_US))
		return summary();
	checks();
	return summary();
}
