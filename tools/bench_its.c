/* SPDX-License-Identifier: MIT */
/* The benchmarks' guest ITS driver (see bench_its.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_its.h"
#include "common/bits.h"
#include "gic/regs.h"
#include "its/regs.h"

/* RAM layout, offsets from BITS_RAM. */
#define R_PROP		0x000000ULL	/* 64 KiB: IDbits 16 */
#define R_QUEUE		0x010000ULL	/* 1 MiB: 32768 commands */
#define R_QUEUE_PAGES	256
#define R_DEVTBL	0x110000ULL	/* 512 KiB: 65536 devices x 8 bytes */
#define R_DEVTBL_PAGES	8
#define R_COLLTBL	0x190000ULL	/* 64 KiB: 8192 collections */
#define R_PEND		0x1a0000ULL	/* 64 KiB per vCPU */
#define PEND_STRIDE	0x10000ULL
#define PAGE_64K	0x10000ULL
#define ITT_ALIGN	256ULL
#define LPI_PRIO	0xa0

#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

void bits_check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "vgic bench: %s: %s\n", what, vgic_strerror(ret));
		exit(1);
	}
}

static void wr(struct bits_vm *b, uint64_t gpa, unsigned int len, uint64_t val)
{
	if (vgic_mmio_write(b->vm, 0, gpa, len, val) != VGIC_MMIO_HANDLED) {
		fprintf(stderr, "vgic bench: MMIO write at %#llx not handled\n",
			(unsigned long long)gpa);
		exit(1);
	}
}

static void queue(struct bits_vm *b, uint64_t w0, uint64_t w1, uint64_t w2)
{
	uint64_t w[4] = { w0, w1, w2, 0 };
	uint64_t qsize = R_QUEUE_PAGES * ITS_QUEUE_PAGE;

	memcpy(b->ram + R_QUEUE + b->cwriter, w, sizeof(w));
	b->cwriter = (b->cwriter + ITS_CMD_SIZE) % qsize;
	/* Publish every half queue so that the writer never laps the reader. */
	if (b->cwriter % (qsize / 2) == 0)
		bits_flush(b);
}

/* As a guest driver: advance CWRITER, then poll CREADR until the ITS caught up. */
void bits_flush(struct bits_vm *b)
{
	uint64_t creadr;

	wr(b, BITS_ITS + GITS_CWRITER, 8, b->cwriter);
	for (;;) {
		if (vgic_mmio_read(b->vm, 0, BITS_ITS + GITS_CREADR, 8, &creadr) !=
		    VGIC_MMIO_HANDLED || FIELD_GET(GITS_CREADR, STALLED, creadr)) {
			fprintf(stderr, "vgic bench: ITS command queue stalled\n");
			exit(1);
		}
		if (FIELD_GET(GITS_CREADR, OFFSET, creadr) * ITS_CMD_SIZE == b->cwriter)
			return;
	}
}

uint64_t bits_itt_size(uint32_t nr_events)
{
	uint64_t n = 1;

	while (n < nr_events)
		n <<= 1;
	return ROUND_UP(n * ITS_ENTRY_SIZE, ITT_ALIGN);
}

static unsigned int event_bits(uint32_t nr_events)
{
	unsigned int bits = 1;

	while ((1ULL << bits) < nr_events)
		bits++;
	return bits;
}

void bits_mapd(struct bits_vm *b, uint32_t dev, uint32_t nr_events)
{
	uint64_t itt = b->itt_next;

	b->itt_next += bits_itt_size(nr_events);
	if (b->itt_next > b->ram_size) {
		fprintf(stderr, "vgic bench: out of ITT space\n");
		exit(1);
	}
	queue(b, FIELD_DP(CMD_0, DEVICEID, dev) | ITS_CMD_MAPD,
	      FIELD_DP(MAPD_1, SIZE, event_bits(nr_events) - 1),
	      FIELD_DP(MAPD_2, VALID, 1) | (BITS_RAM + itt));
}

void bits_mapti(struct bits_vm *b, uint32_t dev, uint32_t ev, uint32_t intid, uint16_t icid)
{
	queue(b, FIELD_DP(CMD_0, DEVICEID, dev) | ITS_CMD_MAPTI,
	      FIELD_DP(MAPTI_1, PINTID, intid) | ev, FIELD_DP(CMD_2, ICID, icid));
}

