/* SPDX-License-Identifier: MIT */
/*
 * The generic timer's EL1 view: counter, virtual timer (CNTV_*, PPI 27) and
 * physical timer (CNTP_*, PPI 30).  Unicorn has no interrupt wiring for
 * them, so both are emulated against one host clock and drive their PPI as a
 * level-sensitive line through vgic_irq_line(), as KVM's arch timer does.
 * CNTVOFF is 0: the virtual and physical counters read the same.
 */
#include "common/bits.h"
#include "vmm/vmm.h"

#define CNT_FREQ_HZ	62500000ULL	/* as QEMU's virt: 16 ns per tick */
#define NS_PER_TICK	16ULL

#define CNTFRQ_EL0	VGIC_SYSREG(3, 3, 14, 0, 0)
#define CNTPCT_EL0	VGIC_SYSREG(3, 3, 14, 0, 1)
#define CNTVCT_EL0	VGIC_SYSREG(3, 3, 14, 0, 2)
#define CNTP_TVAL_EL0	VGIC_SYSREG(3, 3, 14, 2, 0)
#define CNTP_CTL_EL0	VGIC_SYSREG(3, 3, 14, 2, 1)
#define CNTP_CVAL_EL0	VGIC_SYSREG(3, 3, 14, 2, 2)
#define CNTV_TVAL_EL0	VGIC_SYSREG(3, 3, 14, 3, 0)
#define CNTV_CTL_EL0	VGIC_SYSREG(3, 3, 14, 3, 1)
#define CNTV_CVAL_EL0	VGIC_SYSREG(3, 3, 14, 3, 2)

FIELD(CNT_CTL, ENABLE, 0, 1);
FIELD(CNT_CTL, IMASK, 1, 1);
FIELD(CNT_CTL, ISTATUS, 2, 1);
#define CNT_CTL_RW	(FIELD_MASK(CNT_CTL, ENABLE) | FIELD_MASK(CNT_CTL, IMASK))

uint64_t timer_counter(struct vmm *vmm)
{
	return (vmm_now_ns() - vmm->t0_ns) / NS_PER_TICK;
}

void timer_set_counter(struct vmm *vmm, uint64_t cnt)
{
	/* Wraps harmlessly: timer_counter() subtracts modulo 2^64. */
	vmm->t0_ns = vmm_now_ns() - cnt * NS_PER_TICK;
}

static bool timer_istatus(const struct gtimer *t, uint64_t cnt)
{
	return FIELD_GET(CNT_CTL, ENABLE, t->ctl) && cnt >= t->cval;
}

/* Drive the PPI from the timer's condition; returns its deadline in ns. */
static uint64_t gtimer_update(struct vcpu *v, struct gtimer *t, uint64_t cnt)
{
	bool istatus = timer_istatus(t, cnt);
	bool level = istatus && !FIELD_GET(CNT_CTL, IMASK, t->ctl);

	if (level != t->level) {
		t->level = level;
		vgic_irq_line(v->vmm->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, v->idx, t->ppi),
			      level);
	}
	if (istatus || !FIELD_GET(CNT_CTL, ENABLE, t->ctl) || FIELD_GET(CNT_CTL, IMASK, t->ctl))
		return NEVER;
	if (t->cval > (NEVER - v->vmm->t0_ns) / NS_PER_TICK)
		return NEVER;
	return v->vmm->t0_ns + t->cval * NS_PER_TICK;
}

uint64_t timer_update(struct vcpu *v)
{
	uint64_t cnt = timer_counter(v->vmm);

	return MIN(gtimer_update(v, &v->vtimer, cnt), gtimer_update(v, &v->ptimer, cnt));
}

void timer_reset(struct vcpu *v)
{
	if (v->vtimer.level || v->ptimer.level) {
		v->vtimer.ctl = v->ptimer.ctl = 0;
		timer_update(v);
	}
	v->vtimer = (struct gtimer){ .ppi = VIRT_PPI_VTIMER };
	v->ptimer = (struct gtimer){ .ppi = VIRT_PPI_PTIMER };
}

/* The timer a CNTP_* / CNTV_* encoding names, or NULL. */
static struct gtimer *timer_of(struct vcpu *v, uint32_t enc)
{
	if (enc == CNTP_TVAL_EL0 || enc == CNTP_CTL_EL0 || enc == CNTP_CVAL_EL0)
		return &v->ptimer;
	if (enc == CNTV_TVAL_EL0 || enc == CNTV_CTL_EL0 || enc == CNTV_CVAL_EL0)
		return &v->vtimer;
	return NULL;
}

bool timer_sysreg_read(struct vcpu *v, uint32_t enc, uint64_t *val)
{
	uint64_t cnt = timer_counter(v->vmm);
	struct gtimer *t = timer_of(v, enc);

	if (enc == CNTFRQ_EL0)
		*val = CNT_FREQ_HZ;
	else if (enc == CNTPCT_EL0 || enc == CNTVCT_EL0)
		*val = cnt;
	else if (!t)
		return false;
	else if (enc == CNTP_CTL_EL0 || enc == CNTV_CTL_EL0)
		*val = t->ctl | FIELD_DP(CNT_CTL, ISTATUS, timer_istatus(t, cnt));
	else if (enc == CNTP_CVAL_EL0 || enc == CNTV_CVAL_EL0)
		*val = t->cval;
	else	/* TVAL: the signed 32-bit distance to CVAL */
		*val = (uint32_t)(t->cval - cnt);
	return true;
}

bool timer_sysreg_write(struct vcpu *v, uint32_t enc, uint64_t val)
{
	struct gtimer *t = timer_of(v, enc);

	if (!t)
		return false;
	if (enc == CNTP_CTL_EL0 || enc == CNTV_CTL_EL0)
		t->ctl = val & CNT_CTL_RW;
	else if (enc == CNTP_CVAL_EL0 || enc == CNTV_CVAL_EL0)
		t->cval = val;
	else
		t->cval = timer_counter(v->vmm) + (uint64_t)(int64_t)(int32_t)val;
	timer_update(v);
	/* The deadline moved: let the run loop re-arm its ticker. */
	vcpu_request_stop(v);
	return true;
}
