/* SPDX-License-Identifier: MIT */
/*
 * Snapshot blobs of a VM's interrupt state (include/vgic/snapshot.h).  This
 * file is a client of the device-attribute API only: saving is a list of
 * attribute reads, restoring the same list written back in order, so the
 * blob holds nothing the attributes cannot express.  Set/clear register
 * pairs are saved as two records (clear with ~value, then set), so a record
 * list is applied as it stands, into a fresh VM or a used one.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vgic/attr.h>
#include <vgic/snapshot.h>

#include "its/its.h"
#include "kvm/vm.h"

#define SNAP_MAGIC	"VGICSNAP"
#define SNAP_HDR_SIZE	40
#define SNAP_REC_SIZE	24
#define SNAP_TARGET_GIC	0xffffffffu
#define ITS_ADDR_ATTR	4

/* Header layout: byte offsets of each field. */
enum {
	HDR_MAGIC = 0, HDR_VERSION = 8, HDR_SIZE = 12, HDR_VCPUS = 16, HDR_IRQS = 20,
	HDR_ITS = 24, HDR_NR_RECS = 28, HDR_CRC = 32,
};

struct rec {
	uint32_t target, group;
	uint64_t attr, val;
};

struct recs {
	struct rec *r;
	size_t nr, cap;
	int err;		/* first error; later calls do nothing */
};

static void put(struct recs *rs, uint32_t target, uint32_t group, uint64_t attr, uint64_t val)
{
	struct rec *n;

	if (rs->err)
		return;
	if (rs->nr == rs->cap) {
		n = realloc(rs->r, (rs->cap ? rs->cap * 2 : 512) * sizeof(*n));
		if (!n) {
			rs->err = -ENOMEM;
			return;
		}
		rs->r = n;
		rs->cap = rs->cap ? rs->cap * 2 : 512;
	}
	rs->r[rs->nr++] = (struct rec){ target, group, attr, val };
}

/* Read one GIC attribute into a record, with its clear-register partner first if any. */
static void gic_rec(struct recs *rs, struct vgic_vm *vm, uint32_t group, uint64_t attr,
		    uint64_t clear_attr)
{
	uint64_t v = 0;
	int ret;

	if (rs->err)
		return;
	ret = vgic_vm_get_attr(vm, group, attr, &v);
	if (ret) {
		rs->err = ret;
		return;
	}
	if (clear_attr)
		put(rs, SNAP_TARGET_GIC, group, clear_attr, ~v & 0xffffffffULL);
	put(rs, SNAP_TARGET_GIC, group, attr, v);
}

static void save_dist(struct recs *rs, struct vgic_vm *vm, uint32_t nr_irqs)
{
	const uint32_t g = VGIC_GRP_DIST_REGS;

	gic_rec(rs, vm, g, GICD_IIDR, 0);
	gic_rec(rs, vm, g, GICD_TYPER, 0);
	gic_rec(rs, vm, g, GICD_CTLR, 0);
	for (uint32_t i = GIC_NR_PRIVATE; i < nr_irqs; i += 32) {
		gic_rec(rs, vm, g, GICD_IGROUPR + i / 8, 0);
		gic_rec(rs, vm, g, GICD_ISENABLER + i / 8, GICD_ICENABLER + i / 8);
		gic_rec(rs, vm, g, GICD_ICFGR + i / 4, 0);
		gic_rec(rs, vm, g, GICD_ICFGR + i / 4 + 4, 0);
	}
	for (uint32_t i = GIC_NR_PRIVATE; i < nr_irqs; i += 4)
		gic_rec(rs, vm, g, GICD_IPRIORITYR + i, 0);
	for (uint32_t i = GIC_NR_PRIVATE; i < nr_irqs; i++)
		gic_rec(rs, vm, g, GICD_IROUTER + i * 8, 0);
	for (uint32_t i = GIC_NR_PRIVATE; i < nr_irqs; i += 32) {
		gic_rec(rs, vm, g, GICD_ISPENDR + i / 8, 0);
		gic_rec(rs, vm, g, GICD_ISACTIVER + i / 8, GICD_ICACTIVER + i / 8);
	}
}

static void save_redist(struct recs *rs, struct vgic_vm *vm, uint64_t mpidr)
{
	static const uint32_t regs[] = {
		GICR_TYPER, GICR_TYPER + 4, GICR_PROPBASER, GICR_PROPBASER + 4, GICR_PENDBASER,
		GICR_PENDBASER + 4, GICR_IGROUPR0, GICR_ICFGR0, GICR_ICFGR0 + 4, GICR_ISPENDR0,
	};
	const uint32_t g = VGIC_GRP_REDIST_REGS;

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		gic_rec(rs, vm, g, vgic_attr_mpidr(mpidr, regs[i]), 0);
	gic_rec(rs, vm, g, vgic_attr_mpidr(mpidr, GICR_ISENABLER0),
		vgic_attr_mpidr(mpidr, GICR_ICENABLER0));
	gic_rec(rs, vm, g, vgic_attr_mpidr(mpidr, GICR_ISACTIVER0),
		vgic_attr_mpidr(mpidr, GICR_ICACTIVER0));
	for (uint32_t off = 0; off < GIC_NR_PRIVATE; off += 4)
		gic_rec(rs, vm, g, vgic_attr_mpidr(mpidr, GICR_IPRIORITYR0 + off), 0);
	/* EnableLPIs last: it reads the pending table PENDBASER locates. */
	gic_rec(rs, vm, g, vgic_attr_mpidr(mpidr, GICR_CTLR), 0);
}

