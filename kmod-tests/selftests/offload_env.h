/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the offload tests run. By default a fresh ktls_nsim pair: the local
 * end in our namespace (192.0.2.1, 2001:db8::1), the remote end in a new
 * network namespace (192.0.2.2, 2001:db8::2). With NETIF, LOCAL_V4,
 * REMOTE_V4, REMOTE_TYPE=netns and REMOTE_ARGS=<netns> (the variables of
 * the kernel's drivers/net/hw tests), a real NIC and its peer instead.
 *
 * Data flows local → remote: the local device transmits (TX offload), the
 * remote device receives (RX offload).
 */
#ifndef OFFLOAD_ENV_H
#define OFFLOAD_ENV_H

#include <net/if.h>
#include <stddef.h>

#include "ktlsd_ktls.h"

enum side { LOCAL, REMOTE };

struct offload_env {
	int ready;
	char error[256];		/* why not ready */
	char skip[256];			/* set: nothing can run here, and why */
	int simulated;			/* our own ktls_nsim pair */
	char dev[2][IF_NAMESIZE];	/* [LOCAL], [REMOTE] */
	char addr_v4[2][64];
	char addr_v6[2][64];		/* "" when there is none */
	char netns[64];			/* the remote side's namespace */
	int ns_fd[2];
	size_t size;			/* bytes per transfer: KTLS_OFFLOAD_MIB */
};

#define OFFLOAD_ENV_SUITE(name)							\
	static struct offload_env name;						\
	static void __attribute__((constructor)) name##_setup(void)		\
	{									\
		offload_env_setup(&name);					\
	}									\
	static void __attribute__((destructor)) name##_teardown(void)		\
	{									\
		offload_env_teardown(&name);					\
	}

void offload_env_setup(struct offload_env *env);
void offload_env_teardown(struct offload_env *env);

/* Run the rest in @side's network namespace (until the next call). */
int env_enter(const struct offload_env *env, enum side side);

/* A connected TCP pair: *@local connected to *@remote, IPv4 or IPv6. */
int env_tcp_pair(const struct offload_env *env, int family, int *local, int *remote);

/* The same from local port @local_port to remote port @remote_port (0: any). */
int env_tcp_pair_ports(const struct offload_env *env, int family, int local_port,
		       int remote_port, int *local, int *remote);

/* ethtool -K on @side's device: @feature ("tls-hw-tx-offload") on or off. */
int env_set_feature(const struct offload_env *env, enum side side,
		    const char *feature, int on);

/* A device counter (ethtool -S name) on @side; -ENOENT if it has none. */
long long env_dev_stat(const struct offload_env *env, enum side side, const char *name);

/* A /proc/net/tls_stat counter in @side's namespace. */
long long env_tls_stat(const struct offload_env *env, enum side side, const char *name);

/* SW or HW per direction of @fd, which lives on @side (sock_diag there). */
int env_modes(const struct offload_env *env, enum side side, int fd,
	      enum ktlsd_mode *tx, enum ktlsd_mode *rx);

/*
 * Write @value to the ktls_nsim knob @knob of @side's device (drop,
 * duplicate, reorder, corrupt, seed, max_ctx). -EOPNOTSUPP on a real NIC.
 */
int env_nsim_knob(const struct offload_env *env, enum side side, const char *knob,
		  unsigned int value);

/* Run a shell command line; its exit status, or -1. */
int env_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
