/* SPDX-License-Identifier: MIT */
/*
 * ITS migration: random ITS configurations are saved through the device
 * attributes (tables into guest memory in ABI revision 0), restored into a
 * fresh VM, and every (DeviceID, EventID) must translate as before, pending
 * LPIs included.  Corrupt tables must be refused with the VM left exactly
 * as it was.  VGIC_SR_SEEDS overrides the number of random configurations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "its_sr.h"

#define DEFAULT_SEEDS	2000

static void assert_same_xlat(struct vgic_vm *a, struct vgic_vm *b, uint32_t dev, uint32_t ev,
			     uint32_t seed)
{
	struct xlat x = world_xlat(a, dev, ev), y = world_xlat(b, dev, ev);

	if (x.mapped != y.mapped || x.intid != y.intid || x.vcpu != y.vcpu || x.pending != y.pending ||
	    x.enabled != y.enabled || x.priority != y.priority)
		fail_msg("seed %u dev %#x ev %u: mapped %d/%d LPI %u/%u vCPU %d/%d pending %d/%d "
			 "enabled %d/%d priority %#x/%#x", seed, dev, ev, x.mapped, y.mapped, x.intid,
			 y.intid, x.vcpu, y.vcpu, x.pending, y.pending, x.enabled, y.enabled,
			 x.priority, y.priority);
}

/* What the random configurations covered, so that a run that tested little shows. */
struct coverage {
	size_t events, pending, no_target, two_level;
};

static void migrate_one(uint32_t seed, struct coverage *cov)
{
	struct its_world w;
	struct snapshot s;
	struct sr_state after;
	struct tvm *dst;
	size_t d0, e0, c0, d1, e1, c1;

	world_random(&w, 1 + seed % 4, seed);
	world_save(&w, &s);
	dst = world_target(&w);
	assert_int_equal(world_restore(dst, &s), 0);
	world_counts(w.t->vm, &d0, &e0, &c0);
	world_counts(dst->vm, &d1, &e1, &c1);
	assert_int_equal(d0, d1);
	assert_int_equal(e0, e1);
	assert_int_equal(c0, c1);
	for (unsigned int d = 0; d < w.nr_devs + 1; d++) {
		uint32_t dev = d < w.nr_devs ? w.devs[d] : (w.devs[0] + 1) % 8192;

		for (uint32_t ev = 0; ev < 66; ev++) {
			struct xlat x = world_xlat(w.t->vm, dev, ev);

			assert_same_xlat(w.t->vm, dst->vm, dev, ev, seed);
			cov->pending += x.pending;
			cov->no_target += x.mapped && x.vcpu < 0;
		}
	}
	cov->events += e0;
	cov->two_level += w.two_level;
	sr_save_gic(dst, VGIC_NR_IRQS_DEFAULT, &after);
	sr_assert_equal(&s.gic, &after);
	sr_free(&after);
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

static void test_property(void **state)
{
	const char *env = getenv("VGIC_SR_SEEDS");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 0) : DEFAULT_SEEDS;

	struct coverage cov = { 0 };

	(void)state;
	for (uint32_t seed = 0; seed < n; seed++)
		migrate_one(seed, &cov);
	printf("ITS migration: %u random configurations (%zu two-level) translate identically: "
	       "%zu events, %zu pending, %zu on unmapped collections\n",
	       n, cov.two_level, cov.events, cov.pending, cov.no_target);
	assert_true(n < 20 || (cov.two_level && cov.pending && cov.no_target));
}

