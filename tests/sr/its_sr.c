/* SPDX-License-Identifier: MIT */
/* Random ITS configurations and their migration, for the save/restore tests. */
#include <errno.h>
#include <string.h>

#include "its/its.h"
#include "kvm/vm.h"
#include "its_sr.h"

#define GITS_IIDR_OFF	0x0004
#define R_CTLR		0x0000
#define R_CBASER	0x0080
#define R_CWRITER	0x0088
#define R_CREADR	0x0090
#define R_BASER0	0x0100
#define R_BASER1	0x0108
#define ITS_ADDR_ATTR	4

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Device IDs whose ITTs (placed by DeviceID % 64) do not overlap. */
static uint32_t pick_dev(struct its_world *w, uint32_t *s)
{
	for (;;) {
		uint32_t idx = w->two_level ? rnd(s) % 8 : 0, dev = idx * 8192 + rnd(s) % 8192;
		bool clash = false;

		for (unsigned int i = 0; i < w->nr_devs; i++)
			clash |= w->devs[i] % 64 == dev % 64;
		if (clash)
			continue;
		if (w->two_level && !(w->l1_used & 1u << idx)) {
			gits_l2_page(&w->g, idx);
			w->l1_used |= 1u << idx;
		}
		return dev;
	}
}

void world_random(struct its_world *w, unsigned int nr_vcpus, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;
	uint64_t used[4096 / 64] = { 0 };
	uint16_t icids[6];
	unsigned int nr_colls = 1 + rnd(&s) % 6;

	memset(w, 0, sizeof(*w));
	w->t = its_tvm_new(nr_vcpus, 1);
	w->two_level = rnd(&s) & 1;
	guest_lpis_on(w->t);
	gits_init(&w->g, w->t, 0, w->two_level ? 0 : 1, 16);
	for (unsigned int i = 0; i < nr_colls; i++) {
		icids[i] = (uint16_t)(rnd(&s) % 512);
		/* Some collections stay unmapped: their events must come back unmapped. */
		if (rnd(&s) % 4)
			gits_mapc(&w->g, icids[i], rnd(&s) % nr_vcpus, true);
	}
	w->nr_devs = 1 + rnd(&s) % SR_MAX_DEVS;
	for (unsigned int d = 0; d < w->nr_devs; d++) {
		w->devs[d] = pick_dev(w, &s);
		w->bits[d] = (uint8_t)(1 + rnd(&s) % 6);
		gits_mapd(&w->g, w->devs[d], w->bits[d], true);
		for (uint32_t ev = 0; ev < 1u << w->bits[d]; ev++) {
			uint32_t n = rnd(&s) % 4096, intid = LPI(n);

			/*
			 * One LPI per event, as guest drivers allocate them.  Two
			 * events sharing an LPI through collections on different
			 * vCPUs would have a pending bit in two pending tables on
			 * hardware; like KVM's, this model holds one state, and the
			 * saved tables cannot say which vCPU's bit it came from.
			 */
			if (rnd(&s) % 3 || used[n / 64] & 1ULL << n % 64)
				continue;
			used[n / 64] |= 1ULL << n % 64;
			lpi_prop(w->t, intid, (uint8_t)(rnd(&s) & 0xfc), rnd(&s) & 1);
			gits_mapti(&w->g, w->devs[d], ev, intid, icids[rnd(&s) % nr_colls]);
			if (rnd(&s) % 4 == 0)
				gits_int(&w->g, w->devs[d], ev);
		}
	}
	if (rnd(&s) & 1)	/* a device unmapped again leaves a stale DTE-free slot */
		gits_mapd(&w->g, w->devs[--w->nr_devs], 1, false);
}

static uint64_t its_get(struct tvm *t, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(vgic_its_get_attr(t->vm, 0, VGIC_GRP_ITS_REGS, off, &v), 0);
	return v;
}

static void its_set(struct tvm *t, uint32_t off, uint64_t v)
{
	int ret = vgic_its_set_attr(t->vm, 0, VGIC_GRP_ITS_REGS, off, v);

	if (ret)
		fail_msg("ITS reg %#x = %#llx: %d", off, (unsigned long long)v, ret);
}

