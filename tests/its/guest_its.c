/* SPDX-License-Identifier: MIT */
/*
 * The tests' guest ITS driver.  Register offsets and command encodings are
 * written out here from the GIC specification, independently of the
 * library's own definitions, so that a wrong field there shows up as a test
 * failure rather than cancelling out.
 */
#include <stdlib.h>
#include <string.h>

#include "gic/regs.h"
#include "guest_its.h"

/* GITS_* offsets and fields (IHI 0069, chapter 12). */
#define R_CTLR		0x0000
#define R_CBASER	0x0080
#define R_CWRITER	0x0088
#define R_BASER0	0x0100
#define R_BASER1	0x0108
#define BASER_VALID	(1ULL << 63)
#define BASER_INDIRECT	(1ULL << 62)
#define BASER_PAGE_64K	(2ULL << 8)

static void count_kick(void *opaque, unsigned int vcpu)
{
	struct tvm *t = opaque;

	__atomic_fetch_add(&t->kicks[vcpu], 1, __ATOMIC_RELAXED);
}

struct tvm *its_tvm_new(unsigned int nr_vcpus, unsigned int nr_its)
{
	struct tvm *t = calloc(1, sizeof(*t));
	static const uint64_t bases[] = { T_ITS, T_ITS2 };

	assert_non_null(t);
	t->nr_vcpus = nr_vcpus;
	assert_int_equal(vgic_vm_create(nr_vcpus, 0, &t->vm), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	for (unsigned int i = 0; i < nr_its; i++) {
		assert_int_equal(vgic_its_create(t->vm), (int)i);
		assert_int_equal(vgic_its_set_addr(t->vm, (int)i, bases[i]), 0);
	}
	t->ram_size = G_RAM_SIZE;
	t->ram = calloc(1, t->ram_size);
	assert_non_null(t->ram);
	assert_int_equal(vgic_vm_add_ram(t->vm, T_RAM, t->ram_size, t->ram), 0);
	assert_int_equal(vgic_vm_init(t->vm), 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		assert_int_equal(vgic_vcpu_set_kick(t->vm, i, count_kick, t), 0);
	return t;
}

static void rd_wr64(struct tvm *t, unsigned int vcpu, uint32_t off, uint64_t v)
{
	assert_int_equal(vgic_mmio_write(t->vm, vcpu, T_REDIST + vcpu * VGIC_REDIST_SIZE + off, 8, v),
			 VGIC_MMIO_HANDLED);
}

void guest_lpis_on(struct tvm *t)
{
	guest_enable(t);
	for (unsigned int i = 0; i < t->nr_vcpus; i++) {
		/* PROPBASER: IDbits 15 (16 bits), PA; PENDBASER: PA, PTZ. */
		rd_wr64(t, i, GICR_PROPBASER, (T_RAM + G_PROP) | 15);
		rd_wr64(t, i, GICR_PENDBASER, (T_RAM + G_PEND + i * G_PEND_STRIDE) | (1ULL << 62));
		rdist_wr(t, i, GICR_CTLR, 1);
	}
}

void lpi_prop(struct tvm *t, uint32_t intid, uint8_t prio, bool enable)
{
	((uint8_t *)t->ram)[G_PROP + intid - 8192] = (uint8_t)((prio & 0xfc) | (enable ? 1 : 0));
}

uint64_t gits_rd(struct gits *g, uint32_t off, unsigned int len)
{
	uint64_t v = ~0ULL;

	assert_int_equal(vgic_mmio_read(g->t->vm, 0, g->base + off, len, &v), VGIC_MMIO_HANDLED);
	return v;
}

void gits_wr(struct gits *g, uint32_t off, unsigned int len, uint64_t val)
{
	assert_int_equal(vgic_mmio_write(g->t->vm, 0, g->base + off, len, val), VGIC_MMIO_HANDLED);
}

void gits_init(struct gits *g, struct tvm *t, int id, unsigned int dev_pages, unsigned int qpages)
{
	uint64_t devtbl = T_RAM + G_DEVTBL + (uint64_t)id * 0x80000;
	uint64_t colltbl = T_RAM + G_COLLTBL + (uint64_t)id * 0x80000;

	*g = (struct gits){ .t = t, .id = id, .base = id ? T_ITS2 : T_ITS,
			    .queue = T_RAM + G_QUEUE, .qsize = qpages * 0x1000ULL };
	assert_int_equal(vgic_its_get_addr(t->vm, id, &g->base), 0);
	if (id)
		g->queue += 0x80000;	/* second ITS: its own queue */
	/* Device table: 8-byte entries (Entry_Size is RO), 64 KiB pages. */
	if (dev_pages)
		gits_wr(g, R_BASER0, 8, BASER_VALID | BASER_PAGE_64K | devtbl | (dev_pages - 1));
	else
		gits_wr(g, R_BASER0, 8, BASER_VALID | BASER_INDIRECT | BASER_PAGE_64K | devtbl);
	gits_wr(g, R_BASER1, 8, BASER_VALID | BASER_PAGE_64K | colltbl);
	gits_wr(g, R_CBASER, 8, BASER_VALID | g->queue | (qpages - 1));
	gits_wr(g, R_CTLR, 4, 1);
	assert_int_equal(gits_rd(g, R_CTLR, 4) & 1, 1);
}

void gits_l2_page(struct gits *g, unsigned int idx)
{
	uint64_t l1 = G_DEVTBL + (uint64_t)g->id * 0x80000 + idx * 8;
	uint64_t l2 = T_RAM + G_L2 + idx * 0x10000ULL;
	uint64_t e = BASER_VALID | l2;

	memcpy((uint8_t *)g->t->ram + l1, &e, 8);
}

void gits_queue(struct gits *g, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w[4] = { w0, w1, w2, w3 };

	memcpy((uint8_t *)g->t->ram + (g->queue - T_RAM) + g->cwriter, w, sizeof(w));
	g->cwriter = (g->cwriter + 32) % g->qsize;
}

void gits_kick(struct gits *g)
{
	gits_wr(g, R_CWRITER, 8, g->cwriter);
}

void gits_cmd(struct gits *g, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	gits_queue(g, w0, w1, w2, w3);
	gits_kick(g);
}

/* Word 0: DeviceID [63:32], opcode [7:0]. */
static uint64_t w0(uint8_t op, uint32_t dev)
{
	return (uint64_t)dev << 32 | op;
}

/* MAPD: Size [4:0] of word 1; ITT_addr[51:8] in word 2 [51:8]; V bit 63. */
void gits_mapd(struct gits *g, uint32_t dev, unsigned int bits, bool valid)
{
	uint64_t itt = T_RAM + G_ITT + (uint64_t)(dev % 64) * 0x10000;

	gits_cmd(g, w0(0x08, dev), bits - 1, (valid ? BASER_VALID : 0) | itt, 0);
}

/* MAPC: ICID [15:0], RDbase [51:16] (processor number with PTA=0), V bit 63. */
void gits_mapc(struct gits *g, uint16_t icid, uint32_t vcpu, bool valid)
{
	gits_cmd(g, w0(0x09, 0), 0, (valid ? BASER_VALID : 0) | (uint64_t)vcpu << 16 | icid, 0);
}

/* MAPTI: EventID [31:0] and pINTID [63:32] of word 1, ICID in word 2. */
void gits_mapti(struct gits *g, uint32_t dev, uint32_t ev, uint32_t intid, uint16_t icid)
{
	gits_cmd(g, w0(0x0a, dev), (uint64_t)intid << 32 | ev, icid, 0);
}

void gits_mapi(struct gits *g, uint32_t dev, uint32_t ev, uint16_t icid)
{
	gits_cmd(g, w0(0x0b, dev), ev, icid, 0);
}

void gits_movi(struct gits *g, uint32_t dev, uint32_t ev, uint16_t icid)
{
	gits_cmd(g, w0(0x01, dev), ev, icid, 0);
}

void gits_discard(struct gits *g, uint32_t dev, uint32_t ev)
{
	gits_cmd(g, w0(0x0f, dev), ev, 0, 0);
}

void gits_int(struct gits *g, uint32_t dev, uint32_t ev)
{
	gits_cmd(g, w0(0x03, dev), ev, 0, 0);
}

void gits_clear(struct gits *g, uint32_t dev, uint32_t ev)
{
	gits_cmd(g, w0(0x04, dev), ev, 0, 0);
}

void gits_inv(struct gits *g, uint32_t dev, uint32_t ev)
{
	gits_cmd(g, w0(0x0c, dev), ev, 0, 0);
}

void gits_invall(struct gits *g, uint16_t icid)
{
	gits_cmd(g, w0(0x0d, 0), 0, icid, 0);
}

/* MOVALL: RDbase1 in word 2 [51:16], RDbase2 in word 3 [51:16]. */
void gits_movall(struct gits *g, uint32_t from, uint32_t to)
{
	gits_cmd(g, w0(0x0e, 0), 0, (uint64_t)from << 16, (uint64_t)to << 16);
}

void gits_sync(struct gits *g, uint32_t vcpu)
{
	gits_cmd(g, w0(0x05, 0), 0, (uint64_t)vcpu << 16, 0);
}

struct vgic_its_stats gits_stats(struct gits *g)
{
	struct vgic_its_stats st;

	assert_int_equal(vgic_its_get_stats(g->t->vm, g->id, &st), 0);
	return st;
}

int gits_msi(struct gits *g, uint32_t dev, uint32_t ev)
{
	struct vgic_msi msi = { .address = g->base + 0x10040, .data = ev,
				.flags = VGIC_MSI_VALID_DEVID, .devid = dev };

	return vgic_signal_msi(g->t->vm, &msi);
}

struct its_fx *its_fx_new(unsigned int nr_coll, unsigned int qpages, uint32_t devid,
			  unsigned int itt_bits)
{
	struct its_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t = its_tvm_new(2, 1);
	guest_lpis_on(f->t);
	gits_init(&f->g, f->t, 0, 1, qpages);
	for (unsigned int c = 0; c < nr_coll; c++)
		gits_mapc(&f->g, (uint16_t)c, c, true);
	gits_mapd(&f->g, devid, itt_bits, true);
	return f;
}

int its_fx_teardown(void **state)
{
	struct its_fx *f = *state;

	tvm_free(f->t);
	free(f);
	return 0;
}
