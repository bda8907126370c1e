// SPDX-License-Identifier: GPL-2.0-or-later
/* The workers' and the key process's system call filter: sandbox.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <malloc.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rsa.h"
#include "sandbox.h"

/*
 * Allowed with any arguments. Each is here for the loop (server.c) or what
 * it calls: libc's malloc, pthreads (the closer's threads, the session
 * cache's robust mutex), BearSSL, nettle and libsodium (memory only),
 * libcrypto in the key process (memory, and a getpid a signature: its
 * fork check), libnl (the sock_diag query), syslog.
 */
static const char *const any_args[] = {
	/* the event loop and the descriptors it holds (the key process makes its loop's after) */
	"epoll_create1", "eventfd2", "epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll",
	"read", "write", "readv", "writev", "close", "shutdown",
	"accept4", "recvmsg", "sendmsg", "recvfrom", "sendto",
	"getsockopt", "setsockopt", "getsockname", "getpeername", "bind",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* threads, locks, signals read from the signalfd */
	"futex", "set_robust_list", "rseq", "sched_yield",
	"rt_sigprocmask", "rt_sigreturn", "restart_syscall", "exit", "exit_group",
	"getpid", "gettid",
	/* time and randomness */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "clock_nanosleep",
	"nanosleep", "getrandom",
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define KTLSD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define KTLSD_SANITIZED 1
#endif
#endif

/*
 * Only in builds with the sanitizers (make SANITIZE=...), whose runtime
 * calls these around each thread's start and in its reports; never in the
 * daemon as shipped.
 */
static const char *const sanitizer_only[] = {
#ifdef KTLSD_SANITIZED
	"sched_getaffinity", "sigaltstack", "prctl", "getrlimit", "prlimit64", "readlink",
	"openat", "fstat", "newfstatat", "lseek", "pread64", "uname", "getppid", "rt_sigaction",
	"sched_getparam", "sched_getscheduler",
#endif
	NULL,
};

/* @action for @name when the @n comparisons @cmp hold; 0, or a negative errno. */
static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
		const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* Not a system call on this architecture: nothing to allow. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

static int allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *cmp)
{
	return rule(ctx, SCMP_ACT_ALLOW, name, n, cmp);
}

/* Allowed only with the arguments given, each rule on its own; 0 or a negative errno. */
static int allow_narrowly(scmp_filter_ctx ctx)
{
	pid_t self = getpid();
	const struct scmp_arg_cmp thread[] = {
		/* A thread, never a new process. */
		SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD),
	};
	const struct scmp_arg_cmp unix_socket[] = { SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0) };
	const struct scmp_arg_cmp diag_socket[] = {
		SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
		SCMP_A2(SCMP_CMP_EQ, NETLINK_SOCK_DIAG, 0),
	};
	/* Flags only (libnl, glibc): never F_SETOWN or F_SETSIG, which aim signals at others. */
	const struct scmp_arg_cmp fcntl_cmds[][1] = {
		{ SCMP_A1(SCMP_CMP_EQ, F_GETFD, 0) }, { SCMP_A1(SCMP_CMP_EQ, F_SETFD, 0) },
		{ SCMP_A1(SCMP_CMP_EQ, F_GETFL, 0) }, { SCMP_A1(SCMP_CMP_EQ, F_SETFL, 0) },
	};
	const struct scmp_arg_cmp own_threads[] = {
		/* abort(), raise(): signals to ourselves only */
		SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0),
	};
	int rc;

	if ((rc = allow(ctx, "clone", 1, thread)) < 0 ||
	    (rc = allow(ctx, "socket", 2, diag_socket)) < 0 ||
	    (rc = allow(ctx, "tgkill", 1, own_threads)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(fcntl_cmds) / sizeof(fcntl_cmds[0]); i++)
		if ((rc = allow(ctx, "fcntl", 1, fcntl_cmds[i])) < 0)
			return rc;
	/*
	 * syslog(3) connects again after syslogd restarted: refused, not
	 * killed (that worker's lines are lost until it is started again), as
	 * any other local socket would reach D-Bus, the journal, abstract names.
	 */
	if ((rc = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, unix_socket)) < 0 ||
	    (rc = rule(ctx, SCMP_ACT_ERRNO(EACCES), "connect", 0, NULL)) < 0)
		return rc;
	/*
	 * clone3() passes its flags in memory a filter cannot read: ENOSYS
	 * makes glibc's pthread_create() fall back to clone().
	 */
	return rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

/* What libc would otherwise fetch lazily, with open(), once the filter is in. */
static void prepare_libc(void)
{
	/* syslog(3) stamps each line in local time: /etc/localtime, read now. */
	tzset();
	/* libcrypto's random generator seeded (RSA blinding, ECDSA nonces), its lazy set-up done. */
	rsa_prepare();
	/*
	 * Past 8 arenas (8 closer threads freeing at once) malloc counts the
	 * CPUs, reading /sys/devices/system/cpu/online, unless the limit is
	 * set: a few arenas are plenty for one loop and its closer.
	 */
	mallopt(M_ARENA_MAX, 4);
	log_connect();
}

int sandbox_enter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = 0;

	prepare_libc();
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp filter not made (libseccomp or the kernel lacks "
			 "SECCOMP_RET_KILL_PROCESS, or no memory)");
		return -1;
	}
	/* Every thread, the closer's included, not only the caller. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; !rc && i < sizeof(any_args) / sizeof(any_args[0]); i++)
		rc = allow(ctx, any_args[i], 0, NULL);
	for (size_t i = 0; !rc && sanitizer_only[i]; i++)
		rc = allow(ctx, sanitizer_only[i], 0, NULL);
	if (!rc)
		rc = allow_narrowly(ctx);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		snprintf(err, errlen, "seccomp filter not loaded: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

void sandbox_probe(void)
{
	int fd;

	log_msg(LOG_NOTICE, "KTLSD_TEST_SECCOMP_PROBE: calling open(2), which the filter forbids");
	fd = open("/", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	log_msg(LOG_ERR, "KTLSD_TEST_SECCOMP_PROBE: open(2) returned, the filter is not in place");
}
