/* SPDX-License-Identifier: MIT */
/*
 * Exceptions taken from EL0 on the VMM's Unicorn vCPU (src/vmm/el1ctx.c):
 * the EL1 handler runs as EL1, sees the state EL0 left (registers, SIMD,
 * EL0 system registers written after the EL1 context was captured) and the
 * syndrome, and EL1 controls changed after the capture (SCTLR_EL1.EE: EL1
 * data accesses turn big-endian) are in force in the handler; without an
 * EL1 context the run ends with a message.  The guest here is a few
 * hand-placed instructions driven slice by slice, as vmm.c's run loop does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/bits.h"
#include "vmm/vmm.h"

/* Where the pieces of guest code sit, from the image's load address. */
#define EL1_CODE	0x000
#define EL0_CODE	0x100
#define VBAR_OFF	0x800
#define VEC_LOWER_SYNC	0x400

/* EL1: big-endian data at EL1 (x5 = SCTLR_EL1 with EE), then ERET to EL0. */
static const uint32_t el1_code[] = {
	0xd5181005,	/* msr sctlr_el1, x5 */
	0xd5033fdf,	/* isb */
	0xd69f03e0,	/* eret */
};
/* EL0: change EL0-writable state after the capture, then SVC #5. */
static const uint32_t el0_code[] = {
	0xd51bd042,	/* msr tpidr_el0, x2 */
	0x9e670063,	/* fmov d3, x3 */
	0x91000484,	/* add x4, x4, #1 */
	0xd40000a1,	/* svc #5 */
};
/* Lower-EL sync vector: EL1 registers, SIMD and EL1's data endianness. */
static const uint32_t handler[] = {
	0xd5385200,	/* mrs x0, esr_el1 */
	0xd5384241,	/* mrs x1, currentel */
	0x9e660066,	/* fmov x6, d3 */
	0xb94000e8,	/* ldr w8, [x7] */
	0x14000000,	/* b . */
};
static const uint32_t data_word = 0x11223344;

#define SCTLR_EE	(1ULL << 25)
#define DATA_OFF	0x1000
#define ESR_SVC5	((0x15ULL << 26) | (1ULL << 25) | 5)
#define CURRENTEL_EL1	(1ULL << 2)
#define SP_EL0_VAL	0x40200000ULL
#define SP_EL1_VAL	0x40300000ULL
#define SYS_SCTLR_EL1	3, 0, 1, 0, 0
#define SYS_SPSR_EL1	3, 0, 4, 0, 0
#define SYS_ELR_EL1	3, 0, 4, 0, 1
#define SYS_VBAR_EL1	3, 0, 12, 0, 0
#define SYS_TPIDR_EL0	3, 3, 13, 0, 2
#define MAX_SLICES	16

static char image_path[64];

static struct vmm *boot(void)
{
	struct vmm_config cfg = { .nr_vcpus = 1, .ram_mib = 128, .image = image_path };
	struct vmm *vmm = NULL;
	char zero[64] = { 0 };
	FILE *f;

	snprintf(image_path, sizeof(image_path), "/tmp/vgic-test-el0-%d", getpid());
	f = fopen(image_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(zero, 1, sizeof(zero), f), sizeof(zero));
	fclose(f);
	assert_int_equal(vmm_create(&cfg, &vmm), 0);
	unlink(image_path);
	return vmm;
}

static void place(struct vmm *vmm, uint64_t off, const uint32_t *code, size_t bytes)
{
	memcpy(vmm->ram + (vmm->entry - VIRT_RAM) + off, code, bytes);
}

/* Slices as vmm.c runs them, until the vCPU reaches @until. */
static void run_to(struct vcpu *v, uint64_t until)
{
	for (int i = 0; i < MAX_SLICES && vcpu_reg(v, UC_ARM64_REG_PC) != until; i++) {
		atomic_store(&v->stop_wanted, 0);
		v->stopped_by_hook = false;
		el1ctx_capture(v);
		assert_int_equal(uc_emu_start(v->uc, vcpu_reg(v, UC_ARM64_REG_PC), until, 0, 0),
				 UC_ERR_OK);
		assert_int_equal(atomic_load(&v->vmm->exit), VMM_RUNNING);
	}
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_PC), until);
}

static uint64_t pattern(unsigned int i)
{
	return 0x1111111111111111ULL * (i % 15 + 1) + i;
}

static int gpr(unsigned int i)
{
	return i == 29 ? UC_ARM64_REG_X29 : i == 30 ? UC_ARM64_REG_X30 : UC_ARM64_REG_X0 + (int)i;
}

