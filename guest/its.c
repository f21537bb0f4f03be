/* SPDX-License-Identifier: MIT */
#include "its.h"

#define GITS_CTLR	0x0000
#define GITS_TYPER	0x0008
#define GITS_CBASER	0x0080
#define GITS_CWRITER	0x0088
#define GITS_CREADR	0x0090
#define GITS_BASER	0x0100
#define GITS_CTLR_EN	1u
#define BASER_VALID	(1ULL << 63)
#define BASER_TYPE(v)	(((v) >> 56) & 7)
#define BASER_ESIZE(v)	((((v) >> 48) & 0x1f) + 1)
#define BASER_TYPE_DEV	1
#define BASER_TYPE_COLL	4
#define TABLE_PAGES	16		/* 64 KiB flat tables, 4 KiB pages */
#define GICD_TYPER_LPIS	(1u << 17)
#define GICR_CTLR_LPIS	1u
#define CMDQ_SIZE	4096
#define ITT_SIZE	(256 * 1024)	/* 2^14 events of up to 16 bytes */
#define MAX_DEVS	4

static uint8_t prop_table[1 << LPI_ID_BITS] __attribute__((aligned(65536)));
static uint8_t pend_tables[MAX_CPUS][(1 << LPI_ID_BITS) / 8] __attribute__((aligned(65536)));
static uint8_t dev_table[TABLE_PAGES * 4096] __attribute__((aligned(65536)));
static uint8_t coll_table[TABLE_PAGES * 4096] __attribute__((aligned(65536)));
static uint64_t cmdq[CMDQ_SIZE / 8] __attribute__((aligned(65536)));
static uint8_t itts[MAX_DEVS][ITT_SIZE] __attribute__((aligned(256)));
static uint64_t cwriter;
unsigned int its_cmds_done;

bool its_present(void)
{
	return (mmio_read32(GICD_BASE + GICD_TYPER) & GICD_TYPER_LPIS) &&
	       fdt_has_compatible(boot_fdt, "arm,gic-v3-its");
}

static void baser_setup(unsigned int n)
{
	uint64_t off = GITS_BASE + GITS_BASER + n * 8;
	uint64_t v = mmio_read64(off);
	uint8_t *table;

	if (BASER_TYPE(v) == BASER_TYPE_DEV)
		table = dev_table;
	else if (BASER_TYPE(v) == BASER_TYPE_COLL)
		table = coll_table;
	else
		return;
	/* Keep type and entry size, 4 KiB pages, flat, TABLE_PAGES pages. */
	v &= (7ULL << 56) | (0x1fULL << 48);
	mmio_write64(off, v | BASER_VALID | (uint64_t)table | (TABLE_PAGES - 1));
}

void its_init(void)
{
	mmio_write32(GITS_BASE + GITS_CTLR, 0);
	for (unsigned int n = 0; n < 8; n++)
		baser_setup(n);
	mmio_write64(GITS_BASE + GITS_CBASER, BASER_VALID | (uint64_t)cmdq | (CMDQ_SIZE / 4096 - 1));
	mmio_write64(GITS_BASE + GITS_CWRITER, 0);
	cwriter = 0;
	mmio_write32(GITS_BASE + GITS_CTLR, GITS_CTLR_EN);
	for (unsigned int i = 0; i < sizeof(prop_table); i++)
		prop_table[i] = 0xa0;	/* priority 0xa0, disabled */
	dsb();
}

void its_cpu_init(void)
{
	uint64_t rd = gicr_base();
	unsigned int cpu = cpu_index() % MAX_CPUS;

	mmio_write64(rd + GICR_PROPBASER, (uint64_t)prop_table | (LPI_ID_BITS - 1));
	mmio_write64(rd + GICR_PENDBASER, (uint64_t)pend_tables[cpu]);
	mmio_write32(rd + GICR_CTLR, mmio_read32(rd + GICR_CTLR) | GICR_CTLR_LPIS);
	dsb();
}

bool its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
	uint64_t *c = &cmdq[cwriter / 8];

	c[0] = d0, c[1] = d1, c[2] = d2, c[3] = d3;
	dsb();
	cwriter = (cwriter + 32) % CMDQ_SIZE;
	mmio_write64(GITS_BASE + GITS_CWRITER, cwriter);
	if (!wait_until(mmio_read64(GITS_BASE + GITS_CREADR) == cwriter, 100000))
		return false;
	its_cmds_done++;
	return true;
}

/* Target of MAPC/SYNC/MOVALL: processor number (GITS_TYPER.PTA = 0) or address. */
static uint64_t rdbase(unsigned int cpu)
{
	if (mmio_read64(GITS_BASE + GITS_TYPER) & (1u << 19))
		return (GICR_BASE + cpu * GICR_STRIDE) >> 16;
	return cpu;
}

bool its_mapd(uint32_t dev, unsigned int event_bits)
{
	return its_cmd(ITS_CMD_MAPD | (uint64_t)dev << 32, event_bits - 1,
		       BASER_VALID | (uint64_t)itts[dev % MAX_DEVS], 0);
}

bool its_mapc(uint16_t icid, unsigned int cpu)
{
	return its_cmd(ITS_CMD_MAPC, 0, BASER_VALID | rdbase(cpu) << 16 | icid, 0);
}

bool its_mapti(uint32_t dev, uint32_t event, uint32_t lpi, uint16_t icid)
{
	return its_cmd(ITS_CMD_MAPTI | (uint64_t)dev << 32, event | (uint64_t)lpi << 32, icid, 0);
}

bool its_mapi(uint32_t dev, uint32_t event, uint16_t icid)
{
	return its_cmd(ITS_CMD_MAPI | (uint64_t)dev << 32, event, icid, 0);
}

bool its_dev_cmd(unsigned int cmd, uint32_t dev, uint32_t event)
{
	return its_cmd(cmd | (uint64_t)dev << 32, event, 0, 0);
}

bool its_movi(uint32_t dev, uint32_t event, uint16_t icid)
{
	return its_cmd(ITS_CMD_MOVI | (uint64_t)dev << 32, event, icid, 0);
}

bool its_invall(uint16_t icid)
{
	return its_cmd(ITS_CMD_INVALL, 0, icid, 0);
}

bool its_sync(unsigned int cpu)
{
	return its_cmd(ITS_CMD_SYNC, 0, rdbase(cpu) << 16, 0);
}

bool its_movall(unsigned int from, unsigned int to)
{
	return its_cmd(ITS_CMD_MOVALL, 0, rdbase(from) << 16, rdbase(to) << 16);
}

void lpi_config(uint32_t lpi, uint8_t prio, bool enable)
{
	prop_table[lpi - LPI_BASE] = (prio & 0xfc) | (enable ? 1 : 0);
	dsb();
}

bool its_guest_start(volatile bool *online, unsigned int wait_us)
{
	gic_dist_init();
	gic_cpu_init();
	irq_hook = gic_default_irq;
	if (!its_present()) {
		skip("its", "no ITS in this machine");
		return false;
	}
	its_init();
	its_cpu_init();
	check("cpu1-online", cpu_start(1) == 0 && wait_until(*online, wait_us), "");
	irq_enable();
	return true;
}

void its_secondary_loop(volatile bool *online)
{
	gic_cpu_init();
	its_cpu_init();
	irq_hook = gic_default_irq;
	*online = true;
	dsb();
	irq_enable();
	for (;;)
		wfi();
}
