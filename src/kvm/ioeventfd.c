/* SPDX-License-Identifier: MIT */
/*
 * KVM_IOEVENTFD (virt/kvm/eventfd.c) on the VM's io bus.  Each registration
 * is an io-bus device covering its address (length 0: the address alone);
 * the bus offers it matching writes under its read lock, and unregistering
 * takes the write lock, so a registration is never freed under an access.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <vgic/ioeventfd.h>
#include <vgic/its.h>

#include "kvm/eventfd.h"
#include "kvm/ioeventfd.h"
#include "kvm/vm.h"

struct ioeventfd {
	struct list_node link;
	uint64_t addr;
	uint32_t len;
	bool wildcard;			/* no DATAMATCH: any value matches */
	uint64_t datamatch;
	int fd;				/* the library's dup */
	int user_fd;			/* the caller's number, without kcmp */
};

struct ioeventfds {
	pthread_mutex_t lock;		/* the list; outer to the bus lock */
	struct list_node list;
};

#define IOEVENTFD_FLAGS (VGIC_IOEVENTFD_FLAG_DATAMATCH | VGIC_IOEVENTFD_FLAG_DEASSIGN)

/* KVM's ioeventfd_in_range: exact address, then width, then value. */
static bool in_range(const struct ioeventfd *p, uint64_t addr, unsigned int len, uint64_t val)
{
	if (addr != p->addr)
		return false;
	if (!p->len)
		return true;
	if (len != p->len)
		return false;
	if (p->wildcard)
		return true;
	return (len == 8 ? val : val & ((1ULL << (len * 8)) - 1)) == p->datamatch;
}

static int ioeventfd_write(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
			   uint64_t val)
{
	struct ioeventfd *p = opaque;

	(void)vcpu;
	if (!in_range(p, addr, len, val))
		return -EOPNOTSUPP;
	efd_signal(p->fd);
	return 0;
}

/* Reads are the VMM's. */
static int ioeventfd_read(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
			  uint64_t *val)
{
	(void)opaque;
	(void)vcpu;
	(void)addr;
	(void)len;
	(void)val;
	return -EOPNOTSUPP;
}

static const struct io_dev_ops ioeventfd_ops = {
	.read = ioeventfd_read,
	.write = ioeventfd_write,
};

/* KVM's ioeventfd_check_collision: same address and overlapping matches. */
static bool collides(const struct ioeventfd *a, const struct ioeventfd *b)
{
	return a->addr == b->addr &&
	       (!a->len || !b->len ||
		(a->len == b->len &&
		 (a->wildcard || b->wildcard || a->datamatch == b->datamatch)));
}

static bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* ITS frames join the bus only at init, but their place is taken as soon as
 * their address is set. */
static bool over_its(struct vgic_vm *vm, uint64_t addr, uint64_t len)
{
	uint64_t base;

	for (int id = 0; id < VGIC_MAX_ITS; id++)
		if (!vgic_its_get_addr(vm, id, &base) &&
		    range_overlaps(addr, len, base, VGIC_ITS_SIZE))
			return true;
	return false;
}

/* The GIC's frames are not on the bus (they are dispatched first), the ITS
 * frames are: both are refused like an existing registration. */
static bool over_irqchip(struct vgic_vm *vm, uint64_t addr, uint64_t len)
{
	bool hit;

	len = len ? len : 1;
	if (over_its(vm, addr, len))
		return true;
	pthread_mutex_lock(&vm->config_lock);
	hit = (vm->dist_base != VGIC_ADDR_UNDEF &&
	       range_overlaps(addr, len, vm->dist_base, VGIC_DIST_SIZE)) ||
	      (vm->redist_base != VGIC_ADDR_UNDEF &&
	       range_overlaps(addr, len, vm->redist_base, VGIC_REDIST_SIZE * vm->nr_vcpus));
	pthread_mutex_unlock(&vm->config_lock);
	return hit || io_bus_overlaps(&vm->io_bus, addr, len, &ioeventfd_ops);
}

static struct ioeventfd *find_collision(struct ioeventfds *s, const struct ioeventfd *p)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &s->list) {
		struct ioeventfd *q = container_of(pos, struct ioeventfd, link);

