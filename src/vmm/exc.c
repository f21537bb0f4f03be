/* SPDX-License-Identifier: MIT */
/*
 * Exception entry to EL1 done by the VMM, since Unicorn hands every exception
 * to UC_HOOK_INTR instead of delivering it, and gives no syndrome: ESR and
 * FAR are built here, following the ARM ARM's "Exception entry" rules.
 */
#include <stdio.h>

#include "common/bits.h"
#include "vmm/vmm.h"

/* PSTATE / SPSR fields. */
FIELD(PSTATE, SP, 0, 1);
FIELD(PSTATE, EL, 2, 2);
FIELD(PSTATE, DAIF, 6, 4);
#define PSTATE_F	BIT(6)
#define PSTATE_I	BIT(7)
#define PSTATE_EL1H	0x5u

/* ESR_ELx. */
FIELD(ESR, EC, 26, 6);
FIELD(ESR, IL, 25, 1);
FIELD(ESR, ISS, 0, 25);
FIELD(ESR_ABT, WNR, 6, 1);
FIELD(ESR_ABT, FSC, 0, 6);
#define EC_UNKNOWN	0x00
#define EC_SVC64	0x15
#define EC_DABT_LOW	0x24
#define EC_DABT_CUR	0x25
#define EC_BRK64	0x3c
#define FSC_SYNC_EXT	0x10	/* synchronous external abort, not on a walk */

/* Vector offsets from VBAR_EL1. */
#define VEC_CUR_SP0	0x000
#define VEC_CUR_SPX	0x200
#define VEC_LOWER_A64	0x400
#define VEC_KIND_STRIDE	0x80

/* Intnos of Unicorn's (QEMU's) EXCP_* we meet. */
#define EXCP_UDEF	1
#define EXCP_SWI	2
#define EXCP_BKPT	7
#define EXCP_HVC	11
#define EXCP_SMC	13

/* Instruction encodings the VMM decodes. */
#define INSN_HVC_MASK	0xffe0001fu
#define INSN_HVC	0xd4000002u
#define INSN_SMC	0xd4000003u
FIELD(INSN_EXC, IMM16, 5, 16);

/* SYS encodings of the EL1 registers written on entry (op0, op1, CRn, CRm, op2). */
#define SPSR_EL1	3, 0, 4, 0, 0
#define ELR_EL1		3, 0, 4, 0, 1
#define ESR_EL1		3, 0, 5, 2, 0
#define FAR_EL1		3, 0, 6, 0, 0
#define VBAR_EL1	3, 0, 12, 0, 0

/* Identical synchronous exceptions in a row that mean the guest is stuck. */
#define EXC_LOOP_LIMIT	1000

static uint64_t esr_make(unsigned int ec, uint64_t iss)
{
	return FIELD_DP(ESR, EC, ec) | FIELD_DP(ESR, IL, 1) | FIELD_DP(ESR, ISS, iss);
}

