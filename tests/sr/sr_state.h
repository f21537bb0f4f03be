/* SPDX-License-Identifier: MIT */
/*
 * The tests' VMM side of save/restore: the whole GIC state of a VM as a list
 * of device attributes, taken and put back in the order KVM documents.
 */
#ifndef VGIC_TESTS_SR_STATE_H
#define VGIC_TESTS_SR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "helpers.h"

struct sr_attr {
	uint32_t group;
	uint64_t attr;
	uint64_t val;
};

struct sr_state {
	struct sr_attr *a;
	size_t nr, cap;
};

/* Read every GIC attribute of @t (distributor, redistributors, CPU interfaces,
 * line levels) into @st, in restore order.  Fails the test on error. */
void sr_save_gic(struct tvm *t, uint32_t nr_irqs, struct sr_state *st);
/* Write @st into @t, clearing set/clear pairs first; fails the test on error. */
void sr_restore_gic(struct tvm *t, const struct sr_state *st);
/* Assert that two saved states are identical, naming the first difference. */
void sr_assert_equal(const struct sr_state *a, const struct sr_state *b);
void sr_free(struct sr_state *st);

#endif
