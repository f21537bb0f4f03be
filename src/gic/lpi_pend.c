/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU LPI pending bitmaps: how an MSI that hits the translation cache
 * makes its LPI pending without taking a lock or writing the LPI.
 *
 * Theory of operation
 * -------------------
 * A sender sets the LPI's bit in its target vCPU's bitmap (one atomic OR,
 * after a plain load: a bit already set only reads), sets the group's bit in
 * the summary word if it is clear, and kicks the vCPU when the bit was new.
 * The vCPU folds the bitmap into the normal pending state (pending_latch and
 * its ap_list) under its ap_lock before it looks at what is pending:
 * ICC_IAR/HPPIR reads and vgic_vcpu_pending().  A folded bit stays set, and
 * is remembered in @shadow, until the vCPU acknowledges the LPI, so that
 * further MSIs merge into it by reading a word that does not move: deliveries
 * to 64 LPIs share one cache line instead of pulling each LPI's lock, list
 * node and the vCPU's list head across CPUs.
 *
 * A set bit stands for "an MSI reached this LPI, which targets this vCPU,
 * whose LPIs are on".  Everything that could make that false (MOVI, MOVALL,
 * MAPC, DISCARD, MAPD, CLEAR, EnableLPIs 1 -> 0) and everything that reads
 * the pending state from outside (SAVE_PENDING_TABLES) first closes the gate
 * (gic_lpi_quiesce): senders then take the locked path, the closer waits for
 * senders already past the gate (their sections are a grace domain of their
 * own, common/grace.h, so this is safe under its->lock), and folds and empties
 * every bitmap.  A sender whose translation predates a closing (the epoch
 * moved) takes the locked path too.  While the gate is closed the vgic_irq state is the whole
 * truth and may change freely; new bits only appear once it reopens.
 *
 * @shadow and the bits it names change only under the vCPU's ap_lock (fold,
 * acknowledge, empty).  Senders only ever set bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/grace.h"
#include "gic/gic.h"

#define PEND_BITS	((1u << GIC_IDBITS_LPIS) - GIC_LPI_BASE)
#define PEND_WORDS	(PEND_BITS / 64)
#define PEND_GROUP	((PEND_WORDS + 63) / 64)	/* words per summary bit */
#define PEND_IDLE_SCANS	64	/* empty scans before a group's summary bit clears */

struct lpi_pend {
	_Atomic uint64_t summary __attribute__((aligned(64)));
	_Atomic uint64_t word[PEND_WORDS] __attribute__((aligned(64)));
	/* Owned by the vCPU's ap_lock. */
	uint64_t shadow[PEND_WORDS] __attribute__((aligned(64)));	/* folded bits */
	uint8_t idle[64];		/* consecutive empty scans of each group */
};

static uint32_t bit_of(uint32_t intid)
{
	return intid - GIC_LPI_BASE;
}

