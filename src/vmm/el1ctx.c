/* SPDX-License-Identifier: MIT */
/*
 * Entering EL1 from EL0 on Unicorn 2.0.1.
 *
 * Theory of operation
 * -------------------
 * Unicorn 2.0.1 (QEMU 5.0) translates guest code under flags cached in the
 * CPU state (env->hflags: exception level, MMU index, data endianness,
 * TBI, ...).  Only QEMU's own exception entry and return, reset, and a guest MSR
 * rebuild them; no uc_reg_write does (not PSTATE, not CP_REG: measured, see
 * docs/unicorn.md).  ERET to EL0 therefore works, but an exception the VMM
 * enters from EL0 leaves EL0 flags behind and the EL1 handler UNDEFs on its
 * first MRS.
 *
 * uc_context_save/restore copy the whole CPU state, cached flags included.
 * So the VMM keeps, per vCPU, a context captured while the vCPU was at EL1
 * (the start of a slice at EL1).  Entering EL1 from EL0 reads every piece
 * of state the guest may have changed since, restores the EL1 context and
 * writes that state back: the engine ends up with the live state and EL1
 * translation flags, and the ordinary EL1 entry follows (exc.c).
 *
 * The rule that keeps the captured flags exact: they are a function of a
 * few EL1 controls (SCTLR, TCR, CPACR, MDSCR, ZCR, ...) and PSTATE.PAN/UAO.
 * A native MSR at EL1 to any register not written back below marks the
 * context stale and stops the vCPU before its next instruction, still at
 * EL1, where the next slice captures it again.  The entry clears
 * PSTATE.PAN/UAO, so a capture waits for a slice that starts with them clear.
 *
 * Not carried over (the context's values come back): the exclusive monitor
 * (a STXR after the exception fails, as after an exception return), SVE
 * state beyond the low 128 bits of each vector, and the PMU (not in this
 * machine's device tree; EL0 can write it only if EL1 allows, and reading
 * arbitrary registers back through CP_REG can abort Unicorn: NZCV does).
 */
#include <errno.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define PSTATE_EL_SHIFT	2
#define PSTATE_EL_MASK	0x3u
#define PSTATE_PAN	BIT(22)
#define PSTATE_UAO	BIT(23)

#define NR_GPRS		31
#define NR_QREGS	32

/* System registers written back on every entry: the EL0/EL1 thread and
 * address-space state an OS switches, and what exceptions and AT change. */
static const uint32_t sysregs[] = {
	VGIC_SYSREG(3, 0, 4, 0, 0),	/* SPSR_EL1 */
	VGIC_SYSREG(3, 0, 4, 0, 1),	/* ELR_EL1 */
	VGIC_SYSREG(3, 0, 5, 2, 0),	/* ESR_EL1 */
	VGIC_SYSREG(3, 0, 6, 0, 0),	/* FAR_EL1 */
	VGIC_SYSREG(3, 0, 7, 4, 0),	/* PAR_EL1 */
	VGIC_SYSREG(3, 0, 2, 0, 0),	/* TTBR0_EL1 */
	VGIC_SYSREG(3, 0, 2, 0, 1),	/* TTBR1_EL1 */
	VGIC_SYSREG(3, 0, 10, 2, 0),	/* MAIR_EL1 */
	VGIC_SYSREG(3, 0, 12, 0, 0),	/* VBAR_EL1 */
	VGIC_SYSREG(3, 0, 13, 0, 1),	/* CONTEXTIDR_EL1 */
	VGIC_SYSREG(3, 0, 13, 0, 4),	/* TPIDR_EL1 */
	VGIC_SYSREG(3, 3, 13, 0, 2),	/* TPIDR_EL0 */
	VGIC_SYSREG(3, 3, 13, 0, 3),	/* TPIDRRO_EL0 */
};
#define NR_SYSREGS	ARRAY_SIZE(sysregs)

/* MSR targets that are PSTATE, FP control or SP_EL0: written back as such. */
static const uint32_t pstate_regs[] = {
	VGIC_SYSREG(3, 0, 4, 1, 0),	/* SP_EL0 */
	VGIC_SYSREG(3, 0, 4, 2, 0),	/* SPSel */
	VGIC_SYSREG(3, 0, 4, 2, 3),	/* PAN */
	VGIC_SYSREG(3, 0, 4, 2, 4),	/* UAO */
	VGIC_SYSREG(3, 3, 4, 2, 0),	/* NZCV */
	VGIC_SYSREG(3, 3, 4, 2, 1),	/* DAIF */
	VGIC_SYSREG(3, 3, 4, 4, 0),	/* FPCR */
	VGIC_SYSREG(3, 3, 4, 4, 1),	/* FPSR */
};

/* The architectural state that survives the switch. */
struct live {
	uint64_t x[NR_GPRS], sp, sp_el0, sp_el1, pc;
	uint32_t pstate, fpcr, fpsr;
	uint64_t q[NR_QREGS][2];
	uint64_t sys[NR_SYSREGS];
};

static int gpr_id(unsigned int i)
{
	if (i == 29)
		return UC_ARM64_REG_X29;
	if (i == 30)
		return UC_ARM64_REG_X30;
	return UC_ARM64_REG_X0 + (int)i;
}

