/* SPDX-License-Identifier: MIT */
/*
 * One Unicorn engine per vCPU: creation, hooks, precise stops, register
 * access.  See vmm.h for why every stop goes through the instruction hook.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bits.h"
#include "vmm/vmm.h"

/*
 * Runs before every instruction.  Stopping here is the only stop Unicorn
 * reports with an exact PC: the instruction has not executed yet.  A stop
 * asked for is sticky until the slice ends, because a PC write by a sysreg or
 * interrupt hook in the same run makes Unicorn drop a pending stop request.
 */
static void on_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct vcpu *v = opaque;

	(void)addr, (void)size;
	if (!v->stopped_by_hook) {
		if (atomic_load_explicit(&v->stop_wanted, memory_order_relaxed)) {
			v->stopped_by_hook = true;
		} else if (v->watch_mask) {
			uint32_t pstate;

			uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
			if ((pstate & v->watch_mask) == v->watch_mask)
				return;
			v->vmm->stats.unmask_stops++;
			v->stopped_by_hook = true;
		} else {
			return;
		}
	}
	uc_emu_stop(uc);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
	(void)uc;
	exc_from_intr(opaque, intno);
}

/* Record the fault and let uc_emu_start return: the run loop decides. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			int64_t value, void *opaque)
{
	struct vcpu *v = opaque;

	(void)uc, (void)size, (void)value;
	v->fault_addr = addr;
	v->fault_type = type;
	return false;
}

void vcpu_request_stop(struct vcpu *v)
{
	atomic_store_explicit(&v->stop_wanted, 1, memory_order_relaxed);
}

uint64_t vcpu_reg(struct vcpu *v, int reg)
{
	uint64_t val = 0;

	if (reg == UC_ARM64_REG_PSTATE) {
		uint32_t p = 0;

		uc_reg_read(v->uc, reg, &p);
		return p;
	}
	uc_reg_read(v->uc, reg, &val);
	return val;
}

void vcpu_set_reg(struct vcpu *v, int reg, uint64_t val)
{
	if (reg == UC_ARM64_REG_PSTATE) {
		uint32_t p = (uint32_t)val;

		uc_reg_write(v->uc, reg, &p);
		return;
	}
	uc_reg_write(v->uc, reg, &val);
}

uint64_t vcpu_sysreg(struct vcpu *v, int op0, int op1, int crn, int crm, int op2)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2 };

	uc_reg_read(v->uc, UC_ARM64_REG_CP_REG, &r);
	return r.val;
}

/* The register's raw write function where it has one, else its write
 * function; neither rebuilds Unicorn 2.0.1's cached translation flags
 * (see el1ctx.c). */
void vcpu_set_sysreg(struct vcpu *v, int op0, int op1, int crn, int crm, int op2, uint64_t val)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2,
			      .val = val };

	uc_reg_write(v->uc, UC_ARM64_REG_CP_REG, &r);
}

/*
 * Guest virtual addresses are read as physical: Unicorn 2.0.1 itself runs
 * guest code only where VA == PA (a fetch through any other mapping is
 * reported as unmapped), so there is nothing else to translate here.
 */
bool vcpu_fetch(struct vcpu *v, uint64_t pc, uint32_t *insn)
{
	struct vmm *vmm = v->vmm;

	if ((pc & 3) || pc < VIRT_RAM || pc - VIRT_RAM > vmm->ram_size - 4)
		return false;
	memcpy(insn, vmm->ram + (pc - VIRT_RAM), 4);
	return true;
}

static int engine_open(struct vcpu *v)
{
	struct vmm *vmm = v->vmm;
	uc_hook h;
	uc_err err;
	int model = UC_CPU_ARM64_MAX;

	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &v->uc);
	if (err)
		goto fail;
	err = uc_ctl_set_cpu_model(v->uc, model);
	if (!err)
		err = uc_mem_map_ptr(v->uc, VIRT_RAM, vmm->ram_size, UC_PROT_ALL, vmm->ram);
	if (!err)
		err = uc_hook_add(v->uc, &h, UC_HOOK_CODE, on_insn, v, 1, 0);
	if (!err)
		err = uc_hook_add(v->uc, &h, UC_HOOK_INTR, on_intr, v, 1, 0);
	if (!err)
		err = uc_hook_add(v->uc, &h, UC_HOOK_MEM_UNMAPPED, on_unmapped, v, 1, 0);
	if (!err)
		err = uc_hook_add(v->uc, &h, UC_HOOK_INSN, sysreg_mrs_hook, v, 1, 0, UC_ARM64_INS_MRS);
	if (!err)
		err = uc_hook_add(v->uc, &h, UC_HOOK_INSN, sysreg_msr_hook, v, 1, 0, UC_ARM64_INS_MSR);
	if (err)
		goto fail;
	if (mmio_map(v) || el1ctx_open(v))
		return -ENOMEM;
	return 0;
fail:
	fprintf(stderr, "vgic run: vcpu%u: unicorn: %s\n", v->idx, uc_strerror(err));
	return -ENOMEM;
}

static void engine_close(struct vcpu *v)
{
	if (!v->uc)
		return;
	el1ctx_close(v);
	mmio_unmap(v);
	uc_close(v->uc);
	v->uc = NULL;
}

int vcpu_init(struct vcpu *v)
{
	v->mpidr = vgic_vcpu_mpidr(v->vmm->vm, v->idx);
	timer_reset(v);
	return engine_open(v);
}

void vcpu_fini(struct vcpu *v)
{
	engine_close(v);
}

/*
 * Power-on state (PSCI CPU_ON, boot): EL1h, DAIF masked, MMU off, x0 = @x0.
 * A vCPU that ran before gets a fresh engine rather than a field-by-field
 * reset, so nothing of its old life leaks into the new one.
 */
int vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t x0)
{
	if (v->ran) {
		engine_close(v);
		if (engine_open(v))
			return -ENOMEM;
	}
	v->ran = true;
	timer_reset(v);
	v->idle = false;
	v->same_exc = 0;
	vcpu_set_reg(v, UC_ARM64_REG_X0, x0);
	vcpu_set_reg(v, UC_ARM64_REG_PC, entry);
	return 0;
}

uc_err vcpu_run_slice(struct vcpu *v)
{
	uint64_t pc = vcpu_reg(v, UC_ARM64_REG_PC);

	v->stopped_by_hook = false;
	v->fault_type = 0;
	el1ctx_capture(v);
	return uc_emu_start(v->uc, pc, 0, 0, 0);
}
