/* SPDX-License-Identifier: MIT */
/*
 * Register-table dispatch shared by the distributor and the redistributors.
 * Each frame is a sorted table of struct gic_reg; width and alignment are
 * checked once in gic_mmio_dispatch(), so handlers only see legal accesses.
 * Per-interrupt registers share one generic handler per register kind.
 */
#ifndef VGIC_GIC_MMIO_H
#define VGIC_GIC_MMIO_H

#include <stddef.h>
#include <stdint.h>

#include "gic/gic.h"

#define GIC_ACCESS_8	(1u << 0)
#define GIC_ACCESS_32	(1u << 2)
#define GIC_ACCESS_64	(1u << 3)

/* Who is accessing what: @cpu is the redistributor's vCPU, NULL in the distributor. */
struct gic_mmio_ctx {
	struct gic *gic;
	struct gic_cpu *cpu;
};

/* @addr is the offset in the frame, @len the access size in bytes. */
typedef uint64_t (*gic_reg_read_fn)(const struct gic_mmio_ctx *c, uint32_t addr,
				    unsigned int len);
typedef void (*gic_reg_write_fn)(const struct gic_mmio_ctx *c, uint32_t addr,
				 unsigned int len, uint64_t val);

struct gic_reg;
/* A userspace (save/restore) write to @r: 0 or a negative errno (KVM's uaccess_write). */
typedef int (*gic_reg_uwrite_fn)(const struct gic_mmio_ctx *c, const struct gic_reg *r,
				 uint32_t addr, uint32_t val);

struct gic_reg {
	uint32_t offset;
	uint32_t len;		/* bytes the register (array) covers */
	uint8_t bits_per_irq;	/* 0 for registers that are not per-interrupt */
	uint8_t access;		/* GIC_ACCESS_* sizes allowed */
	gic_reg_read_fn read;
	gic_reg_write_fn write;
	gic_reg_read_fn uread;	/* userspace read; NULL: as the guest's */
	gic_reg_uwrite_fn uwrite; /* userspace write; NULL: as the guest's */
};

#define GIC_REG(off, length, acc, rd, wr) \
	{ .offset = (off), .len = (length), .access = (acc), .read = (rd), .write = (wr) }
#define GIC_REG_IRQ(off, bits, acc, rd, wr)                                          \
	{ .offset = (off), .len = 1024 * (bits) / 8, .bits_per_irq = (bits),          \
	  .access = (acc), .read = (rd), .write = (wr) }
/* The same with userspace accessors that differ from the guest's. */
#define GIC_REG_U(off, length, acc, rd, wr, urd, uwr) \
	{ .offset = (off), .len = (length), .access = (acc), .read = (rd), .write = (wr), \
	  .uread = (urd), .uwrite = (uwr) }
#define GIC_REG_IRQ_U(off, bits, acc, rd, wr, urd, uwr)                               \
	{ .offset = (off), .len = 1024 * (bits) / 8, .bits_per_irq = (bits),          \
	  .access = (acc), .read = (rd), .write = (wr), .uread = (urd), .uwrite = (uwr) }

/* First interrupt ID covered by an access at @addr to a per-IRQ register
 * array whose 1024-interrupt span is naturally aligned. */
#define GIC_ADDR_TO_INTID(addr, bits) \
	((uint32_t)(((addr) & (1024u * (bits) / 8 - 1)) * 8 / (bits)))

/* Look @addr up in @tbl and perform the access; bad accesses read 0, are
 * ignored and counted in gic->stats.mmio_bad_access. */
uint64_t gic_mmio_dispatch(const struct gic_reg *tbl, size_t n, const struct gic_mmio_ctx *c,
			   uint32_t addr, unsigned int len, bool is_write, uint64_t val);

/*
 * A 32-bit userspace access at @addr (KVM_{GET,SET}_DEVICE_ATTR): 0, -ENXIO
 * if no register is there or it takes no 32-bit access, or the uwrite error.
 */
int gic_mmio_uaccess(const struct gic_reg *tbl, size_t n, const struct gic_mmio_ctx *c,
		     uint32_t addr, bool is_write, uint32_t *val);

/* The SPI or private interrupt @intid as the frame of @c reaches it, or NULL. */
struct vgic_irq *gic_mmio_ctx_irq(const struct gic_mmio_ctx *c, uint32_t intid);

/* Userspace accessors (uaccess.c). */
/* One bit per interrupt from @get, called on each interrupt under its lock. */
uint64_t gic_mmio_read_bits(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    bool (*get)(const struct vgic_irq *));
uint64_t gic_uaccess_read_pending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
int gic_uaccess_write_spending(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);
int gic_uaccess_write_wi(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);
int gic_uaccess_write_sactive(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);
int gic_uaccess_write_cactive(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);
/* Read-only ID registers: a restore must bring back the value this GIC has. */
int gic_uaccess_write_same(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);
int gic_uaccess_write_iidr(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			  uint32_t addr, uint32_t val);

/* Generic handlers. */
uint64_t gic_mmio_read_raz(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_wi(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
		       uint64_t val);
uint64_t gic_mmio_read_group(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_group(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			  uint64_t val);
uint64_t gic_mmio_read_enable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_senable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val);
void gic_mmio_write_cenable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val);
uint64_t gic_mmio_read_pending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_spending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val);
void gic_mmio_write_cpending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val);
uint64_t gic_mmio_read_active(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_sactive(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val);
void gic_mmio_write_cactive(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val);
uint64_t gic_mmio_read_priority(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_priority(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val);
uint64_t gic_mmio_read_config(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
void gic_mmio_write_config(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			   uint64_t val);
/* GICD_IIDR and GICR_IIDR: KVM's product ID and ARM as implementer. */
uint64_t gic_mmio_read_iidr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);
/* PIDR2 and the other ID registers at 0xffd0..0xfffc of either frame. */
uint64_t gic_mmio_read_idregs(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len);

#endif
