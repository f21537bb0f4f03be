/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0 over HVC and SMC (function ID in x0, arguments in x1..x3, result
 * in x0), with the subset KVM offers: VERSION, FEATURES, CPU_ON, CPU_OFF,
 * AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET.
 */
#include "common/bits.h"
#include "vmm/vmm.h"

#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_OFF		0x84000002u
#define PSCI_CPU_ON_32		0x84000003u
#define PSCI_AFFINITY_INFO_32	0x84000004u
#define PSCI_MIGRATE_INFO_TYPE	0x84000006u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_FEATURES		0x8400000au
#define PSCI_CPU_ON_64		0xc4000003u
#define PSCI_AFFINITY_INFO_64	0xc4000004u

#define PSCI_FN_64BIT		BIT(30)
#define PSCI_VERSION_1_0	0x10000u

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMS	(-2)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_INVALID_ADDRESS	(-9)

#define PSCI_AFF_ON		0
#define PSCI_AFF_OFF		1
#define PSCI_MIGRATE_NONE	2	/* no Trusted OS to migrate */

/* MPIDR affinity fields (Aff3 in 39:32, Aff2..0 in 23:0). */
#define MPIDR_AFF_MASK		0xff00ffffffULL
#define MPIDR_LEVEL_BITS	8

typedef int64_t (*psci_fn)(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3);

static struct vcpu *vcpu_by_mpidr(struct vmm *vmm, uint64_t mpidr)
{
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		if ((vmm->vcpus[i].mpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return &vmm->vcpus[i];
	return NULL;
}

static int64_t psci_version(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)v, (void)a1, (void)a2, (void)a3;
	return PSCI_VERSION_1_0;
}

static int64_t psci_cpu_on(struct vcpu *v, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vmm *vmm = v->vmm;
	struct vcpu *t = vcpu_by_mpidr(vmm, mpidr);

	if (!t)
		return PSCI_INVALID_PARAMS;
	if (t->power == VCPU_ON)
		return PSCI_ALREADY_ON;
	/* The entry point is physical: the target starts with its MMU off. */
	if (entry < VIRT_RAM || entry - VIRT_RAM > vmm->ram_size - 4 || (entry & 3))
		return PSCI_INVALID_ADDRESS;
	if (vcpu_reset(t, entry, ctx))
		return PSCI_INVALID_PARAMS;
	t->power = VCPU_ON;
	/* Reschedule so the new vCPU gets time slices at once. */
	vcpu_request_stop(v);
	vmm_wake(vmm);
	return PSCI_SUCCESS;
}

static int64_t psci_cpu_off(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a1, (void)a2, (void)a3;
	v->power = VCPU_OFF;
	vcpu_request_stop(v);
	return PSCI_SUCCESS;
}

static int64_t psci_affinity_info(struct vcpu *v, uint64_t aff, uint64_t level, uint64_t a3)
{
	struct vmm *vmm = v->vmm;
	uint64_t mask;
	bool found = false;

	(void)a3;
	if (level > 3)
		return PSCI_INVALID_PARAMS;
	/* Level N ignores the affinity fields below it. */
	mask = level ? MPIDR_AFF_MASK & ~GENMASK(level * MPIDR_LEVEL_BITS - 1, 0) : MPIDR_AFF_MASK;
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		if ((vmm->vcpus[i].mpidr & mask) != (aff & mask))
			continue;
		found = true;
		if (vmm->vcpus[i].power == VCPU_ON)
			return PSCI_AFF_ON;
	}
	return found ? PSCI_AFF_OFF : PSCI_INVALID_PARAMS;
}

static int64_t psci_migrate_info_type(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)v, (void)a1, (void)a2, (void)a3;
	return PSCI_MIGRATE_NONE;
}

static int64_t psci_system_off(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a1, (void)a2, (void)a3;
	vmm_request_exit(v->vmm, VMM_EXIT_POWEROFF, "vcpu%u: PSCI SYSTEM_OFF", v->idx);
	vcpu_request_stop(v);
	return PSCI_SUCCESS;
}

static int64_t psci_system_reset(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a1, (void)a2, (void)a3;
	vmm_request_exit(v->vmm, VMM_EXIT_RESET, "vcpu%u: PSCI SYSTEM_RESET", v->idx);
	vcpu_request_stop(v);
	return PSCI_SUCCESS;
}

static int64_t psci_features(struct vcpu *v, uint64_t fid, uint64_t a2, uint64_t a3);

static const struct psci_call {
	uint32_t fid;
	psci_fn fn;
} psci_calls[] = {
	{ PSCI_VERSION, psci_version },
	{ PSCI_CPU_OFF, psci_cpu_off },
	{ PSCI_CPU_ON_32, psci_cpu_on },
	{ PSCI_CPU_ON_64, psci_cpu_on },
	{ PSCI_AFFINITY_INFO_32, psci_affinity_info },
	{ PSCI_AFFINITY_INFO_64, psci_affinity_info },
	{ PSCI_MIGRATE_INFO_TYPE, psci_migrate_info_type },
	{ PSCI_SYSTEM_OFF, psci_system_off },
	{ PSCI_SYSTEM_RESET, psci_system_reset },
	{ PSCI_FEATURES, psci_features },
};

static const struct psci_call *psci_lookup(uint64_t fid)
{
	for (size_t i = 0; i < ARRAY_SIZE(psci_calls); i++)
		if (psci_calls[i].fid == fid)
			return &psci_calls[i];
	return NULL;
}

static int64_t psci_features(struct vcpu *v, uint64_t fid, uint64_t a2, uint64_t a3)
{
	(void)v, (void)a2, (void)a3;
	return psci_lookup((uint32_t)fid) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
}

void psci_call(struct vcpu *v)
{
	uint64_t fid = vcpu_reg(v, UC_ARM64_REG_X0);
	uint64_t a[3] = { vcpu_reg(v, UC_ARM64_REG_X1), vcpu_reg(v, UC_ARM64_REG_X2),
			  vcpu_reg(v, UC_ARM64_REG_X3) };
	const struct psci_call *c = fid >> 32 ? NULL : psci_lookup(fid);
	int64_t ret = PSCI_NOT_SUPPORTED;

	if (c) {
		/* SMC32/HVC32 calls take 32-bit arguments. */
		if (!(fid & PSCI_FN_64BIT))
			for (int i = 0; i < 3; i++)
				a[i] = (uint32_t)a[i];
		ret = c->fn(v, a[0], a[1], a[2]);
	}
	vcpu_set_reg(v, UC_ARM64_REG_X0, (uint64_t)ret);
}
