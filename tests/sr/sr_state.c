/* SPDX-License-Identifier: MIT */
/*
 * Save and restore of a VM's GIC state through vgic_vm_{get,set}_attr, as a
 * VMM (QEMU's arm_gicv3_kvm.c) does it: registers written from userspace, set
 * and clear registers paired so that a restore into a used VM also clears.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gic/regs.h"
#include "sr_state.h"

static void push(struct sr_state *st, uint32_t group, uint64_t attr, uint64_t val)
{
	if (st->nr == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->a = realloc(st->a, st->cap * sizeof(*st->a));
		assert_non_null(st->a);
	}
	st->a[st->nr++] = (struct sr_attr){ group, attr, val };
}

static void save(struct tvm *t, struct sr_state *st, uint32_t group, uint64_t attr)
{
	uint64_t v = 0;
	int ret = vgic_vm_get_attr(t->vm, group, attr, &v);

	if (ret)
		fail_msg("get group %u attr %#llx: %d", group, (unsigned long long)attr, ret);
	push(st, group, attr, v);
}

static const uint32_t icc_regs[] = {
	ICC_SRE_EL1, ICC_CTLR_EL1, ICC_PMR_EL1, ICC_BPR0_EL1, ICC_BPR1_EL1,
	ICC_AP0R0_EL1, ICC_AP1R0_EL1, ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1,
};

static void save_redist(struct tvm *t, unsigned int vcpu, struct sr_state *st)
{
	uint64_t mpidr = vgic_vcpu_mpidr(t->vm, vcpu);
	static const uint32_t regs[] = {
		GICR_PROPBASER, GICR_PROPBASER + 4, GICR_PENDBASER, GICR_PENDBASER + 4,
		GICR_IGROUPR0, GICR_ISENABLER0, GICR_ICFGR0, GICR_ICFGR0 + 4,
		GICR_ISPENDR0, GICR_ISACTIVER0,
	};

	save(t, st, VGIC_GRP_REDIST_REGS, vgic_attr_mpidr(mpidr, GICR_TYPER));
	save(t, st, VGIC_GRP_REDIST_REGS, vgic_attr_mpidr(mpidr, GICR_TYPER + 4));
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		save(t, st, VGIC_GRP_REDIST_REGS, vgic_attr_mpidr(mpidr, regs[i]));
	for (uint32_t off = 0; off < 32; off += 4)
		save(t, st, VGIC_GRP_REDIST_REGS, vgic_attr_mpidr(mpidr, GICR_IPRIORITYR0 + off));
	/* EnableLPIs last: it reads the pending table the registers above locate. */
	save(t, st, VGIC_GRP_REDIST_REGS, vgic_attr_mpidr(mpidr, GICR_CTLR));
}

void sr_save_gic(struct tvm *t, uint32_t nr_irqs, struct sr_state *st)
{
	*st = (struct sr_state){ 0 };
	save(t, st, VGIC_GRP_DIST_REGS, GICD_IIDR);
	save(t, st, VGIC_GRP_DIST_REGS, GICD_TYPER);
	save(t, st, VGIC_GRP_DIST_REGS, GICD_CTLR);
	for (uint32_t i = 32; i < nr_irqs; i += 32) {
		save(t, st, VGIC_GRP_DIST_REGS, GICD_IGROUPR + i / 8);
		save(t, st, VGIC_GRP_DIST_REGS, GICD_ISENABLER + i / 8);
	}
	for (uint32_t i = 32; i < nr_irqs; i += 16)
		save(t, st, VGIC_GRP_DIST_REGS, GICD_ICFGR + i / 4);
	for (uint32_t i = 32; i < nr_irqs; i += 4)
		save(t, st, VGIC_GRP_DIST_REGS, GICD_IPRIORITYR + i);
	for (uint32_t i = 32; i < nr_irqs; i++) {
		save(t, st, VGIC_GRP_DIST_REGS, GICD_IROUTER + i * 8);
		save(t, st, VGIC_GRP_DIST_REGS, GICD_IROUTER + i * 8 + 4);
	}
	for (uint32_t i = 32; i < nr_irqs; i += 32) {
		save(t, st, VGIC_GRP_DIST_REGS, GICD_ISPENDR + i / 8);
		save(t, st, VGIC_GRP_DIST_REGS, GICD_ISACTIVER + i / 8);
	}
	for (unsigned int c = 0; c < t->nr_vcpus; c++)
		save_redist(t, c, st);
	for (unsigned int c = 0; c < t->nr_vcpus; c++) {
		uint64_t mpidr = vgic_vcpu_mpidr(t->vm, c);

		for (size_t i = 0; i < sizeof(icc_regs) / sizeof(icc_regs[0]); i++)
			save(t, st, VGIC_GRP_CPU_SYSREGS, vgic_attr_mpidr(mpidr, icc_regs[i]));
		for (uint32_t i = 0; i < nr_irqs; i += 32)
			save(t, st, VGIC_GRP_LEVEL_INFO,
			     vgic_attr_mpidr(mpidr, VGIC_LEVEL_INFO_LINE_LEVEL << VGIC_ATTR_LEVEL_INFO_SHIFT | i));
	}
}

/* The clear register that pairs with a set register, or 0. */
static uint32_t clear_of(uint32_t group, uint32_t off)
{
	static const uint32_t pairs[][2] = {
		{ GICD_ISENABLER, GICD_ICENABLER }, { GICD_ISACTIVER, GICD_ICACTIVER },
	};

	if (group == VGIC_GRP_REDIST_REGS) {
		if (off == GICR_ISENABLER0)
			return GICR_ICENABLER0;
		if (off == GICR_ISACTIVER0)
			return GICR_ICACTIVER0;
		return 0;
	}
	for (size_t i = 0; i < 2; i++)
		if (off >= pairs[i][0] && off < pairs[i][0] + 0x80)
			return pairs[i][1] + (off - pairs[i][0]);
	return 0;
}

void sr_restore_gic(struct tvm *t, const struct sr_state *st)
{
	for (size_t i = 0; i < st->nr; i++) {
		const struct sr_attr *a = &st->a[i];
		uint32_t clr = a->group == VGIC_GRP_CPU_SYSREGS || a->group == VGIC_GRP_LEVEL_INFO
				       ? 0 : clear_of(a->group, (uint32_t)a->attr);
		int ret;

		if (clr)
			assert_int_equal(vgic_vm_set_attr(t->vm, a->group,
							  (a->attr & ~0xffffffffULL) | clr,
							  ~a->val & 0xffffffffULL), 0);
		ret = vgic_vm_set_attr(t->vm, a->group, a->attr, a->val);
		if (ret)
			fail_msg("set group %u attr %#llx = %#llx: %d", a->group,
				 (unsigned long long)a->attr, (unsigned long long)a->val, ret);
	}
}

void sr_assert_equal(const struct sr_state *a, const struct sr_state *b)
{
	assert_int_equal(a->nr, b->nr);
	for (size_t i = 0; i < a->nr; i++)
		if (a->a[i].group != b->a[i].group || a->a[i].attr != b->a[i].attr ||
		    a->a[i].val != b->a[i].val)
			fail_msg("group %u attr %#llx: %#llx saved, %#llx restored", a->a[i].group,
				 (unsigned long long)a->a[i].attr, (unsigned long long)a->a[i].val,
				 (unsigned long long)b->a[i].val);
}

void sr_free(struct sr_state *st)
{
	free(st->a);
	*st = (struct sr_state){ 0 };
}
