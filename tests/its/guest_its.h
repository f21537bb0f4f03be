/* SPDX-License-Identifier: MIT */
/*
 * A minimal guest ITS driver for the tests: it lays out the LPI property and
 * pending tables, the Device and Collection tables and the command queue in
 * the test VM's RAM, and issues commands by writing them to the queue and
 * advancing GITS_CWRITER through MMIO, as a guest kernel does.
 */
#ifndef VGIC_TESTS_GUEST_ITS_H
#define VGIC_TESTS_GUEST_ITS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "helpers.h"

#define T_ITS		0x08080000ULL
#define T_ITS2		0x08040000ULL	/* a second ITS, between distributor and first ITS */

/* Guest RAM layout (offsets from T_RAM); everything 64 KiB aligned. */
#define G_PROP		0x010000ULL	/* LPI property table (64 KiB: IDbits 16) */
#define G_PEND		0x020000ULL	/* pending tables, 64 KiB apart per vCPU */
#define G_PEND_STRIDE	0x010000ULL
#define G_QUEUE		0x100000ULL	/* command queue (up to 1 MiB) */
#define G_DEVTBL	0x200000ULL	/* Device table */
#define G_COLLTBL	0x300000ULL	/* Collection table */
#define G_L2		0x400000ULL	/* level-2 Device table pages */
#define G_ITT		0x800000ULL	/* ITTs, 64 KiB apart */
#define G_RAM_SIZE	0x1000000ULL	/* 16 MiB */

#define LPI(n)		(8192u + (n))

struct gits {
	struct tvm *t;
	int id;
	uint64_t base;		/* ITS frame */
	uint64_t queue;		/* GPA of the queue */
	uint64_t qsize;		/* bytes */
	uint64_t cwriter;	/* where the next command goes */
};

/* The fixture most ITS tests start from (see its_fx_setup). */
struct its_fx {
	struct tvm *t;
	struct gits g;
};

/*
 * Two vCPUs with LPIs on and one ITS with a flat Device table and a queue of
 * @qpages pages; collections 0..@nr_coll-1 mapped to vCPUs 0..@nr_coll-1;
 * device @devid mapped with 2^@itt_bits events.  Fails the test on error.
 */
struct its_fx *its_fx_new(unsigned int nr_coll, unsigned int qpages, uint32_t devid,
			  unsigned int itt_bits);
/* A cmocka group teardown for an its_fx in *@state. */
int its_fx_teardown(void **state);

/* A VM with @nr_vcpus vCPUs, 16 MiB of RAM and @nr_its ITSes (T_ITS, T_ITS2). */
struct tvm *its_tvm_new(unsigned int nr_vcpus, unsigned int nr_its);

/* Program every redistributor's LPI tables and EnableLPIs, and unmask the GIC. */
void guest_lpis_on(struct tvm *t);
/* Set the property byte of LPI @intid (priority, enable), as a guest does before INV. */
void lpi_prop(struct tvm *t, uint32_t intid, uint8_t prio, bool enable);

/* Bring ITS @id up: flat Device table of @dev_pages 64 KiB pages (0: two-level,
 * see its_l2_page), Collection table, a queue of @qpages 4 KiB pages. */
void gits_init(struct gits *g, struct tvm *t, int id, unsigned int dev_pages, unsigned int qpages);
/* For a two-level Device table: give L1 entry @idx a level-2 page. */
void gits_l2_page(struct gits *g, unsigned int idx);

uint64_t gits_rd(struct gits *g, uint32_t off, unsigned int len);
void gits_wr(struct gits *g, uint32_t off, unsigned int len, uint64_t val);

/* Queue one command and advance CWRITER (processing happens on that write). */
void gits_cmd(struct gits *g, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
/* Queue without advancing CWRITER; gits_kick() publishes everything queued. */
void gits_queue(struct gits *g, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
void gits_kick(struct gits *g);

void gits_mapd(struct gits *g, uint32_t dev, unsigned int bits, bool valid);
void gits_mapc(struct gits *g, uint16_t icid, uint32_t vcpu, bool valid);
void gits_mapti(struct gits *g, uint32_t dev, uint32_t ev, uint32_t intid, uint16_t icid);
void gits_mapi(struct gits *g, uint32_t dev, uint32_t ev, uint16_t icid);
void gits_movi(struct gits *g, uint32_t dev, uint32_t ev, uint16_t icid);
void gits_discard(struct gits *g, uint32_t dev, uint32_t ev);
void gits_int(struct gits *g, uint32_t dev, uint32_t ev);
void gits_clear(struct gits *g, uint32_t dev, uint32_t ev);
void gits_inv(struct gits *g, uint32_t dev, uint32_t ev);
void gits_invall(struct gits *g, uint16_t icid);
void gits_movall(struct gits *g, uint32_t from, uint32_t to);
void gits_sync(struct gits *g, uint32_t vcpu);

struct vgic_its_stats gits_stats(struct gits *g);

/* KVM_SIGNAL_MSI to this ITS's doorbell. */
int gits_msi(struct gits *g, uint32_t dev, uint32_t ev);

#endif
