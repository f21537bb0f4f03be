/* SPDX-License-Identifier: MIT */
/* The guest runtime: console, checks, PSCI, exceptions, system registers. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS	8
#define UART_BASE	0x09000000UL

#define sysreg_read(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define sysreg_write(name, val) __asm__ volatile("msr " #name ", %0" :: "r"((uint64_t)(val)) : "memory")
#define isb()		__asm__ volatile("isb" ::: "memory")
#define dsb()		__asm__ volatile("dsb sy" ::: "memory")
#define irq_enable()	__asm__ volatile("msr daifclr, #2" ::: "memory")
#define irq_disable()	__asm__ volatile("msr daifset, #2" ::: "memory")
#define wfi()		__asm__ volatile("wfi" ::: "memory")

static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

void putc_(char c);
void print(const char *fmt, ...);

/* One line per check: "check NAME: PASS" or "check NAME: FAIL (why)". */
void check(const char *name, bool ok, const char *fmt, ...);
void skip(const char *name, const char *why);
/* "summary: N passed, M failed, K skipped"; returns the number failed. */
int summary(void);

/* PSCI over HVC. */
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void psci_system_off(void) __attribute__((noreturn));
#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON		0xc4000003u
#define PSCI_AFFINITY_INFO	0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE	0x84000006u
#define PSCI_FEATURES		0x8400000au
/* Start CPU @idx (MPIDR Aff0 = idx) at secondary_main(idx). */
int64_t cpu_start(unsigned int idx);
void secondary_main(unsigned int idx);
unsigned int cpu_index(void);

/* Exceptions: the frame exc_common saves. */
struct frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
};
enum { VEC_SYNC_SPX = 4, VEC_IRQ_SPX = 5, VEC_FIQ_SPX = 6, VEC_SYNC_EL0 = 8, VEC_IRQ_EL0 = 9 };
/* Hooks set by the image: a synchronous exception and an IRQ. */
extern void (*sync_hook)(unsigned int kind, struct frame *f);
extern void (*irq_hook)(struct frame *f);
void run_el0(void (*fn)(void), void *sp);
void el0_return(void);

/* Counter helpers. */
static inline uint64_t counter(void) { isb(); return sysreg_read(cntvct_el0); }
/* Spin until @cond or about @us microseconds passed; returns cond. */
#define wait_until(cond, us) ({                                                    \
	uint64_t end_ = counter() + (uint64_t)(us) * (sysreg_read(cntfrq_el0) / 1000000); \
	while (!(cond) && counter() < end_)                                        \
		;                                                                  \
	(cond); })

/* The device tree: does a node with this compatible string exist? */
bool fdt_has_compatible(const void *fdt, const char *compat);
extern const void *boot_fdt;

#endif