void bits_clear(struct bits_vm *b, uint32_t dev, uint32_t ev)
{
	queue(b, FIELD_DP(CMD_0, DEVICEID, dev) | ITS_CMD_CLEAR, FIELD_DP(CMD_1, EVENTID, ev), 0);
}

/* Redistributors and the ITS's tables, as before a restore: ITS off, nothing mapped. */
static void tables_setup(struct bits_vm *b)
{
	wr(b, BITS_DIST + GICD_CTLR, 4, FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	memset(b->ram + R_PROP, LPI_PRIO | 1, BITS_NR_LPIS);	/* enabled */
	for (unsigned int c = 0; c < b->nr_vcpus; c++) {
		uint64_t rd = BITS_REDIST + c * VGIC_REDIST_SIZE;

		wr(b, rd + GICR_PROPBASER, 8, (BITS_RAM + R_PROP) | (16 - 1));
		wr(b, rd + GICR_PENDBASER, 8, BITS_RAM + R_PEND + c * PEND_STRIDE);
		wr(b, rd + GICR_CTLR, 4, FIELD_DP(GICR_CTLR, ENABLE_LPIS, 1));
	}
	wr(b, BITS_ITS + GITS_BASER, 8, FIELD_DP(GITS_BASER, VALID, 1) |
	   FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) | (BITS_RAM + R_DEVTBL) |
	   FIELD_DP(GITS_BASER, SIZE, R_DEVTBL_PAGES - 1));
	wr(b, BITS_ITS + GITS_BASER + 8, 8, FIELD_DP(GITS_BASER, VALID, 1) |
	   FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) | (BITS_RAM + R_COLLTBL));
	wr(b, BITS_ITS + GITS_CBASER, 8, FIELD_DP(GITS_CBASER, VALID, 1) |
	   (BITS_RAM + R_QUEUE) | (R_QUEUE_PAGES - 1));
}

static void guest_setup(struct bits_vm *b)
{
	tables_setup(b);
	wr(b, BITS_ITS + GITS_CTLR, 4, FIELD_DP(GITS_CTLR, ENABLED, 1));
	for (uint32_t c = 0; c < b->nr_vcpus; c++)
		queue(b, ITS_CMD_MAPC, 0,
		      FIELD_DP(MAPC_2, VALID, 1) | FIELD_DP(MAPC_2, RDBASE, c) | c);
	bits_flush(b);
}

static struct bits_vm *vm_new(unsigned int nr_vcpus, uint64_t itt_bytes, bool enable)
{
	struct bits_vm *b = calloc(1, sizeof(*b));
	uint64_t itt_base = ROUND_UP(R_PEND + nr_vcpus * PEND_STRIDE, PAGE_64K);

	if (!b)
		goto oom;
	b->nr_vcpus = nr_vcpus;
	b->itt_next = itt_base;
	b->ram_size = ROUND_UP(itt_base + itt_bytes, PAGE_64K);
	b->ram = calloc(1, b->ram_size);
	if (!b->ram)
		goto oom;
	bits_check(vgic_vm_create(nr_vcpus, 0, &b->vm), "vgic_vm_create");
	bits_check(vgic_vm_set_addr(b->vm, VGIC_ADDR_TYPE_DIST, BITS_DIST), "dist address");
	bits_check(vgic_vm_set_addr(b->vm, VGIC_ADDR_TYPE_REDIST, BITS_REDIST), "redist address");
	bits_check(vgic_its_create(b->vm), "vgic_its_create");
	bits_check(vgic_its_set_addr(b->vm, 0, BITS_ITS), "ITS address");
	bits_check(vgic_vm_add_ram(b->vm, BITS_RAM, b->ram_size, b->ram), "vgic_vm_add_ram");
	bits_check(vgic_vm_init(b->vm), "vgic_vm_init");
	if (enable)
		guest_setup(b);
	else
		tables_setup(b);
	return b;
oom:
	fprintf(stderr, "vgic bench: out of memory\n");
	exit(1);
}

struct bits_vm *bits_vm_new(unsigned int nr_vcpus, uint64_t itt_bytes)
{
	return vm_new(nr_vcpus, itt_bytes, true);
}

struct bits_vm *bits_vm_new_for_restore(unsigned int nr_vcpus, uint64_t itt_bytes)
{
	return vm_new(nr_vcpus, itt_bytes, false);
}

void bits_vm_free(struct bits_vm *b)
{
	vgic_vm_destroy(b->vm);
	free(b->ram);
	free(b);
}
