/* SPDX-License-Identifier: MIT */
/*
 * GICv3 core: interrupt state, distributor, redistributors, CPU interface.
 *
 * Theory of operation
 * -------------------
 * Every interrupt (SGI/PPI per vCPU, SPI, LPI) is a struct vgic_irq with its own
 * lock.  An interrupt that is pending-and-enabled, or active, sits on the
 * ap_list of exactly one vCPU: the one gic_irq_oracle() names.  Each state
 * change is made under irq->lock and then handed to gic_irq_update(), which
 * moves the interrupt between ap_lists so that membership always matches the
 * oracle, and kicks the vCPU that gained it.  The CPU interface of a vCPU then
 * only scans its own (short) ap_list, never the whole interrupt space, and
 * injection from any thread takes no VM-wide lock: only the interrupt's lock
 * and the target vCPU's ap_lock.  An MSI that hits an ITS translation cache
 * takes no lock at all: it sets a bit in the target's LPI pending bitmap,
 * which the vCPU folds into this state before it looks (lpi_pend.c).  While
 * that bitmap is shut, an MSI to an LPI that is already pending only reads
 * pending_latch and target_vcpu, which are therefore written with atomic
 * stores (still under irq->lock).
 *
 * Lock order (outer first):
 *   vm->config_lock (configuration calls only, never on injection)
 *   gic_cpu->ap_lock (two of them: lower vCPU index first)
 *   vgic_irq->lock
 * CPU-interface register state (PMR, BPR, APRs, ...) is guarded by the vCPU's
 * ap_lock, since deciding what to signal reads both.
 */
#ifndef VGIC_GIC_GIC_H
#define VGIC_GIC_GIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vgic/vm.h>

#include "common/list.h"
#include "common/lock.h"
#include "gic/regs.h"

struct gmem;
struct gic;
struct gic_cpu;
struct lpi_table;
struct lpi_pend;

enum irq_config {
	IRQ_CONFIG_EDGE = 0,
	IRQ_CONFIG_LEVEL = 1,
};

struct vgic_irq {
	vgic_spinlock_t lock;
	struct list_node ap_list;	/* on vcpu->ap_list iff vcpu != NULL */
	struct gic_cpu *vcpu;		/* whose ap_list holds it */
	struct gic_cpu *target_vcpu;	/* where it goes when pending; LPI: atomic store */
	uint32_t intid;
	uint8_t priority;
	uint8_t group;			/* 0 or 1 */
	uint8_t config;			/* enum irq_config */
	bool enabled;
	bool pending_latch;		/* edge latch, or ISPENDR; irq_set_pending_latch() */
	bool line_level;		/* input level of a level-sensitive line */
	bool active;
	bool notify_deactivate;		/* tell gic->deactivate_notify (resamplefd) */
	uint64_t mpidr;			/* SPI route: GICD_IROUTER affinity */
	atomic_uint refcount;		/* LPIs: lookup table + ap_list + users */
};

/* CPU-interface state of one vCPU; guarded by gic_cpu.ap_lock. */
struct cpuif {
	uint8_t pmr;
	uint8_t bpr0, bpr1;
	bool eoimode;		/* ICC_CTLR_EL1.EOImode: split drop/deactivate */
	bool cbpr;		/* ICC_CTLR_EL1.CBPR: BPR0 governs group 1 too */
	bool grpen0, grpen1;
	uint32_t apr[2];	/* AP0R0, AP1R0: one bit per group priority */
};

/* How the VMM hears of new interrupts for a vCPU; owned by the VM so that it
 * can be set before the GIC exists. */
struct vcpu_notify {
	_Atomic(vgic_kick_fn) fn;
	void *_Atomic opaque;
	atomic_bool line[2];		/* VGIC_VM_NO_GIC: IRQ and FIQ inputs */
};

struct gic_cpu {
	struct gic *gic;
	uint32_t idx;
	uint64_t mpidr;			/* Aff3:Aff2:Aff1:Aff0 in MPIDR layout */
	vgic_spinlock_t ap_lock;
	struct list_node ap_list;
	atomic_uint nr_listed;		/* entries on ap_list; written under ap_lock */
	struct cpuif cif;
	struct vgic_irq priv[GIC_NR_PRIVATE];

	/* Redistributor state. */
	atomic_uint gicr_ctlr;
	_Atomic uint64_t propbaser;
	_Atomic uint64_t pendbaser;

	struct vcpu_notify *notify;	/* owned by the VM */
	struct lpi_pend *_Atomic pend;	/* MSI-set LPI bits (lpi_pend.c), from EnableLPIs */
};

/* Keeps counters written by different threads on different cache lines. */
#define GIC_LINE_PAD(name)	char name[64]