int gic_lpi_pend_enable(struct gic_cpu *cpu)
{
	struct lpi_pend *p;

	if (atomic_load_explicit(&cpu->pend, memory_order_acquire))
		return 0;
	p = aligned_alloc(64, sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	/* Two EnableLPIs 0 -> 1 in a row from different threads: the first one wins. */
	if (!atomic_compare_exchange_strong_explicit(&cpu->pend, &(struct lpi_pend *){ NULL }, p,
						     memory_order_release, memory_order_relaxed))
		free(p);
	return 0;
}

void gic_lpi_pend_free(struct gic_cpu *cpu)
{
	free(atomic_load(&cpu->pend));
	atomic_store(&cpu->pend, NULL);
}

uint32_t gic_lpi_epoch(struct gic *gic)
{
	/* Acquire: the translation lookup that follows cannot read older state. */
	return atomic_load_explicit(&gic->lpi_epoch, memory_order_acquire);
}

/*
 * The translation was looked up before this grace section began, so a
 * command could have run to completion (gate closed, bitmaps emptied, the
 * LPI unmapped or moved, gate reopened) in between: the epoch tells.  A
 * set bit needs no such care: merging into pending state that exists is
 * right even for a stale translation, whose own pending state the command
 * would have dropped or moved anyway.
 */
bool gic_lpi_signal(struct gic *gic, struct gic_cpu *cpu, uint32_t intid, uint32_t epoch)
{
	uint32_t b = bit_of(intid), w = b / 64;
	uint64_t m = 1ull << (b % 64), sm = 1ull << (w / PEND_GROUP);
	struct lpi_pend *p = atomic_load_explicit(&cpu->pend, memory_order_acquire);
	bool kick = false;

	/*
	 * A set bit is pending state (folded or not), which this MSI merges
	 * into by reading it: no grace section needed for that, as a closed
	 * gate means every bit is clear and a bitmap is never freed early.
	 */
	if (p && (atomic_load_explicit(&p->word[w], memory_order_relaxed) & m)) {
		gic_count(gic, irqs_injected);
		return true;
	}
	vgrace_read_lock();
	if (atomic_load_explicit(&gic->lpi_gate, memory_order_relaxed) ||
	    atomic_load_explicit(&gic->lpi_epoch, memory_order_relaxed) != epoch ||
	    !gic_lpis_on(cpu) || !p) {
		vgrace_read_unlock();
		return false;
	}
	if (!(atomic_fetch_or(&p->word[w], m) & m)) {
		/* After the OR: a fold clearing the summary rescans after its AND. */
		if (!(atomic_load(&p->summary) & sm))
			atomic_fetch_or(&p->summary, sm);
		kick = true;
	}
	vgrace_read_unlock();
	gic_count(gic, irqs_injected);
	if (kick)
		gic_kick(gic, cpu);
	return true;
}

/* Outcome of folding one bit. */
enum fold_res {
	FOLD_DONE,		/* pending here: bit stays, shadowed */
	FOLD_GONE,		/* no such LPI any more: bit cleared */
	FOLD_SLOW,		/* needs gic_irq_update(): bit cleared, LPI in the batch */
};

/*
 * Make @intid pending on @cpu, whose ap_lock is held.  The common case is
 * done right here: the LPI targets @cpu and joins its list.  Anything else
 * (the LPI now elsewhere: only an LPI shared by two ITEs can be, through the
 * other ITS's cache; or caught mid-move by another thread) goes the general
 * way after the ap_lock is dropped, with the reference taken here.
 */
static enum fold_res fold_one(struct gic *gic, struct gic_cpu *cpu, uint32_t intid,
			      struct vgic_irq **slow)
{
	struct vgic_irq *irq = gic_lpi_get(gic, intid);

	if (!irq)
		return FOLD_GONE;
	spin_lock(&irq->lock);
	if (irq->target_vcpu != cpu || (irq->vcpu && irq->vcpu != cpu)) {
		spin_unlock(&irq->lock);
		*slow = irq;
		return FOLD_SLOW;
	}
	if (!irq->pending_latch) {
		irq_set_pending_latch(irq, true);
		if (!irq->vcpu && gic_irq_oracle(irq) == cpu) {
			gic_ap_list_add(cpu, irq);
			irq->vcpu = cpu;
			spin_unlock(&irq->lock);
			return FOLD_DONE;	/* our reference is now the list's */
		}
	}
	spin_unlock(&irq->lock);
	gic_lpi_put(gic, irq);
	return FOLD_DONE;
}

static bool fold_word(struct gic *gic, struct gic_cpu *cpu, struct lpi_pend *p, uint32_t w,
		      struct vgic_irq **slow, unsigned int *nslow)
{
	/* seq_cst: with the summary AND before a rescan, the Dekker pair of the sender's OR. */
	uint64_t cur = atomic_load(&p->word[w]);
	uint64_t bits = cur & ~p->shadow[w];

	while (bits && *nslow < GIC_FOLD_BATCH) {
		unsigned int i = (unsigned int)__builtin_ctzll(bits);
		uint64_t m = 1ull << i;

		bits &= bits - 1;
		switch (fold_one(gic, cpu, GIC_LPI_BASE + w * 64 + i, &slow[*nslow])) {
		case FOLD_DONE:
			p->shadow[w] |= m;
			break;
		case FOLD_SLOW:
			(*nslow)++;
			/* fall through */
		case FOLD_GONE:
			atomic_fetch_and(&p->word[w], ~m);
			break;
		}
	}
	return cur != 0;
}

/* Fold one summary group; true if any of its words had bits. */
static bool fold_group(struct gic *gic, struct gic_cpu *cpu, struct lpi_pend *p, uint32_t grp,
		       struct vgic_irq **slow, unsigned int *nslow)
{
	bool any = false;

	for (uint32_t w = grp * PEND_GROUP; w < MIN((grp + 1) * PEND_GROUP, PEND_WORDS); w++)
		any |= fold_word(gic, cpu, p, w, slow, nslow);
	return any;
}

/* One pass over the summary under ap_lock; false if the batch filled first. */
static bool fold_locked(struct gic *gic, struct gic_cpu *cpu, struct lpi_pend *p,
			struct vgic_irq **slow, unsigned int *nslow)
{
	uint64_t sum = atomic_load(&p->summary);

	while (sum && *nslow < GIC_FOLD_BATCH) {
		uint32_t grp = (uint32_t)__builtin_ctzll(sum);

		sum &= sum - 1;
		if (fold_group(gic, cpu, p, grp, slow, nslow)) {
			p->idle[grp] = 0;
			continue;
		}
		if (++p->idle[grp] < PEND_IDLE_SCANS)
			continue;
		/*
		 * Clear, then look again for a bit set by a sender that saw it
		 * set; if there is one, the group keeps its summary bit, which
		 * must cover every set bit (fold_and_empty() trusts it).
		 */
		p->idle[grp] = 0;
		atomic_fetch_and(&p->summary, ~(1ull << grp));
		if (fold_group(gic, cpu, p, grp, slow, nslow))
			atomic_fetch_or(&p->summary, 1ull << grp);
	}
	return *nslow < GIC_FOLD_BATCH;
}

bool gic_lpi_fold_locked(struct gic *gic, struct gic_cpu *cpu, struct gic_fold *f)
{
	struct lpi_pend *p = atomic_load_explicit(&cpu->pend, memory_order_acquire);

	if (!p || !atomic_load_explicit(&p->summary, memory_order_relaxed))
		return true;
	return fold_locked(gic, cpu, p, f->irq, &f->n);
}

/* The general path for what fold_one() could not do under the ap_lock. */
void gic_lpi_fold_finish(struct gic *gic, struct gic_fold *f)
{
	for (unsigned int i = 0; i < f->n; i++) {
		struct vgic_irq *irq = f->irq[i];

		spin_lock(&irq->lock);
		if (gic_lpis_on(irq->target_vcpu)) {
			irq_set_pending_latch(irq, true);
			gic_irq_update(gic, irq);
		} else {
			spin_unlock(&irq->lock);
		}
		gic_lpi_put(gic, irq);
	}
	f->n = 0;
}

void gic_lpi_lock_folded(struct gic *gic, struct gic_cpu *cpu, struct gic_fold *f)
{
	f->n = 0;
	spin_lock(&cpu->ap_lock);
	while (!gic_lpi_fold_locked(gic, cpu, f)) {
		spin_unlock(&cpu->ap_lock);
		gic_lpi_fold_finish(gic, f);
		spin_lock(&cpu->ap_lock);
	}
}

bool gic_lpi_bits_waiting(struct gic_cpu *cpu)
{
	struct lpi_pend *p = atomic_load_explicit(&cpu->pend, memory_order_acquire);

	return p && atomic_load_explicit(&p->summary, memory_order_acquire);
}

void gic_lpi_acked(struct gic_cpu *cpu, uint32_t intid)
{
	struct lpi_pend *p = atomic_load_explicit(&cpu->pend, memory_order_relaxed);
	uint32_t b = bit_of(intid);
	uint64_t m = 1ull << (b % 64);

	if (!p || !(p->shadow[b / 64] & m))
		return;
	p->shadow[b / 64] &= ~m;
	atomic_fetch_and(&p->word[b / 64], ~m);
}

/* Gate closed and no sender inside: fold @cpu's bits and forget them all. */
static void fold_and_empty(struct gic *gic, struct gic_cpu *cpu)
{
	struct lpi_pend *p = atomic_load_explicit(&cpu->pend, memory_order_acquire);
	struct gic_fold f;

	/* No sender is inside, so a clear summary means no bit anywhere. */
	if (!p || !atomic_load(&p->summary))
		return;
	gic_lpi_lock_folded(gic, cpu, &f);
	for (uint64_t sum = atomic_exchange(&p->summary, 0); sum; sum &= sum - 1) {
		uint32_t grp = (uint32_t)__builtin_ctzll(sum);

		for (uint32_t w = grp * PEND_GROUP; w < MIN((grp + 1) * PEND_GROUP, PEND_WORDS); w++) {
			atomic_store_explicit(&p->word[w], 0, memory_order_relaxed);
			p->shadow[w] = 0;
		}
		p->idle[grp] = 0;
	}
	spin_unlock(&cpu->ap_lock);
	gic_lpi_fold_finish(gic, &f);
}

void gic_lpi_quiesce(struct gic *gic)
{
	atomic_fetch_add(&gic->lpi_gate, 1);
	atomic_fetch_add(&gic->lpi_epoch, 1);
	vgrace_synchronize();
	for (uint32_t i = 0; i < gic->nr_vcpus; i++)
		fold_and_empty(gic, &gic->cpus[i]);
}

void gic_lpi_resume(struct gic *gic)
{
	atomic_fetch_sub(&gic->lpi_gate, 1);
}

bool gic_lpi_quiesced(struct gic *gic)
{
	return atomic_load(&gic->lpi_gate) > 0;
}

size_t gic_lpi_pend_bytes(void)
{
	return sizeof(struct lpi_pend);
}
