/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "guest_fuzz.h"

uint64_t fuzz_rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static const unsigned int fuzz_lens[] = { 1, 2, 4, 8 };

/* Anywhere in the frames (or just around them), mostly aligned, any width. */
bool fuzz_mmio(struct vgic_vm *vm, unsigned int nr_vcpus, unsigned int vcpu, uint64_t *seed)
{
	uint64_t r = fuzz_rng(seed), v = fuzz_rng(seed);
	unsigned int len = fuzz_lens[r & 3];
	unsigned int frame = (r >> 32) % nr_vcpus;
	uint64_t gpa, off = (r >> 16) & 0xffff;
	int ret;

	if ((r >> 8) & 7)
		off &= ~(uint64_t)(len - 1);
	switch ((r >> 12) & 3) {
	case 0:
		gpa = T_DIST + off;
		break;
	case 1:
		gpa = gicr_base(frame) + off;
		break;
	case 2:
		gpa = gicr_base(frame) + GICR_SGI_BASE + off;
		break;
	default:
		/* The per-interrupt arrays, where most of the state is. */
		gpa = T_DIST + (off & 0x1fff);
		break;
	}
	if ((r >> 40) & 1)
		ret = vgic_mmio_write(vm, vcpu, gpa, len, v);
	else
		ret = vgic_mmio_read(vm, vcpu, gpa, len, &v);
	return ret == VGIC_MMIO_HANDLED || ret == VGIC_MMIO_NOT_MINE;
}

bool fuzz_sysreg(struct vgic_vm *vm, unsigned int vcpu, uint64_t *seed)
{
	static const uint32_t regs[] = {
		ICC_PMR_EL1, ICC_IAR0_EL1, ICC_EOIR0_EL1, ICC_HPPIR0_EL1, ICC_BPR0_EL1,
		ICC_AP0R0_EL1, ICC_AP0R1_EL1, ICC_AP1R0_EL1, ICC_AP1R3_EL1, ICC_DIR_EL1,
		ICC_RPR_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1, ICC_IAR1_EL1,
		ICC_EOIR1_EL1, ICC_HPPIR1_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_SRE_EL1,
		ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1, VGIC_SYSREG(3, 0, 12, 13, 7),
	};
	uint64_t r = fuzz_rng(seed), v = fuzz_rng(seed);
	uint32_t enc = regs[r % ARRAY_SIZE(regs)];
	int ret;

	/* Small values half of the time, so that EOIR/DIR hit real interrupts. */
	if ((r >> 16) & 1)
		v &= 0x3ff;
	if ((r >> 17) & 1)
		ret = vgic_sysreg_write(vm, vcpu, enc, v);
	else
		ret = vgic_sysreg_read(vm, vcpu, enc, &v);
	return ret == 0 || ret == -EPERM || ret == -ENOENT;
}

void fuzz_guest_reset(struct tvm *t)
{
	dist_wr(t, GICD_CTLR, 0);
	for (uint32_t w = 1; w < 8; w++) {
		dist_wr(t, GICD_ICENABLER + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICPENDR + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICACTIVER + 4 * w, 0xffffffff);
		dist_wr(t, GICD_IGROUPR + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICFGR + 8 * w, 0xaaaaaaaa);
		dist_wr(t, GICD_ICFGR + 8 * w + 4, 0xaaaaaaaa);
	}
	for (uint32_t i = 32; i < 256; i++) {
		gicd_wr(t, GICD_IPRIORITYR + i, 1, 0x80);
		gicd_wr(t, GICD_IROUTER + 8 * i, 8, 0);
	}
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		rdist_wr(t, v, GICR_ICENABLER0, 0xffffffff);
		rdist_wr(t, v, GICR_ICPENDR0, 0xffffffff);
		rdist_wr(t, v, GICR_ICACTIVER0, 0xffffffff);
		rdist_wr(t, v, GICR_IGROUPR0, 0xffffffff);
		for (uint32_t i = 0; i < 32; i += 4)
			rdist_wr(t, v, GICR_IPRIORITYR0 + i, 0x80808080);
		icc_wr(t, v, ICC_CTLR_EL1, 0);
		icc_wr(t, v, ICC_BPR0_EL1, 0);
		icc_wr(t, v, ICC_BPR1_EL1, 0);
		icc_wr(t, v, ICC_AP0R0_EL1, 0);
		icc_wr(t, v, ICC_AP1R0_EL1, 0);
		icc_wr(t, v, ICC_IGRPEN0_EL1, 0);
	}
	guest_enable(t);
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		assert_int_equal(vgic_vcpu_pending(t->vm, v), 0);
		assert_int_equal(icc_rd(t, v, ICC_RPR_EL1), 0xff);
	}
}

void fuzz_normal_cycle(struct tvm *t)
{
	enable_irq(t, 0, 100);
	gicd_wr(t, GICD_IROUTER + 8 * 100, 8, vgic_vcpu_mpidr(t->vm, 2));
	assert_int_equal(spi_line(t, 100, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 2), 100);
	eoi(t, 2, 100);

	enable_irq(t, 1, 7);
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(7, 0, 1u << 1));
	assert_int_equal(ack(t, 1), 7);
	eoi(t, 1, 7);

	enable_irq(t, 3, 30);
	assert_int_equal(ppi_line(t, 3, 30, true), 0);
	assert_int_equal(ack(t, 3), 30);
	assert_int_equal(ppi_line(t, 3, 30, false), 0);
	eoi(t, 3, 30);
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		assert_int_equal(ack(t, v), VGIC_INTID_SPURIOUS);
		assert_int_equal(icc_rd(t, v, ICC_RPR_EL1), 0xff);
	}
}