static void save_cpu(struct recs *rs, struct vgic_vm *vm, uint64_t mpidr, uint32_t nr_irqs,
		     bool first)
{
	static const uint32_t icc[] = {
		ICC_SRE_EL1, ICC_CTLR_EL1, ICC_PMR_EL1, ICC_BPR0_EL1, ICC_BPR1_EL1,
		ICC_AP0R0_EL1, ICC_AP1R0_EL1, ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1,
	};

	for (size_t i = 0; i < ARRAY_SIZE(icc); i++)
		gic_rec(rs, vm, VGIC_GRP_CPU_SYSREGS, vgic_attr_mpidr(mpidr, icc[i]), 0);
	/* SPI lines are VM-wide: the first vCPU carries them, each vCPU its own PPIs. */
	for (uint32_t i = 0; i < (first ? nr_irqs : GIC_NR_PRIVATE); i += 32)
		gic_rec(rs, vm, VGIC_GRP_LEVEL_INFO,
			vgic_attr_mpidr(mpidr, VGIC_LEVEL_INFO_LINE_LEVEL << VGIC_ATTR_LEVEL_INFO_SHIFT | i),
			0);
}

/* ITS registers in KVM's restore order, RESTORE_TABLES between BASER<n> and CTLR. */
static void save_its(struct recs *rs, struct vgic_vm *vm, uint32_t id)
{
	static const uint32_t regs[] = {
		GITS_IIDR, GITS_CBASER, GITS_CREADR, GITS_CWRITER, GITS_BASER, GITS_BASER + 8,
	};
	uint64_t v = 0;
	int ret;

	for (size_t i = 0; i <= ARRAY_SIZE(regs) && !rs->err; i++) {
		uint32_t off = i < ARRAY_SIZE(regs) ? regs[i] : GITS_CTLR;	/* enabled last */

		if (i == ARRAY_SIZE(regs))
			put(rs, id, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0);
		ret = vgic_its_get_attr(vm, (int)id, VGIC_GRP_ITS_REGS, off, &v);
		if (ret)
			rs->err = ret;
		else
			put(rs, id, VGIC_GRP_ITS_REGS, off, v);
	}
}

/*
 * Frame addresses cannot change after init, so they are not restored: they
 * are checked, as part of the VM's shape, before anything is applied.
 */
static void save_addrs(struct recs *rs, struct vgic_vm *vm, uint32_t nr_its)
{
	static const uint64_t types[] = { VGIC_ADDR_TYPE_DIST, VGIC_ADDR_TYPE_REDIST };
	uint64_t v;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		gic_rec(rs, vm, VGIC_GRP_ADDR, types[i], 0);
	for (uint32_t i = 0; i < nr_its && !rs->err; i++) {
		ret = vgic_its_get_attr(vm, (int)i, VGIC_GRP_ADDR, ITS_ADDR_ATTR, &v);
		if (ret)
			rs->err = ret;
		else
			put(rs, i, VGIC_GRP_ADDR, ITS_ADDR_ATTR, v);
	}
}

/* CRC-32 (IEEE 802.3, reflected), bit by bit: blobs are a few tens of KiB. */
static uint32_t crc32_update(uint32_t c, const uint8_t *p, size_t n)
{
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return c;
}