		if (collides(q, p))
			return q;
	}
	return NULL;
}

static int assign(struct vgic_vm *vm, const struct vgic_ioeventfd *a)
{
	struct ioeventfds *s = vm->ioeventfds;
	struct ioeventfd *p;
	int ret = efd_check(a->fd);

	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct ioeventfd){
		.addr = a->addr,
		.len = a->len,
		.wildcard = !(a->flags & VGIC_IOEVENTFD_FLAG_DATAMATCH),
		.datamatch = a->flags & VGIC_IOEVENTFD_FLAG_DATAMATCH ? a->datamatch : 0,
		.fd = efd_dup(a->fd),
		.user_fd = a->fd,
	};
	if (p->fd < 0) {
		ret = p->fd;
		free(p);
		return ret;
	}
	if (over_irqchip(vm, p->addr, p->len)) {
		close(p->fd);
		free(p);
		return -EEXIST;
	}
	pthread_mutex_lock(&s->lock);
	if (find_collision(s, p))
		ret = -EEXIST;
	else
		ret = io_bus_register(&vm->io_bus, p->addr, p->len, &ioeventfd_ops, p);
	if (!ret)
		list_add_tail(&p->link, &s->list);
	pthread_mutex_unlock(&s->lock);
	if (ret) {
		close(p->fd);
		free(p);
	}
	return ret;
}

/* KVM's kvm_deassign_ioeventfd_idx match: eventfd, address, length, and the
 * datamatch (or its absence). */
static bool deassign_matches(const struct ioeventfd *p, const struct vgic_ioeventfd *a)
{
	bool wildcard = !(a->flags & VGIC_IOEVENTFD_FLAG_DATAMATCH);

	if (p->addr != a->addr || p->len != a->len || p->wildcard != wildcard)
		return false;
	if (!wildcard && p->datamatch != a->datamatch)
		return false;
	int c = efd_cmp(p->fd, a->fd);

	return c >= 0 ? c == 0 : p->user_fd == a->fd;
}

static int deassign(struct vgic_vm *vm, const struct vgic_ioeventfd *a)
{
	struct ioeventfds *s = vm->ioeventfds;
	struct list_node *pos, *tmp;
	struct ioeventfd *found = NULL;
	int ret = efd_check(a->fd);

	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	list_for_each_safe(pos, tmp, &s->list) {
		struct ioeventfd *p = container_of(pos, struct ioeventfd, link);

		if (deassign_matches(p, a)) {
			io_bus_unregister(&vm->io_bus, &ioeventfd_ops, p);
			list_del(&p->link);
			found = p;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!found)
		return -ENOENT;
	close(found->fd);
	free(found);
	return 0;
}

int vgic_ioeventfd(struct vgic_vm *vm, const struct vgic_ioeventfd *args)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!args)
		return -EINVAL;
	if (args->len != 0 && args->len != 1 && args->len != 2 && args->len != 4 &&
	    args->len != 8)
		return -EINVAL;
	if (args->addr + args->len < args->addr)
		return -EINVAL;
	if (args->flags & ~IOEVENTFD_FLAGS)
		return -EINVAL;
	if (!args->len && (args->flags & VGIC_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;
	if (args->flags & VGIC_IOEVENTFD_FLAG_DEASSIGN)
		return deassign(vm, args);
	return assign(vm, args);
}

int ioeventfd_vm_create(struct vgic_vm *vm)
{
	struct ioeventfds *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	list_init(&s->list);
	vm->ioeventfds = s;
	return 0;
}

void ioeventfd_vm_destroy(struct vgic_vm *vm)
{
	struct ioeventfds *s = vm->ioeventfds;
	struct list_node *pos, *tmp;

	if (!s)
		return;
	list_for_each_safe(pos, tmp, &s->list) {
		struct ioeventfd *p = container_of(pos, struct ioeventfd, link);

		io_bus_unregister(&vm->io_bus, &ioeventfd_ops, p);
		close(p->fd);
		free(p);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
	vm->ioeventfds = NULL;
}
