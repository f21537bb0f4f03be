/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "kvm/eventfd.h"

#define EFD_LINK_NAME "anon_inode:[eventfd]"

int efd_check(int fd)
{
	char path[32], link[sizeof(EFD_LINK_NAME) + 1];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	/* Without /proc the type can not be told: take the caller's word. */
	if (n < 0)
		return errno == ENOENT ? 0 : -EBADF;
	link[n] = '\0';
	return strcmp(link, EFD_LINK_NAME) ? -EINVAL : 0;
}

int efd_dup(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return d < 0 ? -errno : d;
}

/* kcmp(KCMP_FILE) orders files: 0 equal, 1 or 2 less or greater, 3 unordered. */
int efd_cmp(int a, int b)
{
	pid_t pid = getpid();
	long r = syscall(SYS_kcmp, pid, pid, KCMP_FILE, a, b);

	if (r < 0)
		return -errno;
	return r != 0;
}

/*
 * The kernel's eventfd_signal() never blocks; a write(2) does when the
 * counter is at its 2^64 - 2 ceiling, which a hostile peer can arrange and
 * which would stall a vCPU thread.  The file's flags are shared with the
 * caller, so instead of O_NONBLOCK ask first: a saturated counter has
 * already woken its reader, so the signal is not lost.  (Only a peer that
 * fills the counter between the poll and the write can still stall us.)
 */
void efd_signal(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	uint64_t one = 1;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
		return;
	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/*
 * RWF_NOWAIT keeps a reader that races with us (the caller reading its own
 * irqfd) from blocking a worker, without setting O_NONBLOCK on the caller's
 * open file.  Kernels before 5.9 reject it; there a zero-timeout poll first
 * narrows the window.
 */
uint64_t efd_drain(int fd)
{
	uint64_t v = 0;
	struct iovec iov = { &v, sizeof(v) };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	do
		n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EOPNOTSUPP && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		n = read(fd, &v, sizeof(v));
	return n == sizeof(v) ? v : 0;
}