/* A pending LPI fires once after migration; an unmapped collection mapped afterwards delivers. */
static void test_pending_and_late_mapc(void **state)
{
	struct its_world w;
	struct snapshot s;
	struct tvm *dst;
	struct gits g2;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.t = its_tvm_new(2, 1);
	guest_lpis_on(w.t);
	gits_init(&w.g, w.t, 0, 1, 16);
	w.nr_devs = 1;
	w.devs[0] = 5;
	w.bits[0] = 2;
	lpi_prop(w.t, LPI(1), 0x20, true);
	lpi_prop(w.t, LPI(2), 0x20, true);
	gits_mapc(&w.g, 1, 1, true);
	gits_mapd(&w.g, 5, 2, true);
	gits_mapti(&w.g, 5, 0, LPI(1), 1);
	gits_mapti(&w.g, 5, 1, LPI(2), 7);	/* collection 7 is never mapped here */
	gits_int(&w.g, 5, 0);
	assert_int_equal(vgic_vcpu_pending(w.t->vm, 1), VGIC_PENDING_IRQ);
	world_save(&w, &s);
	dst = world_target(&w);
	assert_int_equal(world_restore(dst, &s), 0);
	assert_int_equal(vgic_vcpu_pending(dst->vm, 1), VGIC_PENDING_IRQ);
	assert_int_equal(ack(dst, 1), LPI(1));
	assert_int_equal(icc_rd(dst, 1, ICC_RPR_EL1), 0x20);	/* its priority came along */
	eoi(dst, 1, LPI(1));
	assert_int_equal(ack(dst, 1), VGIC_INTID_SPURIOUS);
	/* The guest maps collection 7 after migration; its event then arrives. */
	g2 = w.g;
	g2.t = dst;
	assert_int_equal(gits_msi(&g2, 5, 1), 0);	/* no target yet: not delivered */
	gits_mapc(&g2, 7, 0, true);
	assert_int_equal(gits_msi(&g2, 5, 1), 1);
	assert_int_equal(ack(dst, 0), LPI(2));
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

/* ---- corrupt input ---- */

struct corrupt_case {
	const char *what;
	int expect;
	/* Damage @dst's copy of the tables (or @s); @w describes the source. */
	void (*damage)(struct its_world *w, struct snapshot *s, struct tvm *dst);
};

static uint64_t *dte(struct its_world *w, struct tvm *dst, unsigned int d)
{
	return (uint64_t *)((uint8_t *)dst->ram + G_DEVTBL + w->devs[d] * 8ULL);
}

static uint64_t *ite(struct its_world *w, struct tvm *dst, unsigned int d, uint32_t ev)
{
	return (uint64_t *)((uint8_t *)dst->ram + G_ITT + (w->devs[d] % 64) * 0x10000ULL + ev * 8);
}

static uint64_t *cte(struct tvm *dst, unsigned int i)
{
	return (uint64_t *)((uint8_t *)dst->ram + G_COLLTBL + i * 8ULL);
}

static void dte_size_oor(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*dte(w, dst, 1) |= 0x1f;		/* 32 EventID bits: more than the ITS has */
}

static void itt_outside_ram(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*dte(w, dst, 1) = (*dte(w, dst, 1) & ~GENMASK(48, 5)) | (0x7f000000ULL >> 8) << 5;
}

static void ite_lpi_oor(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*ite(w, dst, 1, 1) = (*ite(w, dst, 1, 1) & ~GENMASK(47, 16)) | 100ULL << 16;
}

static void ite_unknown_icid(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*ite(w, dst, 1, 1) = (*ite(w, dst, 1, 1) & ~GENMASK(15, 0)) | 4000;
}

static void ite_next_leaves(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*ite(w, dst, 1, 0) = (*ite(w, dst, 1, 0) & ~GENMASK(63, 48)) | 9ULL << 48;	/* ITT holds 4 */
}

static void dte_next_leaves(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)s;
	*dte(w, dst, 1) = (*dte(w, dst, 1) & ~GENMASK(62, 49)) | 0x3fffULL << 49;
}

static void cte_bad_target(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)w, (void)s;
	*cte(dst, 0) = (*cte(dst, 0) & ~GENMASK(47, 16)) | 9ULL << 16;
}

static void cte_duplicate(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)w, (void)s;
	*cte(dst, 1) = *cte(dst, 0);
}

static void cte_icid_oor(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)w;
	/* A one-page 4 KiB collection table holds ICIDs 0..511 only. */
	s->its.baser1 = (s->its.baser1 & ~GENMASK(9, 8)) & ~GENMASK(7, 0);
	*cte(dst, 0) = (*cte(dst, 0) & ~GENMASK(15, 0)) | 600;
}

static void table_outside_ram(struct its_world *w, struct snapshot *s, struct tvm *dst)
{
	(void)w, (void)dst;
	s->its.baser0 = (s->its.baser0 & ~GENMASK(47, 12)) | 0x7f000000ULL;
}

static const struct corrupt_case cases[] = {
	{ "DTE Size beyond 16 EventID bits", -EINVAL, dte_size_oor },
	{ "ITT outside RAM", -EFAULT, itt_outside_ram },
	{ "ITE pINTID below 8192", -EINVAL, ite_lpi_oor },
	{ "ITE on a collection no CTE names", -EINVAL, ite_unknown_icid },
	{ "ITE next offset leaving the ITT", -EINVAL, ite_next_leaves },
	{ "DTE next offset leaving the table", -EINVAL, dte_next_leaves },
	{ "CTE RDbase beyond the vCPUs", -EINVAL, cte_bad_target },
	{ "two CTEs for one ICID", -EEXIST, cte_duplicate },
	{ "CTE ICID beyond the table", -EINVAL, cte_icid_oor },
	{ "Device table outside RAM", -EFAULT, table_outside_ram },
};