/*
 * Injecting threads count irqs_injected and kicks; vCPU threads count the
 * rest.  Each group gets its own cache line, so that a vCPU acknowledging
 * does not take the line a sender is counting in (and the reverse).
 */
struct gic_stats {
	GIC_LINE_PAD(pad0);
	atomic_uint_fast64_t irqs_injected;
	atomic_uint_fast64_t kicks;
	GIC_LINE_PAD(pad1);
	atomic_uint_fast64_t mmio_bad_access;
	atomic_uint_fast64_t sysreg_bad_access;
	atomic_uint_fast64_t spurious_acks;
	atomic_uint_fast64_t lpi_table_errors;
};

static inline bool gic_lpis_on(struct gic_cpu *cpu)
{
	return cpu && (atomic_load(&cpu->gicr_ctlr) & FIELD_MASK(GICR_CTLR, ENABLE_LPIS));
}

/* Called when a level-sensitive interrupt flagged notify_deactivate is deactivated. */
typedef void (*gic_deactivate_fn)(void *opaque, uint32_t intid);

struct gic {
	uint32_t nr_vcpus;
	uint32_t nr_irqs;		/* as configured: sizes GICD_TYPER.ITLinesNumber */
	uint32_t nr_spis;		/* SPIs that exist: INTIDs 32..min(nr_irqs,1020)-1 */
	struct gic_cpu *cpus;
	struct vgic_irq *spis;
	struct gmem *mem;
	atomic_uint ctlr;		/* GICD_CTLR group enables */
	bool has_lpis;			/* an ITS exists: TYPER.LPIS, GICR_TYPER.PLPIS */
	uint64_t dist_base;
	uint64_t redist_base;
	struct lpi_table *lpis;
	atomic_int lpi_gate;		/* > 0: MSIs bypass the pending bitmaps (lpi_pend.c) */
	atomic_uint lpi_epoch;		/* counts gate closings (lpi_pend.c) */
	/* Told when a redistributor's EnableLPIs goes 1 -> 0 (ITS translation caches). */
	void (*lpis_disabled)(void *opaque, struct gic_cpu *cpu);
	void *lpis_disabled_opaque;
	gic_deactivate_fn deactivate_notify;
	void *deactivate_opaque;
	struct gic_stats stats;
};

#define gic_count(g, field) \
	atomic_fetch_add_explicit(&(g)->stats.field, 1, memory_order_relaxed)

/* --- lifecycle (gic.c) --- */
int gic_create(struct gic *gic, uint32_t nr_vcpus, uint32_t nr_irqs, struct gmem *mem,
	       struct vcpu_notify *notify);
void gic_destroy(struct gic *gic);
uint64_t gic_vcpu_mpidr(uint32_t idx);

/* --- interrupt state (irq.c) --- */

/* Interrupt @intid as seen from @cpu (NULL: private IDs unreachable).  LPIs
 * come back with a reference that gic_put_irq() drops. */
struct vgic_irq *gic_get_irq(struct gic *gic, struct gic_cpu *cpu, uint32_t intid);
void gic_put_irq(struct gic *gic, struct vgic_irq *irq);

static inline bool irq_is_lpi(const struct vgic_irq *irq)
{
	return irq->intid >= GIC_LPI_BASE;
}

/*
 * pending_latch is written under irq->lock, but an LPI's is also read
 * without it (gic_lpi_inject_if_pending), so every write is atomic.
 */
static inline void irq_set_pending_latch(struct vgic_irq *irq, bool pending)
{
	__atomic_store_n(&irq->pending_latch, pending, __ATOMIC_RELEASE);
}

static inline bool irq_is_pending(const struct vgic_irq *irq)
{
	if (irq->config == IRQ_CONFIG_LEVEL)
		return irq->pending_latch || irq->line_level;
	return irq->pending_latch;
}

/*
 * Put @irq on / take it off @cpu's ap_list (ap_lock and irq->lock held).
 * They keep nr_listed, so that "is anything listed?" needs no lock.
 */
static inline void gic_ap_list_add(struct gic_cpu *cpu, struct vgic_irq *irq)
{
	list_add_tail(&irq->ap_list, &cpu->ap_list);
	atomic_store_explicit(&cpu->nr_listed,
			      atomic_load_explicit(&cpu->nr_listed, memory_order_relaxed) + 1,
			      memory_order_release);
}

static inline void gic_ap_list_del(struct gic_cpu *cpu, struct vgic_irq *irq)
{
	list_del(&irq->ap_list);
	atomic_store_explicit(&cpu->nr_listed,
			      atomic_load_explicit(&cpu->nr_listed, memory_order_relaxed) - 1,
			      memory_order_relaxed);
}