void exc_enter(struct vcpu *v, enum exc_kind kind, uint64_t elr, uint64_t esr, uint64_t far)
{
	uint64_t old = vcpu_reg(v, UC_ARM64_REG_PSTATE);
	unsigned int el = FIELD_GET(PSTATE, EL, old);
	uint64_t off;
	int err;

	if (el == 0) {
		/* Unicorn caches the EL in its translation flags: el1ctx.c. */
		err = el1ctx_enter(v);
		if (err) {
			vmm_request_exit(v->vmm, VMM_EXIT_RUNAWAY,
					 "vcpu%u: exception from EL0 (pc 0x%llx, ESR 0x%llx) cannot "
					 "be entered: %s", v->idx, (unsigned long long)elr,
					 (unsigned long long)esr, el1ctx_strerror(err));
			vcpu_request_stop(v);
			return;
		}
		off = VEC_LOWER_A64;
	} else {
		off = FIELD_GET(PSTATE, SP, old) ? VEC_CUR_SPX : VEC_CUR_SP0;
	}
	off += (uint64_t)kind * VEC_KIND_STRIDE;

	/*
	 * Unicorn's PSTATE write does not bank the stack pointer: coming from
	 * EL0 or EL1t, park the live SP in SP_EL0 and load SP_EL1.
	 */
	if (!FIELD_GET(PSTATE, SP, old)) {
		vcpu_set_reg(v, UC_ARM64_REG_SP_EL0, vcpu_reg(v, UC_ARM64_REG_SP));
		vcpu_set_reg(v, UC_ARM64_REG_SP, vcpu_reg(v, UC_ARM64_REG_SP_EL1));
	}
	/* Unicorn's translation flags are EL1's already (from EL0: el1ctx_enter). */
	vcpu_set_reg(v, UC_ARM64_REG_PSTATE, FIELD_DP(PSTATE, DAIF, 0xf) | PSTATE_EL1H);
	vcpu_set_sysreg(v, SPSR_EL1, old);
	vcpu_set_sysreg(v, ELR_EL1, elr);
	if (kind == EXC_SYNC) {
		vcpu_set_sysreg(v, ESR_EL1, esr);
		if (far != NEVER)
			vcpu_set_sysreg(v, FAR_EL1, far);
		v->vmm->stats.sync_entries++;
	} else {
		v->vmm->stats.irq_entries++;
	}
	vcpu_set_reg(v, UC_ARM64_REG_PC, vcpu_sysreg(v, VBAR_EL1) + off);
}

bool exc_deliver_pending(struct vcpu *v, uint64_t ret_pc)
{
	int pend = vgic_vcpu_pending(v->vmm->vm, v->idx);
	uint64_t pstate;

	v->watch_mask = 0;
	if (pend <= 0)
		return false;
	pstate = vcpu_reg(v, UC_ARM64_REG_PSTATE);
	if ((pend & VGIC_PENDING_FIQ) && !(pstate & PSTATE_F)) {
		exc_enter(v, EXC_FIQ, ret_pc, 0, NEVER);
		return true;
	}
	if ((pend & VGIC_PENDING_IRQ) && !(pstate & PSTATE_I)) {
		v->irqs_taken++;
		exc_enter(v, EXC_IRQ, ret_pc, 0, NEVER);
		return true;
	}
	/* Masked: watch PSTATE for the unmask (vcpu.c, on_insn). */
	v->watch_mask = ((pend & VGIC_PENDING_IRQ) ? PSTATE_I : 0) |
			((pend & VGIC_PENDING_FIQ) ? PSTATE_F : 0);
	return false;
}

/* A synchronous exception; ends the run if the guest is looping on it. */
static void exc_sync(struct vcpu *v, uint64_t elr, uint64_t esr, uint64_t far)
{
	if (elr == v->last_exc_elr && esr == v->last_exc_esr) {
		if (++v->same_exc >= EXC_LOOP_LIMIT) {
			vmm_request_exit(v->vmm, VMM_EXIT_RUNAWAY,
					 "vcpu%u: exception loop: %u identical exceptions at pc 0x%llx "
					 "(ESR 0x%llx)", v->idx, v->same_exc,
					 (unsigned long long)elr, (unsigned long long)esr);
			vcpu_request_stop(v);
			return;
		}
	} else {
		v->same_exc = 0;
		v->last_exc_elr = elr;
		v->last_exc_esr = esr;
	}
	exc_enter(v, EXC_SYNC, elr, esr, far);
}

void exc_undef(struct vcpu *v, uint64_t pc)
{
	exc_sync(v, pc, esr_make(EC_UNKNOWN, 0), NEVER);
}

void exc_undef_later(struct vcpu *v, uint64_t pc)
{
	v->undef_pc = pc;
	v->undef_pending = true;
	vcpu_request_stop(v);
}

static unsigned int current_el(struct vcpu *v)
{
	return FIELD_GET(PSTATE, EL, vcpu_reg(v, UC_ARM64_REG_PSTATE));
}