/* Source: two devices (0x10, 0x1ff0) of 4 events on two mapped collections. */
static void world_fixed(struct its_world *w)
{
	memset(w, 0, sizeof(*w));
	w->t = its_tvm_new(2, 1);
	guest_lpis_on(w->t);
	gits_init(&w->g, w->t, 0, 1, 16);
	w->nr_devs = 2;
	w->devs[0] = 0x10;
	w->devs[1] = 0x1ff1;
	w->bits[0] = w->bits[1] = 2;
	gits_mapc(&w->g, 3, 0, true);
	gits_mapc(&w->g, 4, 1, true);
	for (unsigned int d = 0; d < 2; d++) {
		gits_mapd(&w->g, w->devs[d], 2, true);
		gits_mapti(&w->g, w->devs[d], 0, LPI(10 + d * 4), 3);
		gits_mapti(&w->g, w->devs[d], 1, LPI(11 + d * 4), 4);
		gits_int(&w->g, w->devs[d], 1);
	}
}

static void test_corrupt(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct its_world w;
		struct snapshot s;
		struct tvm *dst;
		struct gits g2;
		size_t d, e, c;
		void *before;
		int ret;

		world_fixed(&w);
		world_save(&w, &s);
		dst = world_target(&w);
		sr_restore_gic(dst, &s.gic);
		/* The target already has a mapping of its own, which must survive. */
		g2 = w.g;
		g2.t = dst;
		g2.cwriter = 0;
		world_restore_its_regs(dst, &s.its);
		assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0, 1), 0);
		gits_mapc(&g2, 9, 1, true);
		gits_mapd(&g2, 0x20, 1, true);
		gits_mapti(&g2, 0x20, 0, LPI(100), 9);
		assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0, 0), 0);
		cases[i].damage(&w, &s, dst);
		world_restore_its_regs(dst, &s.its);
		before = malloc(dst->ram_size);
		assert_non_null(before);
		memcpy(before, dst->ram, dst->ram_size);
		ret = vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0);
		if (ret != cases[i].expect)
			fail_msg("%s: %d, expected %d", cases[i].what, ret, cases[i].expect);
		world_counts(dst->vm, &d, &e, &c);
		if (d != 1 || e != 1 || c != 1)
			fail_msg("%s: %zu devices, %zu events, %zu collections left", cases[i].what, d, e, c);
		assert_true(world_xlat(dst->vm, 0x20, 0).mapped);
		assert_false(world_xlat(dst->vm, w.devs[0], 0).mapped);
		if (memcmp(before, dst->ram, dst->ram_size))
			fail_msg("%s: guest memory changed", cases[i].what);
		free(before);
		sr_free(&s.gic);
		tvm_free(dst);
		tvm_free(w.t);
	}
}

/*
 * Tables laid out to take unbounded work (1025 devices whose 16-bit ITTs are
 * all empty: 2^26 + 2^16 entry reads) are refused, and nothing is mapped.
 */
static void test_restore_bounded(void **state)
{
	struct its_world w;
	struct snapshot s;
	struct tvm *dst;
	size_t d, e, c;

	(void)state;
	world_fixed(&w);
	world_save(&w, &s);
	dst = world_target(&w);
	for (uint64_t dev = 0; dev <= 1024; dev++) {
		uint64_t *dte_p = (uint64_t *)((uint8_t *)dst->ram + G_DEVTBL + dev * 8);

		*dte_p = 1ULL << 63 | 1ULL << 49 | ((T_RAM + G_ITT) >> 8) << 5 | 15;
	}
	memset((uint8_t *)dst->ram + G_ITT, 0, 8 << 16);
	assert_int_equal(world_restore(dst, &s), -E2BIG);
	world_counts(dst->vm, &d, &e, &c);
	assert_int_equal(d + e + c, 0);
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

/*
 * A failure while applying (vCPU 1's LPI property table is outside RAM, so
 * its LPIs cannot be created) unwinds what was applied before it: no
 * mapping is left, and the pending bit the first LPI took out of vCPU 0's
 * pending table is back.
 */
static void test_apply_unwinds(void **state)
{
	uint64_t prop_attr;
	struct its_world w;
	struct snapshot s;
	struct tvm *dst;
	size_t d, e, c;
	void *before;

	(void)state;
	world_fixed(&w);
	gits_int(&w.g, w.devs[0], 0);
	world_save(&w, &s);
	prop_attr = vgic_attr_mpidr(vgic_vcpu_mpidr(w.t->vm, 1), 0x0070);
	for (size_t i = 0; i < s.gic.nr; i++)
		if (s.gic.a[i].group == VGIC_GRP_REDIST_REGS && s.gic.a[i].attr == prop_attr)
			s.gic.a[i].val = 0x7f000000 | 15;
	dst = world_target(&w);
	sr_restore_gic(dst, &s.gic);
	world_restore_its_regs(dst, &s.its);
	before = malloc(dst->ram_size);
	assert_non_null(before);
	memcpy(before, dst->ram, dst->ram_size);
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0),
			 -EFAULT);
	world_counts(dst->vm, &d, &e, &c);
	assert_int_equal(d + e + c, 0);
	assert_memory_equal(before, dst->ram, dst->ram_size);
	free(before);
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

