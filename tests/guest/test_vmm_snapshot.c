/* SPDX-License-Identifier: MIT */
/*
 * Whole-VM snapshots (src/vmm/snapshot.c) on the host: what a VM holds comes
 * back register for register in a VM built from its snapshot, and a snapshot
 * cut short or with any byte changed is refused by the parser (which is what
 * runs before any VM is built).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/vmm.h"

#define NR_VCPUS	2
#define PSTATE_EL1T	0x3c4	/* DAIF masked, EL1, SP_EL0 */
#define PSTATE_EL1H	0x3c5
#define TPIDR_EL1	3, 0, 13, 0, 4
#define VBAR_EL1	3, 0, 12, 0, 0
#define MAIR_EL1	3, 0, 10, 2, 0

static struct vmm *empty_vm(void)
{
	struct vmm_config cfg = { .nr_vcpus = NR_VCPUS, .ram_mib = 64, .its = true };
	struct vmm *vmm = NULL;

	assert_int_equal(vmm_create(&cfg, &vmm), 0);
	return vmm;
}

/* Distinct values in every kind of state the snapshot carries. */
static void fill(struct vmm *vmm)
{
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		struct vcpu *v = &vmm->vcpus[i];
		uint64_t q[2] = { 0x1111 + i, 0x2222 + i };

		vcpu_set_sysreg(v, TPIDR_EL1, 0xabc0 + i);
		vcpu_set_sysreg(v, VBAR_EL1, VIRT_RAM + 0x800 * (i + 1));
		vcpu_set_sysreg(v, MAIR_EL1, 0xff00 + i);
		/* vCPU 1 runs on SP_EL0 (EL1t): both banked SPs must come back. */
		vcpu_set_reg(v, UC_ARM64_REG_PSTATE, i ? PSTATE_EL1T : PSTATE_EL1H);
		vcpu_set_reg(v, UC_ARM64_REG_SP_EL0, 0x40100000 + i);
		vcpu_set_reg(v, UC_ARM64_REG_SP_EL1, 0x40200000 + i);
		vcpu_set_reg(v, UC_ARM64_REG_SP, 0x40300000 + 16 * i);
		for (int r = 0; r < 29; r++)
			vcpu_set_reg(v, UC_ARM64_REG_X0 + r, 0x100 * i + r);
		vcpu_set_reg(v, UC_ARM64_REG_X30, 0xdead0000 + i);
		vcpu_set_reg(v, UC_ARM64_REG_PC, VIRT_RAM + 0x1000 + 4 * i);
		uc_reg_write(v->uc, UC_ARM64_REG_Q17, q);
		v->vtimer.ctl = 3;
		v->vtimer.cval = 12345 + i;
		v->power = i ? VCPU_OFF : VCPU_ON;
		v->ran = true;
	}
	memset(vmm->ram + 0x123000, 0x5a, 4096);
	vmm->ram[vmm->ram_size - 1] = 0x77;
}

static void assert_same_vcpu(struct vcpu *a, struct vcpu *b)
{
	static const int regs[] = { UC_ARM64_REG_PSTATE, UC_ARM64_REG_SP, UC_ARM64_REG_PC,
				    UC_ARM64_REG_X30, UC_ARM64_REG_X0, UC_ARM64_REG_X28 };
	uint64_t qa[2], qb[2];

	for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
		assert_int_equal(vcpu_reg(a, regs[r]), vcpu_reg(b, regs[r]));
	assert_int_equal(vcpu_sysreg(a, TPIDR_EL1), vcpu_sysreg(b, TPIDR_EL1));
	assert_int_equal(vcpu_sysreg(a, VBAR_EL1), vcpu_sysreg(b, VBAR_EL1));
	assert_int_equal(vcpu_sysreg(a, MAIR_EL1), vcpu_sysreg(b, MAIR_EL1));
	uc_reg_read(a->uc, UC_ARM64_REG_Q17, qa);
	uc_reg_read(b->uc, UC_ARM64_REG_Q17, qb);
	assert_memory_equal(qa, qb, sizeof(qa));
	assert_int_equal(a->vtimer.ctl, b->vtimer.ctl);
	assert_int_equal(a->vtimer.cval, b->vtimer.cval);
	assert_int_equal(a->power, b->power);
	assert_int_equal(a->ran, b->ran);
}

static void save(struct vmm *vmm, void **buf, size_t *len)
{
	assert_int_equal(snapshot_save(vmm, true, buf, len), 0);
}

static void round_trip_keeps_state(void **state)
{
	struct vmm *a = empty_vm(), *b = empty_vm();
	struct snap *s;
	uint64_t cnt;
	void *buf;
	size_t len;

	(void)state;
	fill(a);
	a->t0_ns -= 5000000000ULL;	/* the source has run for 5 s */
	cnt = timer_counter(a);
	save(a, &buf, &len);
	assert_int_equal(snapshot_parse(buf, len, &s), 0);
	assert_true(snapshot_at_prompt(s));
	assert_int_equal(snapshot_apply(b, s), 0);
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		assert_same_vcpu(&a->vcpus[i], &b->vcpus[i]);
	/* EL1t: the live SP is SP_EL0, and SP_EL1 is the banked one. */
	assert_int_equal(vcpu_reg(&b->vcpus[1], UC_ARM64_REG_SP_EL1), 0x40200001);
	assert_memory_equal(a->ram, b->ram, a->ram_size);
	/* The counter goes on from where it was, never backwards. */
	assert_true(timer_counter(b) >= cnt);
	snapshot_free(s);
	free(buf);
	vmm_destroy(a);
	vmm_destroy(b);
}

static void other_shape_is_refused(void **state)
{
	struct vmm_config cfg = { .nr_vcpus = 1, .ram_mib = 64, .its = true };
	struct vmm *a = empty_vm(), *b = NULL;
	struct snap *s;
	void *buf;
	size_t len;

	(void)state;
	assert_int_equal(vmm_create(&cfg, &b), 0);
	save(a, &buf, &len);
	assert_int_equal(snapshot_parse(buf, len, &s), 0);
	b->ram[0] = 0x42;
	assert_int_equal(snapshot_apply(b, s), -EINVAL);
	assert_int_equal(b->ram[0], 0x42);	/* untouched */
	snapshot_free(s);
	free(buf);
	vmm_destroy(a);
	vmm_destroy(b);
}

static void damaged_is_refused(void **state)
{
	struct vmm *a = empty_vm();
	struct snap *s = NULL;
	uint8_t *buf;
	size_t len;

	(void)state;
	fill(a);
	save(a, (void **)&buf, &len);
	/* Every prefix of the header and vCPU section, and coarser beyond it. */
	for (size_t cut = 0; cut < len; cut += cut < 2048 ? 1 : 4093)
		assert_int_not_equal(snapshot_parse(buf, cut, &s), 0);
	/* Any one byte changed, at every offset in the first 2 KiB and sampled beyond. */
	for (size_t off = 0; off < len; off += off < 2048 ? 1 : 997) {
		buf[off] ^= 0x01;
		assert_int_not_equal(snapshot_parse(buf, len, &s), 0);
		buf[off] ^= 0x01;
	}
	assert_int_equal(snapshot_parse(buf, len, &s), 0);
	snapshot_free(s);
	free(buf);
	vmm_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_state),
		cmocka_unit_test(other_shape_is_refused),
		cmocka_unit_test(damaged_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
