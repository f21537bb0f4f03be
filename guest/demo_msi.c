/* SPDX-License-Identifier: MIT */
/*
 * The demo: a driver for vgic's test-device backend.  The host backend
 * raises MSIs through an irqfd routed to the ITS with DeviceID 2; this
 * driver maps that device's event 0 to an LPI, takes each interrupt and
 * acknowledges it by writing the doorbell (an ioeventfd on the host), which
 * lets the backend send the next one.  `vgic run` prints the backend's
 * figures (count, rate, latency p50/p99) when the guest powers off.
 */
#include "its.h"

#define TESTDEV		0x0c000000UL
#define TD_MSI_DEVID	0x20
#define TD_MSI_COUNT	0x24
#define TD_MSI_START	0x28
#define TD_MSI_DONE	0x2c
#define TD_DOORBELL	0x30
#define DEVID		2
#define EVENT		0
#define LPI		(LPI_BASE + 42)
#define ROUND_TRIPS	20000
#define TIMEOUT_US	60000000

static volatile uint32_t acked;

static void on_msi(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	gic_eoi(id);
	if (id == LPI)
		mmio_write32(TESTDEV + TD_DOORBELL, ++acked);
}

int main(const void *fdt)
{
	bool ok;

	boot_fdt = fdt;
	print("demo_msi: MSIs from a host backend through irqfd and the ITS\n");
	if (!fdt_has_compatible(fdt, "vgic,testdev") || !its_present()) {
		skip("msi-demo", "needs vgic's test device and an ITS");
		return summary();
	}
	gic_dist_init();
	gic_cpu_init();
	its_init();
	its_cpu_init();
	lpi_config(LPI, 0xa0, true);
	ok = its_mapc(0, 0) && its_mapd(DEVID, 8) && its_mapti(DEVID, EVENT, LPI, 0) &&
	     its_dev_cmd(ITS_CMD_INV, DEVID, EVENT) && its_sync(0);
	check("msi-demo-setup", ok, "ITS command queue stalled");
	irq_hook = on_msi;
	irq_enable();
	mmio_write32(TESTDEV + TD_MSI_DEVID, DEVID);
	mmio_write32(TESTDEV + TD_MSI_COUNT, ROUND_TRIPS);
	mmio_write32(TESTDEV + TD_MSI_START, EVENT);
	{
		uint64_t end = counter() + (uint64_t)TIMEOUT_US * (sysreg_read(cntfrq_el0) / 1000000);

		while (acked < ROUND_TRIPS && counter() < end)
			wfi();
	}
	wait_until(mmio_read32(TESTDEV + TD_MSI_DONE) == ROUND_TRIPS, 100000);
	check("msi-demo", acked == ROUND_TRIPS && mmio_read32(TESTDEV + TD_MSI_DONE) == ROUND_TRIPS,
	      "acknowledged %u, backend saw %u of %u", acked, mmio_read32(TESTDEV + TD_MSI_DONE),
	      ROUND_TRIPS);
	return summary();
}