/* Orders other than KVM's documented one fail as they do on KVM. */
static void test_restore_order(void **state)
{
	struct its_world w;
	struct snapshot s;
	struct tvm *dst;
	size_t d, e, c;
	uint64_t v;

	(void)state;
	world_fixed(&w);
	world_save(&w, &s);
	dst = world_target(&w);
	/* ITS tables before the redistributors: no LPI fits a zero PROPBASER. */
	world_restore_its_regs(dst, &s.its);
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0),
			 -EINVAL);
	sr_restore_gic(dst, &s.gic);
	/* RESTORE_TABLES before GITS_BASER<n>: no valid table, nothing restored. */
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_CTRL_RESET, 0), 0);
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0), 0);
	world_counts(dst->vm, &d, &e, &c);
	assert_int_equal(d + e + c, 0);
	/* GITS_CTLR before the tables and queue: the ITS does not enable. */
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0, s.its.ctlr), 0);
	assert_int_equal(vgic_its_get_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0, &v), 0);
	assert_int_equal(v & 1, 0);
	/* GITS_CREADR before GITS_CBASER is lost: a CBASER write empties the queue. */
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x80, s.its.cbaser), 0);
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x90, 0x60), 0);
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x80, s.its.cbaser), 0);
	assert_int_equal(vgic_its_get_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x90, &v), 0);
	assert_int_equal(v, 0);
	/* The documented order then works. */
	assert_int_equal(world_restore(dst, &s), 0);
	assert_true(world_xlat(dst->vm, w.devs[1], 1).pending);
	/* GITS_BASER<n> written once the ITS is enabled is ignored. */
	assert_int_equal(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x100, 0), 0);
	assert_int_equal(vgic_its_get_attr(dst->vm, 0, VGIC_GRP_ITS_REGS, 0x100, &v), 0);
	assert_int_equal(v, s.its.baser0);
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

