/* SPDX-License-Identifier: MIT */
/* A minimal GICv3 ITS driver for guest checks: tables in guest RAM, commands. */
#ifndef GUEST_ITS_H
#define GUEST_ITS_H

#include "gic.h"

#define LPI_BASE	8192
#define LPI_ID_BITS	14		/* LPIs 8192..16383 */
#define GITS_TRANSLATER	0x10040

#define ITS_CMD_MOVI	0x01
#define ITS_CMD_INT	0x03
#define ITS_CMD_CLEAR	0x04
#define ITS_CMD_SYNC	0x05
#define ITS_CMD_MAPD	0x08
#define ITS_CMD_MAPC	0x09
#define ITS_CMD_MAPTI	0x0a
#define ITS_CMD_MAPI	0x0b
#define ITS_CMD_INV	0x0c
#define ITS_CMD_INVALL	0x0d
#define ITS_CMD_MOVALL	0x0e
#define ITS_CMD_DISCARD	0x0f

/* Is there an ITS (GICD_TYPER.LPIS and a device tree node)? */
bool its_present(void);
/* Tables, queue, enable; then this CPU's redistributor LPIs. */
void its_init(void);
void its_cpu_init(void);
/* Body of a secondary CPU in the ITS checks: GIC and LPIs on, interrupts
 * logged by gic_default_irq, *@online set, then WFI for ever. */
void its_secondary_loop(volatile bool *online) __attribute__((noreturn));
/* The start of an ITS guest on CPU 0: GIC and ITS on, CPU 1 started (its
 * secondary_main runs its_secondary_loop(@online)) and checked online,
 * interrupts on.  False, with a skip line, when the machine has no ITS. */
bool its_guest_start(volatile bool *online, unsigned int wait_us);

/* Queue one command and wait until the ITS has consumed it; false on timeout. */
bool its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3);
bool its_mapd(uint32_t dev, unsigned int event_bits);
bool its_mapc(uint16_t icid, unsigned int cpu);
bool its_mapti(uint32_t dev, uint32_t event, uint32_t lpi, uint16_t icid);
bool its_mapi(uint32_t dev, uint32_t event, uint16_t icid);
bool its_dev_cmd(unsigned int cmd, uint32_t dev, uint32_t event);	/* INT, CLEAR, DISCARD, INV */
bool its_movi(uint32_t dev, uint32_t event, uint16_t icid);
bool its_invall(uint16_t icid);
bool its_sync(unsigned int cpu);
bool its_movall(unsigned int from, unsigned int to);
/* LPI configuration byte: priority and enable; the caller issues INV. */
void lpi_config(uint32_t lpi, uint8_t prio, bool enable);
/* Commands the ITS took off the queue since init (CREADR progress). */
extern unsigned int its_cmds_done;

#endif