static uint64_t sysreg_get(struct vcpu *v, uint32_t enc)
{
	return vcpu_sysreg(v, VGIC_SYSREG_OP0(enc), VGIC_SYSREG_OP1(enc), VGIC_SYSREG_CRN(enc),
			   VGIC_SYSREG_CRM(enc), VGIC_SYSREG_OP2(enc));
}

static void sysreg_put(struct vcpu *v, uint32_t enc, uint64_t val)
{
	vcpu_set_sysreg(v, VGIC_SYSREG_OP0(enc), VGIC_SYSREG_OP1(enc), VGIC_SYSREG_CRN(enc),
			VGIC_SYSREG_CRM(enc), VGIC_SYSREG_OP2(enc), val);
}

static bool listed(const uint32_t *list, size_t n, uint32_t enc)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == enc)
			return true;
	return false;
}

static unsigned int current_el(struct vcpu *v)
{
	return (vcpu_reg(v, UC_ARM64_REG_PSTATE) >> PSTATE_EL_SHIFT) & PSTATE_EL_MASK;
}

int el1ctx_open(struct vcpu *v)
{
	v->el1.valid = false;
	return uc_context_alloc(v->uc, &v->el1.ctx) ? -ENOMEM : 0;
}

void el1ctx_close(struct vcpu *v)
{
	if (v->el1.ctx)
		uc_context_free(v->el1.ctx);
	v->el1.ctx = NULL;
	v->el1.valid = false;
}

void el1ctx_capture(struct vcpu *v)
{
	uint32_t pstate = (uint32_t)vcpu_reg(v, UC_ARM64_REG_PSTATE);

	if (v->el1.valid || !v->el1.ctx || ((pstate >> PSTATE_EL_SHIFT) & PSTATE_EL_MASK) != 1 ||
	    (pstate & (PSTATE_PAN | PSTATE_UAO)))
		return;
	v->el1.valid = !uc_context_save(v->uc, v->el1.ctx);
}

void el1ctx_note_msr(struct vcpu *v, uint32_t enc)
{
	if (listed(sysregs, NR_SYSREGS, enc) || listed(pstate_regs, ARRAY_SIZE(pstate_regs), enc))
		return;
	if (current_el(v) == 0)
		return;
	/* May change the translation flags: capture again before EL0. */
	v->el1.valid = false;
	vcpu_request_stop(v);
}

static void live_read(struct vcpu *v, struct live *s)
{
	for (unsigned int i = 0; i < NR_GPRS; i++)
		s->x[i] = vcpu_reg(v, gpr_id(i));
	s->sp = vcpu_reg(v, UC_ARM64_REG_SP);
	s->sp_el0 = vcpu_reg(v, UC_ARM64_REG_SP_EL0);
	s->sp_el1 = vcpu_reg(v, UC_ARM64_REG_SP_EL1);
	s->pc = vcpu_reg(v, UC_ARM64_REG_PC);
	s->pstate = (uint32_t)vcpu_reg(v, UC_ARM64_REG_PSTATE);
	uc_reg_read(v->uc, UC_ARM64_REG_FPCR, &s->fpcr);
	uc_reg_read(v->uc, UC_ARM64_REG_FPSR, &s->fpsr);
	for (int i = 0; i < NR_QREGS; i++)
		uc_reg_read(v->uc, UC_ARM64_REG_Q0 + i, s->q[i]);
	for (size_t i = 0; i < NR_SYSREGS; i++)
		s->sys[i] = sysreg_get(v, sysregs[i]);
}

/* Sysregs go through CP_REG (the raw write where the register has one), and
 * only where the context differs: some writes flush the TLB. */
static void live_write(struct vcpu *v, const struct live *s)
{
	for (unsigned int i = 0; i < NR_GPRS; i++)
		vcpu_set_reg(v, gpr_id(i), s->x[i]);
	vcpu_set_reg(v, UC_ARM64_REG_SP_EL0, s->sp_el0);
	vcpu_set_reg(v, UC_ARM64_REG_SP_EL1, s->sp_el1);
	vcpu_set_reg(v, UC_ARM64_REG_SP, s->sp);
	vcpu_set_reg(v, UC_ARM64_REG_PSTATE, s->pstate);
	uc_reg_write(v->uc, UC_ARM64_REG_FPCR, &s->fpcr);
	uc_reg_write(v->uc, UC_ARM64_REG_FPSR, &s->fpsr);
	for (int i = 0; i < NR_QREGS; i++)
		uc_reg_write(v->uc, UC_ARM64_REG_Q0 + i, s->q[i]);
	for (size_t i = 0; i < NR_SYSREGS; i++)
		if (sysreg_get(v, sysregs[i]) != s->sys[i])
			sysreg_put(v, sysregs[i], s->sys[i]);
	vcpu_set_reg(v, UC_ARM64_REG_PC, s->pc);
}

int el1ctx_enter(struct vcpu *v)
{
	struct el1ctx *c = &v->el1;
	struct live s;

	if (!c->valid)
		return -ENOENT;
	live_read(v, &s);
	if (uc_context_restore(v->uc, c->ctx))
		return -EIO;
	live_write(v, &s);
	v->vmm->stats.el0_entries++;
	return 0;
}

const char *el1ctx_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "no EL1 state captured since the EL1 controls last changed (or only with "
		       "PSTATE.PAN/UAO set)";
	default:
		return "uc_context_restore failed";
	}
}