/* The vCPU whose ap_list should hold @irq now, or NULL.  irq->lock held. */
struct gic_cpu *gic_irq_oracle(const struct vgic_irq *irq);

/* Make @irq's list membership match the oracle and kick the vCPU that gained
 * it.  Called with irq->lock held; returns with it released. */
void gic_irq_update(struct gic *gic, struct vgic_irq *irq);

/* Set the input level of @irq (edge: a high level latches pending). */
void gic_irq_set_level(struct gic *gic, struct vgic_irq *irq, bool level);

/* Deactivate @irq as an EOI or DIR would, notifying resamplers. */
void gic_irq_deactivate(struct gic *gic, struct vgic_irq *irq);

/* Kick vCPU @cpu through the VMM's callback. */
void gic_kick(struct gic *gic, struct gic_cpu *cpu);

/* The vCPU with affinity @mpidr (MPIDR layout), or NULL. */
struct gic_cpu *gic_cpu_by_mpidr(struct gic *gic, uint64_t mpidr);

/* --- MMIO (dist.c, redist.c) --- */
uint64_t gic_dist_read(struct gic *gic, uint32_t off, unsigned int len);
void gic_dist_write(struct gic *gic, uint32_t off, unsigned int len, uint64_t val);
uint64_t gic_redist_read(struct gic *gic, struct gic_cpu *cpu, uint32_t off, unsigned int len);
/* KVM's initial GICR_PENDBASER (every vCPU) and GICR_PROPBASER (once an ITS
 * exists): Read-allocate Write-back, Inner Shareable, no table yet. */
void gic_redist_reset_pendbaser(struct gic_cpu *cpu);
void gic_redist_reset_propbaser(struct gic *gic);
void gic_redist_write(struct gic *gic, struct gic_cpu *cpu, uint32_t off, unsigned int len,
		      uint64_t val);

/* --- userspace access for save/restore (uaccess.c, dist.c, redist.c) --- */
/* 32-bit register at @off: 0, -ENXIO no such register, -EINVAL value refused. */
int gic_dist_uaccess(struct gic *gic, uint32_t off, bool is_write, uint32_t *val);
int gic_redist_uaccess(struct gic *gic, struct gic_cpu *cpu, uint32_t off, bool is_write,
		       uint32_t *val);
/* ICC register @enc of @cpu as KVM's CPU_SYSREGS group: -ENXIO unknown, -EINVAL refused. */
int gic_cpuif_uaccess(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, bool is_write,
		      uint64_t *val);
/* Line levels of the level-sensitive INTIDs @base..@base+31 (others read 0, ignore writes). */
uint32_t gic_line_level_get(struct gic *gic, struct gic_cpu *cpu, uint32_t base);
void gic_line_level_set(struct gic *gic, struct gic_cpu *cpu, uint32_t base, uint32_t val);
/* Write every LPI's pending state to its target's pending table: 0 or -EFAULT/-ENOMEM. */
int gic_save_pending_tables(struct gic *gic);
/* The same for one LPI (no target: nothing to do); 0 or -EFAULT. */
int gic_lpi_store_pending(struct gic *gic, struct vgic_irq *irq);

/* --- CPU interface (cpuif.c) --- */
int gic_cpuif_read(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, uint64_t *val);
int gic_cpuif_write(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, uint64_t val);
/* VGIC_PENDING_IRQ / _FIQ bits for what the CPU interface would signal now. */
unsigned int gic_cpuif_pending(struct gic *gic, struct gic_cpu *cpu);
void gic_cpuif_reset(struct cpuif *cif);

/* --- LPIs (lpi.c) --- */
/* LPI @intid with a reference, or NULL if no ITS mapping created it. */
struct vgic_irq *gic_lpi_get(struct gic *gic, uint32_t intid);
/* Drop a reference; the last one frees the LPI. */
void gic_lpi_put(struct gic *gic, struct vgic_irq *irq);
/* GICR_CTLR.EnableLPIs of @cpu went from !@enabled to @enabled. */
void gic_lpi_enable_changed(struct gic *gic, struct gic_cpu *cpu, bool enabled);
void gic_lpi_destroy(struct gic *gic);
/* Allocate the LPI store (a VM with an ITS); -ENOMEM. */
int gic_lpi_init(struct gic *gic);
/* One past the highest LPI INTID @cpu's GICR_PROPBASER.IDbits allows (@cpu may be NULL). */
uint32_t gic_lpi_limit(struct gic *gic, struct gic_cpu *cpu);
/*
 * LPI @intid aimed at @target (may be NULL), with a reference: the existing
 * one, or a new one configured from the property table and, if @target has
 * LPIs on, its pending table.  NULL with *@err = -EINVAL (ID out of range),
 * -EFAULT (property table outside RAM, counted) or -ENOMEM.
 */
