/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system call filter (seccomp, through libseccomp) of the workers and
 * the key process. A worker parses every byte a hostile peer sends; the key
 * process, every request a worker (perhaps taken over) sends. Once their
 * loops are set up they need only what the loops call: epoll, the sockets
 * they were given or accept, socket options (kTLS, TCP_NODELAY), memory,
 * threads for the closer, getrandom, the clock, and one socket of their
 * own: the netlink sock_diag query after a kTLS install (syslog's is
 * connected before; reconnecting is refused with EACCES, as is any other
 * local socket). One list for both: the key process's needs are a subset.
 * fcntl() only reads and sets flags. Opening
 * a file, exec, fork, ptrace, kill, mount and the rest are outside: the
 * kernel kills the whole process (SECCOMP_RET_KILL_PROCESS, SIGSYS), the
 * supervisor logs it and starts another.
 */
#ifndef KTLSD_SANDBOX_H
#define KTLSD_SANDBOX_H

#include <stddef.h>

/*
 * Load the filter into every thread of the calling process (it is
 * inherited by threads started later). 0, or -1 with the reason in @err:
 * the kernel has no seccomp, or libseccomp failed; the caller must not go
 * on unfiltered.
 */
int sandbox_enter(char *err, size_t errlen);

/*
 * The test hook (KTLSD_TEST_SECCOMP_PROBE in the daemon's environment, see
 * ktlsd(8)): call open(2), which the filter forbids. Never returns when
 * the filter is in place.
 */
void sandbox_probe(void);

#endif