static void test_svc_from_el0_runs_el1_handler_with_live_state(void **state)
{
	struct vmm *vmm = boot();
	struct vcpu *v = &vmm->vcpus[0];
	uint64_t base = vmm->entry, vbar = base + VBAR_OFF, q[2];

	(void)state;
	place(vmm, EL1_CODE, el1_code, sizeof(el1_code));
	place(vmm, EL0_CODE, el0_code, sizeof(el0_code));
	place(vmm, VBAR_OFF + VEC_LOWER_SYNC, handler, sizeof(handler));
	place(vmm, DATA_OFF, &data_word, sizeof(data_word));
	for (unsigned int i = 2; i <= 30; i++)
		vcpu_set_reg(v, gpr(i), pattern(i));
	vcpu_set_reg(v, UC_ARM64_REG_X5, vcpu_sysreg(v, SYS_SCTLR_EL1) | SCTLR_EE);
	vcpu_set_reg(v, UC_ARM64_REG_X7, base + DATA_OFF);
	for (int i = 8; i < 32; i++) {
		q[0] = pattern((unsigned int)i);
		q[1] = ~q[0];
		uc_reg_write(v->uc, UC_ARM64_REG_Q0 + i, q);
	}
	vcpu_set_sysreg(v, SYS_VBAR_EL1, vbar);
	vcpu_set_sysreg(v, SYS_ELR_EL1, base + EL0_CODE);
	vcpu_set_sysreg(v, SYS_SPSR_EL1, 0);	/* EL0t */
	vcpu_set_reg(v, UC_ARM64_REG_SP_EL0, SP_EL0_VAL);
	vcpu_set_reg(v, UC_ARM64_REG_SP, SP_EL1_VAL);
	vcpu_set_reg(v, UC_ARM64_REG_PC, base + EL1_CODE);

	run_to(v, vbar + VEC_LOWER_SYNC + sizeof(handler) - 4);

	assert_int_equal(vmm->stats.el0_entries, 1);
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_X0), ESR_SVC5);
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_X1), CURRENTEL_EL1);
	/* Written at EL0 after the EL1 context was captured. */
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_X6), pattern(3));
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_X4), pattern(4) + 1);
	assert_int_equal(vcpu_sysreg(v, SYS_TPIDR_EL0), pattern(2));
	/* SCTLR_EL1.EE was set after the capture (EL0 itself stays little-endian). */
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_X8), __builtin_bswap32(data_word));
	for (unsigned int i = 9; i <= 30; i++)
		assert_int_equal(vcpu_reg(v, gpr(i)), pattern(i));
	for (int i = 8; i < 32; i++) {
		uc_reg_read(v->uc, UC_ARM64_REG_Q0 + i, q);
		assert_int_equal(q[0], pattern((unsigned int)i));
		assert_int_equal(q[1], ~pattern((unsigned int)i));
	}
	assert_int_equal(vcpu_sysreg(v, SYS_ELR_EL1), base + EL0_CODE + sizeof(el0_code));
	assert_int_equal(vcpu_sysreg(v, SYS_SPSR_EL1), 0);
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_SP), SP_EL1_VAL);
	assert_int_equal(vcpu_reg(v, UC_ARM64_REG_SP_EL0), SP_EL0_VAL);
	vmm_destroy(vmm);
}

/*
 * A vCPU put at EL0 from the host has never been seen at EL1, so there is no
 * EL1 context to enter the handler with: the run ends with a message.
 */
static void test_el0_without_el1_context_ends_run(void **state)
{
	struct vmm *vmm = boot();
	struct vcpu *v = &vmm->vcpus[0];

	(void)state;
	place(vmm, EL0_CODE, el0_code, sizeof(el0_code));
	vcpu_set_reg(v, UC_ARM64_REG_PSTATE, 0);	/* EL0t */
	vcpu_set_reg(v, UC_ARM64_REG_PC, vmm->entry + EL0_CODE);
	el1ctx_capture(v);
	assert_int_equal(uc_emu_start(v->uc, vmm->entry + EL0_CODE, 0, 0, 2 * ARRAY_SIZE(el0_code)),
			 UC_ERR_OK);
	assert_int_equal(atomic_load(&vmm->exit), VMM_EXIT_RUNAWAY);
	assert_non_null(strstr(vmm->exit_msg, "exception from EL0"));
	assert_int_equal(vmm->stats.el0_entries, 0);
	vmm_destroy(vmm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svc_from_el0_runs_el1_handler_with_live_state),
		cmocka_unit_test(test_el0_without_el1_context_ends_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