/*
 * HVC and SMC are the PSCI conduit, valid from EL1 only.  Unicorn's CPU has
 * no EL2/EL3: HVC arrives as an undefined instruction with PC at it, SMC as
 * EXCP_SMC with PC already past it.  @next is where the guest resumes.
 */
static bool try_psci(struct vcpu *v, uint32_t insn, uint64_t next)
{
	uint32_t kind = insn & INSN_HVC_MASK;

	if ((kind != INSN_HVC && kind != INSN_SMC) || current_el(v) == 0)
		return false;
	psci_call(v);
	vcpu_set_reg(v, UC_ARM64_REG_PC, next);
	return true;
}

void exc_from_intr(struct vcpu *v, uint32_t intno)
{
	uint64_t pc = vcpu_reg(v, UC_ARM64_REG_PC);
	uint32_t insn = 0;

	switch (intno) {
	case EXCP_UDEF:
		if (vcpu_fetch(v, pc, &insn) && try_psci(v, insn, pc + 4))
			return;
		exc_sync(v, pc, esr_make(EC_UNKNOWN, 0), NEVER);
		return;
	case EXCP_HVC:
	case EXCP_SMC:
		if (vcpu_fetch(v, pc - 4, &insn) && try_psci(v, insn, pc))
			return;
		exc_sync(v, pc - 4, esr_make(EC_UNKNOWN, 0), NEVER);
		return;
	case EXCP_SWI:
		/*
		 * Unicorn reports SVC with PC already past the instruction.  An
		 * SVC returns past itself, so SVCs repeated at one PC are the
		 * guest's own loop (a syscall loop at EL0), never a stuck
		 * exception: not counted by the loop detection.
		 */
		vcpu_fetch(v, pc - 4, &insn);
		v->same_exc = 0;
		exc_enter(v, EXC_SYNC, pc, esr_make(EC_SVC64, FIELD_GET(INSN_EXC, IMM16, insn)), NEVER);
		return;
	case EXCP_BKPT:
		vcpu_fetch(v, pc, &insn);
		exc_sync(v, pc, esr_make(EC_BRK64, FIELD_GET(INSN_EXC, IMM16, insn)), NEVER);
		return;
	default:
		/* MMU or alignment faults: Unicorn keeps their syndrome to itself. */
		vmm_request_exit(v->vmm, VMM_EXIT_RUNAWAY,
				 "vcpu%u: exception %u at pc 0x%llx that this VMM cannot "
				 "reflect to the guest (MMU/alignment fault?)",
				 v->idx, intno, (unsigned long long)pc);
		vcpu_request_stop(v);
		return;
	}
}

/*
 * A data access outside RAM and every device: a synchronous external abort,
 * as QEMU's virt raises for an unassigned address (DFSC 0x10, no ISS).  An
 * instruction fetch from there ends the VM, as KVM_RUN fails with -ENOEXEC
 * for a prefetch abort on a non-memory address.
 */
void exc_from_fault(struct vcpu *v)
{
	uint64_t pc = vcpu_reg(v, UC_ARM64_REG_PC);
	bool lower = current_el(v) == 0;
	uint64_t iss;

	if (v->fault_type == UC_MEM_FETCH_UNMAPPED) {
		vmm_request_exit(v->vmm, VMM_EXIT_RUNAWAY,
				 "vcpu%u: instruction fetch from 0x%llx, which is not RAM",
				 v->idx, (unsigned long long)v->fault_addr);
		return;
	}
	iss = FIELD_DP(ESR_ABT, FSC, FSC_SYNC_EXT) |
	      FIELD_DP(ESR_ABT, WNR, v->fault_type == UC_MEM_WRITE_UNMAPPED);
	exc_sync(v, pc, esr_make(lower ? EC_DABT_LOW : EC_DABT_CUR, iss), v->fault_addr);
}