struct vgic_irq *gic_lpi_create(struct gic *gic, uint32_t intid, struct gic_cpu *target,
				int *err);
/* Re-read @irq's priority and enable from its property table (INV). */
void gic_lpi_sync_config(struct gic *gic, struct vgic_irq *irq);
/* Send @irq to @cpu; a pending LPI moves with it (MOVI, MAPC, MOVALL). */
void gic_lpi_set_target(struct gic *gic, struct vgic_irq *irq, struct gic_cpu *cpu);
/* Make @irq pending: 1, or 0 if its target has no LPIs enabled (not pended). */
int gic_lpi_inject(struct gic *gic, struct vgic_irq *irq);
/*
 * gic_lpi_inject() for an LPI that is already pending, which changes nothing
 * but the count: true if so.  Needs no reference (an RCU read-side section
 * is enough); false, touching nothing, for any other state.
 */
bool gic_lpi_inject_if_pending(struct gic *gic, struct vgic_irq *irq);
/* Drop @irq's pending state (CLEAR, DISCARD). */
void gic_lpi_clear(struct gic *gic, struct vgic_irq *irq);
/* INTIDs of the LPIs aimed at @cpu (all if NULL), in a malloc'ed array the
 * caller frees; count or -ENOMEM. */
int gic_lpi_list(struct gic *gic, struct gic_cpu *cpu, uint32_t **intids);
/* Take a reference on @irq unless it is already on its way out (count 0). */
bool gic_lpi_tryget(struct vgic_irq *irq);
/*
 * Run @fn(@head) after an RCU grace period (liburcu's call_rcu, with the
 * release half of rcu.h's TSan annotation; @fn starts with rcu_tsan_acquire()).
 */
struct rcu_head;
void gic_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head));
/* --- LPI pending bitmaps (lpi_pend.c) --- */
/* Give @cpu its bitmap (EnableLPIs 0 -> 1; kept until destroy): 0 or -ENOMEM. */
int gic_lpi_pend_enable(struct gic_cpu *cpu);
void gic_lpi_pend_free(struct gic_cpu *cpu);
/* Read before looking up the translation that gic_lpi_signal() is given. */
uint32_t gic_lpi_epoch(struct gic *gic);
/*
 * The MSI fast path: make LPI @intid, which targets @cpu, pending through the
 * bitmap.  False, touching nothing, if the gate is closed or was closed since
 * @epoch (the translation may be stale) or @cpu has LPIs off: the caller then
 * takes the locked path.
 */
bool gic_lpi_signal(struct gic *gic, struct gic_cpu *cpu, uint32_t intid, uint32_t epoch);
/* LPIs a fold could not settle under the ap_lock (gic_lpi_fold_finish settles them). */
#define GIC_FOLD_BATCH	32
struct gic_fold {
	unsigned int n;
	struct vgic_irq *irq[GIC_FOLD_BATCH];
};
/*
 * Fold @cpu's new bits into its pending state; ap_lock held.  False if @f
 * filled up first: drop the lock, gic_lpi_fold_finish(), and fold again.
 */
bool gic_lpi_fold_locked(struct gic *gic, struct gic_cpu *cpu, struct gic_fold *f);
/* Settle what @f holds; no lock held. */
void gic_lpi_fold_finish(struct gic *gic, struct gic_fold *f);
/* Take @cpu's ap_lock with every bit folded; gic_lpi_fold_finish(@f) after unlocking. */
void gic_lpi_lock_folded(struct gic *gic, struct gic_cpu *cpu, struct gic_fold *f);
/* May @cpu's bitmap hold bits (its summary is not clear)?  No lock needed. */
bool gic_lpi_bits_waiting(struct gic_cpu *cpu);
/* @cpu acknowledged LPI @intid: its bit is free again.  ap_lock held. */
void gic_lpi_acked(struct gic_cpu *cpu, uint32_t intid);
/*
 * Close the gate: afterwards no MSI sets a bit and every bitmap is folded
 * and empty, so LPI pending state may be changed or read directly.  Nests;
 * each call needs a gic_lpi_resume().  May sleep; no spinlock held.
 */
void gic_lpi_quiesce(struct gic *gic);
void gic_lpi_resume(struct gic *gic);
bool gic_lpi_quiesced(struct gic *gic);
/* Bytes of one vCPU's bitmap, for the memory benchmark. */
size_t gic_lpi_pend_bytes(void);

/* Live LPIs and the bytes the store holds, for the memory benchmark. */
void gic_lpi_usage(struct gic *gic, uint64_t *nr, uint64_t *bytes);

#endif