/* A second save after DISCARD and MAPD V=0 must not bring the first save's entries back. */
static void test_resave_after_unmap(void **state)
{
	struct its_world w;
	struct snapshot s;
	struct tvm *dst;
	size_t d, e, c;

	(void)state;
	world_fixed(&w);
	world_save(&w, &s);
	sr_free(&s.gic);
	/* Restore scans from the first entry: stale entries below live ones are reached. */
	gits_mapd(&w.g, w.devs[0], 2, false);
	gits_discard(&w.g, w.devs[1], 0);
	world_save(&w, &s);
	dst = world_target(&w);
	assert_int_equal(world_restore(dst, &s), 0);
	world_counts(dst->vm, &d, &e, &c);
	assert_int_equal(d, 1);
	assert_int_equal(e, 1);
	assert_false(world_xlat(dst->vm, w.devs[0], 0).mapped);
	assert_false(world_xlat(dst->vm, w.devs[1], 0).mapped);
	assert_true(world_xlat(dst->vm, w.devs[1], 1).mapped);
	sr_free(&s.gic);
	tvm_free(dst);
	tvm_free(w.t);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Random bit flips in saved tables: a restore either succeeds or fails with
 * the target's ITS empty and its memory untouched; never a crash or a hang.
 */
static uint8_t ram_before[G_RAM_SIZE];	/* static: no fresh pages to fault in per round */

static void test_fuzz_tables(void **state)
{
	const char *env = getenv("VGIC_SR_SEEDS");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 0) / 4 : 300, refused = 0;

	(void)state;
	for (uint32_t seed = 0; seed < n; seed++) {
		uint32_t r = seed * 7919 + 17;
		struct its_world w;
		struct snapshot s;
		struct tvm *dst;
		size_t d, e, c;
		int ret;

		world_random(&w, 2, seed + 100000);
		world_save(&w, &s);
		dst = world_target(&w);
		sr_restore_gic(dst, &s.gic);
		world_restore_its_regs(dst, &s.its);
		for (unsigned int k = 1 + xorshift(&r) % 3; k--;) {
			unsigned int dv = xorshift(&r) % (w.nr_devs ? w.nr_devs : 1);
			uint32_t dev = w.devs[dv];
			uint64_t off;

			switch (xorshift(&r) % 3) {
			case 0:		/* the device's DTE */
				off = w.two_level ? G_L2 + dev / 8192 * 0x10000ULL + dev % 8192 * 8
						  : G_DEVTBL + dev * 8ULL;
				break;
			case 1:		/* one of its ITEs */
				off = G_ITT + dev % 64 * 0x10000ULL + xorshift(&r) % (1u << w.bits[dv]) * 8;
				break;
			default:	/* one of the first CTEs */
				off = G_COLLTBL + xorshift(&r) % 8 * 8;
			}
			((uint8_t *)dst->ram)[off + xorshift(&r) % 8] ^= (uint8_t)(1u << xorshift(&r) % 8);
		}
		memcpy(ram_before, dst->ram, dst->ram_size);
		ret = vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0);
		if (ret) {
			refused++;
			world_counts(dst->vm, &d, &e, &c);
			assert_int_equal(d + e + c, 0);
			assert_true(memcmp(ram_before, dst->ram, dst->ram_size) == 0);
		}
		sr_free(&s.gic);
		tvm_free(dst);
		tvm_free(w.t);
	}
	printf("table fuzz: %u corrupted snapshots, %u refused\n", n, refused);
	assert_true(n < 20 || refused > 0);
}

/* An ABI revision this ITS does not have is refused at GITS_IIDR. */
static void test_unknown_abi(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	uint64_t iidr;

	(void)state;
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 4, &iidr), 0);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 4, iidr | 1u << 12), -EINVAL);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 4, iidr), 0);
	tvm_free(t);
}

/* Register access errors and the restore order's rules, as KVM's. */
static void test_its_regs(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;
	uint64_t v;

	(void)state;
	assert_int_equal(vgic_its_has_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x88), 0);
	assert_int_equal(vgic_its_has_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x84), -EINVAL);
	assert_int_equal(vgic_its_has_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x40), -ENXIO);
	assert_int_equal(vgic_its_has_attr(t->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES), 0);
	assert_int_equal(vgic_its_has_attr(t->vm, 0, VGIC_GRP_CTRL, 77), -ENXIO);
	assert_int_equal(vgic_its_has_attr(t->vm, 3, VGIC_GRP_ADDR, 4), -ENXIO);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x84, &v), -EINVAL);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x40, &v), -ENXIO);
	assert_int_equal(vgic_its_get_attr(t->vm, 1, VGIC_GRP_ITS_REGS, 0, &v), -ENXIO);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, 99, 0, &v), -ENXIO);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_CTRL, 77, 0), -ENXIO);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0), 0);
	assert_int_equal(vgic_its_set_attr(t->vm, 5, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0), -ENXIO);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ADDR, 4, &v), 0);
	assert_int_equal(v, T_ITS);
	gits_init(&g, t, 0, 1, 1);	/* enabled, a 4 KiB queue */
	/* CWRITER restores the offset only; beyond the queue is -EINVAL. */
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x88, 0x1000), -EINVAL);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x88, 0x40), 0);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x88, &v), 0);
	assert_int_equal(v, 0x40);
	/* CREADR may not move under an enabled ITS. */
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x90, 0x20), -EBUSY);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0, 0), 0);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x90, 0x20), 0);
	/* CTRL_RESET: tables invalid, queue gone, nothing mapped. */
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_CTRL_RESET, 0), 0);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x80, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, 0x100, &v), 0);
	assert_int_equal(v >> 63, 0);
	assert_int_equal(v >> 56 & 7, 1);	/* the Device table type stays */
	/* RESTORE_TABLES with no valid table restores nothing and succeeds (KVM). */
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0), 0);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property),
		cmocka_unit_test(test_pending_and_late_mapc),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_restore_bounded),
		cmocka_unit_test(test_apply_unwinds),
		cmocka_unit_test(test_restore_order),
		cmocka_unit_test(test_resave_after_unmap),
		cmocka_unit_test(test_fuzz_tables),
		cmocka_unit_test(test_unknown_abi),
		cmocka_unit_test(test_its_regs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
