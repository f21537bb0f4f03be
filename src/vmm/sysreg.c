/* SPDX-License-Identifier: MIT */
/*
 * MRS/MSR traps: the GIC CPU interface (ICC_*) goes to the library, the
 * generic timer to timer.c, MPIDR_EL1 is answered per vCPU; everything else
 * runs natively in Unicorn.
 *
 * Unicorn 2.0.1 does not advance the PC when a hook skips an instruction
 * that it would itself UNDEF (the ICC_* registers: it has no GIC), so the
 * hook writes PC + 4 for those.  For registers it implements (timer, MPIDR)
 * a skip just goes on with the next instruction, and a PC write would cost a
 * restart of the emulation loop (~110 ns per access, measured).  The hook
 * cannot send the guest anywhere else: the rest of the translation block
 * still runs and its branch overwrites the PC.  So
 * when the access made an interrupt deliverable (an EOI or PMR write
 * unmasking a pending one) or must UNDEF, the hook asks for a stop before
 * the next instruction and the run loop enters the exception there.
 */
#include <errno.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define MPIDR_EL1	VGIC_SYSREG(3, 0, 0, 0, 5)
#define MPIDR_RES1	BIT(31)
#define SYSREG_OP0_ICC	3
#define SYSREG_CRN_ICC	12

/* Results of one register handler. */
enum sysreg_res {
	SYSREG_NATIVE,		/* not ours: let Unicorn execute it */
	SYSREG_DONE,
	SYSREG_UNDEF,		/* UNDEFINED for the guest */
};

static bool is_icc(uint32_t enc)
{
	return VGIC_SYSREG_OP0(enc) == SYSREG_OP0_ICC && VGIC_SYSREG_OP1(enc) == 0 &&
	       (VGIC_SYSREG_CRN(enc) == SYSREG_CRN_ICC || enc == ICC_PMR_EL1);
}

static enum sysreg_res icc_result(int ret)
{
	if (ret == -ENOENT)
		return SYSREG_NATIVE;
	return ret < 0 ? SYSREG_UNDEF : SYSREG_DONE;
}

static enum sysreg_res sysreg_read(struct vcpu *v, uint32_t enc, uint64_t *val)
{
	if (is_icc(enc))
		return icc_result(vgic_sysreg_read(v->vmm->vm, v->idx, enc, val));
	if (timer_sysreg_read(v, enc, val))
		return SYSREG_DONE;
	if (enc == MPIDR_EL1) {
		*val = v->mpidr | MPIDR_RES1;
		return SYSREG_DONE;
	}
	return SYSREG_NATIVE;
}

static enum sysreg_res sysreg_write(struct vcpu *v, uint32_t enc, uint64_t val)
{
	if (is_icc(enc))
		return icc_result(vgic_sysreg_write(v->vmm->vm, v->idx, enc, val));
	if (timer_sysreg_write(v, enc, val))
		return SYSREG_DONE;
	return SYSREG_NATIVE;
}

/*
 * One hook per direction, so that no instruction fetch is needed (the guest
 * may run with its MMU on).  @reg is Xt; XZR reads 0 and ignores writes.
 */
static uint32_t sysreg_trap(struct vcpu *v, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
			    bool is_read)
{
	uint32_t enc = VGIC_SYSREG(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	uint64_t pc = vcpu_reg(v, UC_ARM64_REG_PC), val = 0;
	enum sysreg_res res;

	if (is_read)
		res = sysreg_read(v, enc, &val);
	else
		res = sysreg_write(v, enc, vcpu_reg(v, reg));
	if (res == SYSREG_NATIVE) {
		if (!is_read)
			el1ctx_note_msr(v, enc);
		return 0;
	}
	v->vmm->stats.sysreg_traps++;
	if (res == SYSREG_UNDEF)
		exc_undef_later(v, pc);
	else if (is_read)
		vcpu_set_reg(v, reg, val);
	/* Only a write (EOI, DIR, PMR, IGRPEN, ...) can unmask a pending interrupt. */
	if (res != SYSREG_UNDEF && !is_read && is_icc(enc) &&
	    vgic_vcpu_pending(v->vmm->vm, v->idx) > 0)
		vcpu_request_stop(v);
	if (is_icc(enc))
		vcpu_set_reg(v, UC_ARM64_REG_PC, pc + 4);
	return 1;
}

uint32_t sysreg_mrs_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque)
{
	(void)uc;
	return sysreg_trap(opaque, reg, cp, true);
}

uint32_t sysreg_msr_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque)
{
	(void)uc;
	return sysreg_trap(opaque, reg, cp, false);
}