void world_save(struct its_world *w, struct snapshot *s)
{
	struct tvm *t = w->t;

	s->its.ctlr = its_get(t, R_CTLR);
	assert_int_equal(vgic_its_set_attr(t->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_SAVE_TABLES, 0), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CTRL, VGIC_SAVE_PENDING_TABLES, 0), 0);
	s->its.iidr = its_get(t, GITS_IIDR_OFF);
	s->its.cbaser = its_get(t, R_CBASER);
	s->its.creadr = its_get(t, R_CREADR);
	s->its.cwriter = its_get(t, R_CWRITER);
	s->its.baser0 = its_get(t, R_BASER0);
	s->its.baser1 = its_get(t, R_BASER1);
	sr_save_gic(t, VGIC_NR_IRQS_DEFAULT, &s->gic);
}

static void copy(const struct tvm *src, struct tvm *dst, uint64_t off, uint64_t len)
{
	memcpy((uint8_t *)dst->ram + off, (const uint8_t *)src->ram + off, len);
}

static void world_copy_ram(const struct its_world *w, struct tvm *dst)
{
	copy(w->t, dst, 0, G_QUEUE);			/* property and pending tables */
	copy(w->t, dst, G_DEVTBL, 0x10000);
	copy(w->t, dst, G_COLLTBL, 0x10000);
	for (unsigned int i = 0; i < 8; i++)
		if (w->l1_used & 1u << i)
			copy(w->t, dst, G_L2 + i * 0x10000ULL, 0x10000);
	for (unsigned int d = 0; d < w->nr_devs; d++)
		copy(w->t, dst, G_ITT + (w->devs[d] % 64) * 0x10000ULL, 8u << w->bits[d]);
}

void world_restore_its_regs(struct tvm *dst, const struct its_regs_snap *r)
{
	its_set(dst, GITS_IIDR_OFF, r->iidr);
	its_set(dst, R_CBASER, r->cbaser);
	its_set(dst, R_CREADR, r->creadr);
	its_set(dst, R_CWRITER, r->cwriter);
	its_set(dst, R_BASER0, r->baser0);
	its_set(dst, R_BASER1, r->baser1);
}

int world_restore(struct tvm *dst, const struct snapshot *s)
{
	int ret;

	sr_restore_gic(dst, &s->gic);
	world_restore_its_regs(dst, &s->its);
	ret = vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0);
	if (!ret)
		its_set(dst, R_CTLR, s->its.ctlr);
	return ret;
}

struct xlat world_xlat(struct vgic_vm *vm, uint32_t dev, uint32_t ev)
{
	struct vgic_its *its = vm->its[0];
	struct xlat x = { .vcpu = -1 };
	struct its_event *e;

	pthread_mutex_lock(&its->lock);
	e = its_find_event(its, dev, ev);
	if (e) {
		struct gic_cpu *cpu = its_collection_cpu(its, e->icid);

		x.mapped = true;
		x.intid = e->irq->intid;
		x.vcpu = cpu ? (int)cpu->idx : -1;
		spin_lock(&e->irq->lock);
		x.pending = e->irq->pending_latch;
		x.enabled = e->irq->enabled;
		x.priority = e->irq->priority;
		spin_unlock(&e->irq->lock);
	}
	pthread_mutex_unlock(&its->lock);
	return x;
}

void world_counts(struct vgic_vm *vm, size_t *devs, size_t *evs, size_t *colls)
{
	struct vgic_its *its = vm->its[0];

	pthread_mutex_lock(&its->lock);
	*devs = its->devices.nr;
	*evs = its->events.nr;
	*colls = its->collections.nr;
	pthread_mutex_unlock(&its->lock);
}

struct tvm *world_target(const struct its_world *w)
{
	struct tvm *dst = its_tvm_new(w->t->nr_vcpus, 1);

	world_copy_ram(w, dst);
	return dst;
}
