/* SPDX-License-Identifier: MIT */
/*
 * Host-raised interrupts through vgic's test device (vgic only: QEMU has no
 * such device, so the checks are skipped there): SPIs and PPIs driven by the
 * host through the IRQ line, level and edge; an SPI through an irqfd; and a
 * virtio-like round trip -- the host backend sends an MSI through an irqfd
 * routed to the ITS, the guest answers on a doorbell that is an ioeventfd.
 */
#include "its.h"

#define TESTDEV		0x0c000000UL
#define TD_SPI_SET	0x04
#define TD_SPI_CLEAR	0x08
#define TD_SPI_PULSE	0x0c
#define TD_PPI_SET	0x10
#define TD_PPI_CLEAR	0x14
#define TD_SPI_IRQFD	0x1c
#define TD_MSI_DEVID	0x20
#define TD_MSI_COUNT	0x24
#define TD_MSI_START	0x28
#define TD_MSI_DONE	0x2c
#define TD_DOORBELL	0x30
#define WAIT_US		200000
#define MSI_DEV		3
#define MSI_LPI		(LPI_BASE + 77)
#define MSI_ROUND_TRIPS	100

static volatile unsigned int level_hits;

/* A level SPI handler that lowers the line at the device before EOI. */
static void level_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	if (irq_logs[0].n < 32)
		irq_logs[0].ids[irq_logs[0].n] = id;
	irq_logs[0].n++;
	if (id == 50 && ++level_hits == 3)
		mmio_write32(TESTDEV + TD_SPI_CLEAR, 50);
	if (id == 22)
		mmio_write32(TESTDEV + TD_PPI_CLEAR, (0u << 16) | 22);
	gic_eoi(id);
	if (id == MSI_LPI)
		mmio_write32(TESTDEV + TD_DOORBELL, id);
}

/* PSCI also answers on SMC (QEMU's virt without EL3 makes SMC UNDEFINED). */
static void psci_smc_check(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;

	__asm__ volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	check("psci-smc", x0 == 0x10000, "0x%lx", x0);
}

static void edge_spi(unsigned int intid)
{
	mmio_write32(GICD_BASE + GICD_ICFGR + (intid / 16) * 4, 2u << ((intid % 16) * 2));
	gic_route_spi(intid, sysreg_read(mpidr_el1));
	gic_enable(intid);
}

static void irqfd_checks(void)
{
	bool ok;

	irq_log_reset();
	edge_spi(51);
	mmio_write32(TESTDEV + TD_SPI_IRQFD, 51);
	ok = wait_until(irq_logs[0].n >= 1, WAIT_US);
	wait_until(false, 2000);
	check("spi-irqfd", ok && irq_logs[0].n == 1 && irq_logs[0].ids[0] == 51, "n=%u",
	      irq_logs[0].n);

	if (!its_present()) {
		skip("msi-irqfd-ioeventfd", "no ITS");
		return;
	}
	its_init();
	its_cpu_init();
	lpi_config(MSI_LPI, 0xa0, true);
	ok = its_mapc(0, 0) && its_mapd(MSI_DEV, 4) && its_mapti(MSI_DEV, 1, MSI_LPI, 0) &&
	     its_dev_cmd(ITS_CMD_INV, MSI_DEV, 1) && its_sync(0);
	irq_log_reset();
	mmio_write32(TESTDEV + TD_MSI_DEVID, MSI_DEV);
	mmio_write32(TESTDEV + TD_MSI_COUNT, MSI_ROUND_TRIPS);
	mmio_write32(TESTDEV + TD_MSI_START, 1);
	ok = ok && wait_until(mmio_read32(TESTDEV + TD_MSI_DONE) == MSI_ROUND_TRIPS, 5 * WAIT_US * 10);
	check("msi-irqfd-ioeventfd", ok && irq_logs[0].n == MSI_ROUND_TRIPS,
	      "done %u, taken %u", mmio_read32(TESTDEV + TD_MSI_DONE), irq_logs[0].n);
}

int main(const void *fdt)
{
	bool ok;

	boot_fdt = fdt;
	print("t_host: host-raised interrupts\n");
	gic_dist_init();
	gic_cpu_init();
	irq_hook = gic_default_irq;
	irq_enable();
	if (!fdt_has_compatible(fdt, "vgic,testdev")) {
		skip("spi-line-edge", "no vgic test device");
		skip("spi-line-level", "no vgic test device");
		skip("ppi-line", "no vgic test device");
		skip("spi-irqfd", "no vgic test device");
		skip("msi-irqfd-ioeventfd", "no vgic test device");
		skip("psci-smc", "not vgic");
		return summary();
	}
	/* Edge SPI: one pulse, one interrupt. */
	irq_log_reset();
	mmio_write32(GICD_BASE + GICD_ICFGR + (49 / 16) * 4, 2u << ((49 % 16) * 2));
	gic_route_spi(49, sysreg_read(mpidr_el1));
	gic_enable(49);
	mmio_write32(TESTDEV + TD_SPI_PULSE, 49);
	ok = wait_until(irq_logs[0].n >= 1, WAIT_US);
	wait_until(false, 2000);
	check("spi-line-edge", ok && irq_logs[0].n == 1 && irq_logs[0].ids[0] == 49, "n=%u",
	      irq_logs[0].n);

	/* Level SPI: fires again after each EOI until the device lowers it. */
	irq_log_reset();
	irq_hook = level_irq;
	gic_route_spi(50, sysreg_read(mpidr_el1));
	gic_enable(50);
	mmio_write32(TESTDEV + TD_SPI_SET, 50);
	ok = wait_until(level_hits >= 3, WAIT_US);
	wait_until(false, 2000);
	check("spi-line-level", ok && level_hits == 3, "hits=%u", level_hits);
	irq_hook = gic_default_irq;

	/* PPI through the line, to this vCPU; the handler lowers it. */
	irq_log_reset();
	irq_hook = level_irq;
	gic_enable(22);
	mmio_write32(TESTDEV + TD_PPI_SET, (0u << 16) | 22);
	ok = wait_until(irq_logs[0].n >= 1, WAIT_US);
	mmio_write32(TESTDEV + TD_PPI_CLEAR, (0u << 16) | 22);
	check("ppi-line", ok && irq_logs[0].ids[0] == 22, "n=%u", irq_logs[0].n);
	irqfd_checks();
	psci_smc_check();
	return summary();
}
