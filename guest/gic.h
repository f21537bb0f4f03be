/* SPDX-License-Identifier: MIT */
/* GICv3 helpers for guest checks, at the fixed virt addresses. */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include "rt.h"

#define GICD_BASE	0x08000000UL
#define GITS_BASE	0x08080000UL
#define GICR_BASE	0x080a0000UL
#define GICR_STRIDE	0x20000UL
#define GICR_SGI	0x10000UL

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_CTLR_RWP	(1u << 31)
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_G1	(1u << 1)

#define GICR_CTLR	0x0000
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GICR_WAKER_PS	(1u << 1)
#define GICR_WAKER_CA	(1u << 2)
#define GICR_TYPER_LAST	(1u << 4)

#define ICC_SGI1R_IRM	(1ULL << 40)

#define INTID_SPURIOUS	1023

/* This CPU's redistributor (RD_base), found by affinity. */
uint64_t gicr_base(void);
void gic_dist_init(void);
void gic_cpu_init(void);
void gic_set_priority(unsigned int intid, uint8_t prio);
void gic_enable(unsigned int intid);
void gic_disable(unsigned int intid);
void gic_set_pending(unsigned int intid);
bool gic_is_active(unsigned int intid);
bool gic_is_pending(unsigned int intid);
void gic_route_spi(unsigned int intid, uint64_t mpidr);
void gic_send_sgi(unsigned int intid, uint16_t targets);
void gic_send_sgi_others(unsigned int intid);
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);
void gic_dir(uint32_t intid);

/* A per-CPU log of acknowledged interrupts, filled by gic_default_irq. */
struct irq_log {
	volatile uint32_t n;
	volatile uint32_t ids[32];
};
extern struct irq_log irq_logs[MAX_CPUS];
void gic_default_irq(struct frame *f);
void irq_log_reset(void);
/* How many times @intid is in @cpu's log. */
unsigned int irq_log_count(unsigned int cpu, uint32_t intid);
/* Did @cpu take @intid exactly once: waits up to @wait_us for it, then 2 ms
 * more so that a duplicate would show. */
bool irq_log_once(unsigned int cpu, uint32_t intid, unsigned int wait_us);
/* Did @cpu take nothing in the next 5 ms? */
bool irq_log_none(unsigned int cpu);

#endif
