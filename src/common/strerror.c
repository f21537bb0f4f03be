/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include <vgic/vgic.h>

/* What each errno means when this library returns it, in KVM's terms. */
static const struct {
	int err;
	const char *text;
} errtab[] = {
	{ 0, "success" },
	{ -EINVAL, "invalid argument (bad size, ID, flag or alignment)" },
	{ -EEXIST, "already set or registered" },
	{ -ENXIO, "no such attribute, or not configured yet" },
	{ -ENODEV, "no such device (destroyed VM, no GIC or no ITS)" },
	{ -EBUSY, "busy: not initialised yet, already initialised, or disabled" },
	{ -EACCES, "not allowed in the current state" },
	{ -ENOENT, "no such entry" },
	{ -ENOMEM, "out of memory" },
	{ -ENOSPC, "no room left" },
	{ -EFAULT, "guest address outside RAM" },
	{ -E2BIG, "too big: an address beyond the guest physical address space, or a table past the size limit" },
	{ -EPERM, "register cannot be accessed in that direction" },
	{ -EAGAIN, "not ready yet, try again later" },
	{ -EBADF, "not an open eventfd" },
	{ -EMFILE, "out of file descriptors" },
	{ -EOPNOTSUPP, "operation not supported" },
};

const char *vgic_strerror(int err)
{
	if (err > 0)
		err = -err;
	for (unsigned int i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].err == err)
			return errtab[i].text;
	return "unknown error";
}