/* Over the whole blob, header included, with the CRC field read as zero. */
static uint32_t blob_crc(const uint8_t *b, size_t len)
{
	static const uint8_t zero[4];
	uint32_t c = crc32_update(0xffffffffu, b, HDR_CRC);

	c = crc32_update(c, zero, sizeof(zero));
	return ~crc32_update(c, b + HDR_CRC + 4, len - HDR_CRC - 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static int encode(const struct vgic_vm *vm, const struct recs *rs, uint32_t nr_irqs,
		  void **buf, size_t *len)
{
	size_t n = SNAP_HDR_SIZE + rs->nr * SNAP_REC_SIZE;
	uint8_t *b = calloc(1, n), *p;

	if (!b)
		return -ENOMEM;
	p = b + SNAP_HDR_SIZE;
	for (size_t i = 0; i < rs->nr; i++, p += SNAP_REC_SIZE) {
		put32(p, rs->r[i].target);
		put32(p + 4, rs->r[i].group);
		put64(p + 8, rs->r[i].attr);
		put64(p + 16, rs->r[i].val);
	}
	memcpy(b + HDR_MAGIC, SNAP_MAGIC, 8);
	put32(b + HDR_VERSION, VGIC_SNAPSHOT_VERSION);
	put32(b + HDR_SIZE, SNAP_HDR_SIZE);
	put32(b + HDR_VCPUS, vm->nr_vcpus);
	put32(b + HDR_IRQS, nr_irqs);
	put32(b + HDR_ITS, atomic_load(&((struct vgic_vm *)vm)->nr_its));
	put32(b + HDR_NR_RECS, (uint32_t)rs->nr);
	put32(b + HDR_CRC, blob_crc(b, n));
	*buf = b;
	*len = n;
	return 0;
}

int vgic_vm_save_state(struct vgic_vm *vm, void **buf, size_t *len)
{
	struct recs rs = { 0 };
	uint32_t nr_irqs, nr_its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	if (!vm_ready(vm))
		return -EBUSY;
	nr_irqs = vm->gic.nr_irqs;
	nr_its = atomic_load(&vm->nr_its);
	for (uint32_t i = 0; i < nr_its && !ret; i++)
		ret = vgic_its_set_attr(vm, (int)i, VGIC_GRP_CTRL, VGIC_ITS_SAVE_TABLES, 0);
	if (!ret)
		ret = vgic_vm_set_attr(vm, VGIC_GRP_CTRL, VGIC_SAVE_PENDING_TABLES, 0);
	if (ret)
		return ret;
	save_addrs(&rs, vm, nr_its);
	save_dist(&rs, vm, nr_irqs);
	for (unsigned int c = 0; c < vm->nr_vcpus; c++)
		save_redist(&rs, vm, vgic_vcpu_mpidr(vm, c));
	for (unsigned int c = 0; c < vm->nr_vcpus; c++)
		save_cpu(&rs, vm, vgic_vcpu_mpidr(vm, c), nr_irqs, c == 0);
	for (uint32_t i = 0; i < nr_its; i++)
		save_its(&rs, vm, i);
	ret = rs.err ? rs.err : encode(vm, &rs, nr_irqs, buf, len);
	free(rs.r);
	return ret;
}

/* Does the address record at @p name where the VM has that frame? */
static bool addr_matches(struct vgic_vm *vm, const uint8_t *p)
{
	uint32_t target = get32(p);
	uint64_t v;
	int ret = target == SNAP_TARGET_GIC
			  ? vgic_vm_get_attr(vm, VGIC_GRP_ADDR, get64(p + 8), &v)
			  : vgic_its_get_attr(vm, (int)target, VGIC_GRP_ADDR, get64(p + 8), &v);

	return !ret && v == get64(p + 16);
}

/* The whole blob is checked before the first record is applied. */
static int check_blob(struct vgic_vm *vm, const uint8_t *b, size_t len)
{
	uint32_t nr;

	if (!b || len < SNAP_HDR_SIZE || memcmp(b + HDR_MAGIC, SNAP_MAGIC, 8))
		return -EINVAL;
	if (get32(b + HDR_VERSION) != VGIC_SNAPSHOT_VERSION)
		return -EOPNOTSUPP;
	nr = get32(b + HDR_NR_RECS);
	if (get32(b + HDR_SIZE) != SNAP_HDR_SIZE ||
	    (len - SNAP_HDR_SIZE) / SNAP_REC_SIZE != nr || (len - SNAP_HDR_SIZE) % SNAP_REC_SIZE ||
	    blob_crc(b, len) != get32(b + HDR_CRC))
		return -EINVAL;
	if (get32(b + HDR_VCPUS) != vm->nr_vcpus || get32(b + HDR_IRQS) != vm->gic.nr_irqs ||
	    get32(b + HDR_ITS) != atomic_load(&vm->nr_its))
		return -EINVAL;
	for (uint32_t i = 0; i < nr; i++) {
		const uint8_t *p = b + SNAP_HDR_SIZE + (size_t)i * SNAP_REC_SIZE;
		uint32_t target = get32(p);

		if (target != SNAP_TARGET_GIC && target >= atomic_load(&vm->nr_its))
			return -EINVAL;
		if (get32(p + 4) == VGIC_GRP_ADDR && !addr_matches(vm, p))
			return -EINVAL;
	}
	return 0;
}

int vgic_vm_restore_state(struct vgic_vm *vm, const void *buf, size_t len)
{
	const uint8_t *b = buf, *p;
	uint32_t nr;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	if (!vm_ready(vm))
		return -EBUSY;
	ret = check_blob(vm, b, len);
	if (ret)
		return ret;
	nr = get32(b + HDR_NR_RECS);
	p = b + SNAP_HDR_SIZE;
	for (uint32_t i = 0; i < nr && !ret; i++, p += SNAP_REC_SIZE) {
		uint32_t target = get32(p), group = get32(p + 4);

		if (group == VGIC_GRP_ADDR)
			continue;	/* checked above */
		if (target == SNAP_TARGET_GIC)
			ret = vgic_vm_set_attr(vm, group, get64(p + 8), get64(p + 16));
		else
			ret = vgic_its_set_attr(vm, (int)target, group, get64(p + 8), get64(p + 16));
	}
	return ret;
}
