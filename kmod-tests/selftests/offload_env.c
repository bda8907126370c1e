// SPDX-License-Identifier: GPL-2.0
/* The offload tests' topology: a ktls_nsim pair across namespaces, or a real NIC. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktls_util.h"
#include "offload_env.h"

#define NSIM_SYSFS "/sys/kernel/ktls_nsim"

int env_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void fail(struct offload_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->error, sizeof(env->error), fmt, ap);
	va_end(ap);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = -errno;
	close(fd);
	return err;
}

/* ktls_nsim.ko: $KTLS_NSIM_KO, in the checkout beside build/, or installed. */
static int load_nsim(struct offload_env *env)
{
	char self[512], ko[700];
	const char *given = getenv("KTLS_NSIM_KO");
	ssize_t n;

	if (access(NSIM_SYSFS, F_OK) == 0)
		return 0;
	env_run("modprobe -q gf128mul");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = 0;
	snprintf(ko, sizeof(ko), "%s/../../kmod-tests/nsim/ktls_nsim.ko", dirname(self));
	if (given)
		snprintf(ko, sizeof(ko), "%s", given);
	if (access(ko, R_OK) == 0) {
		if (env_run("insmod %s pairs=0", ko)) {
			fail(env, "insmod %s failed (see dmesg)", ko);
			return -1;
		}
	} else if (env_run("modprobe -q ktls_nsim pairs=0")) {
		fail(env, "ktls_nsim: not built (%s) nor installed: run 'make modules'", ko);
		return -1;
	}
	return 0;
}

static int setup_simulated(struct offload_env *env)
{
	static const char *v4[] = { "192.0.2.1", "192.0.2.2" };
	static const char *v6[] = { "2001:db8::1", "2001:db8::2" };
	char pair[64];
	int pid = getpid() % 100000;

	if (load_nsim(env))
		return -1;
	env->simulated = 1;
	snprintf(env->dev[LOCAL], IF_NAMESIZE, "kto%da", pid);
	snprintf(env->dev[REMOTE], IF_NAMESIZE, "kto%db", pid);
	snprintf(env->netns, sizeof(env->netns), "ktls-offload-%d", pid);
	snprintf(pair, sizeof(pair), "%s %s", env->dev[LOCAL], env->dev[REMOTE]);
	if (write_file(NSIM_SYSFS "/new_pair", pair)) {
		fail(env, "creating the pair %s: %s", pair, strerror(errno));
		return -1;
	}
	for (int s = LOCAL; s <= REMOTE; s++) {
		snprintf(env->addr_v4[s], sizeof(env->addr_v4[s]), "%s", v4[s]);
		snprintf(env->addr_v6[s], sizeof(env->addr_v6[s]), "%s", v6[s]);
	}
	if (env_run("ip netns add %s && ip link set %s netns %s && "
		    "ip addr add %s/24 dev %s && ip addr add %s/64 dev %s nodad && "
		    "ip link set %s up && ip -n %s link set lo up && "
		    "ip -n %s addr add %s/24 dev %s && ip -n %s addr add %s/64 dev %s nodad && "
		    "ip -n %s link set %s up && "
		    /* Addresses survive a device going down (the down test). */
		    "echo 1 > /proc/sys/net/ipv6/conf/%s/keep_addr_on_down && "
		    "ip netns exec %s sh -c 'echo 1 > /proc/sys/net/ipv6/conf/%s/keep_addr_on_down'",
		    env->netns, env->dev[REMOTE], env->netns,
		    v4[0], env->dev[LOCAL], v6[0], env->dev[LOCAL],
		    env->dev[LOCAL], env->netns,
		    env->netns, v4[1], env->dev[REMOTE], env->netns, v6[1], env->dev[REMOTE],
		    env->netns, env->dev[REMOTE], env->dev[LOCAL], env->netns, env->dev[REMOTE])) {
		fail(env, "setting up the namespace %s with ip(8)", env->netns);
		return -1;
	}
	/*
	 * Neighbours fixed: address resolution has timeouts of its own (1 s per
	 * try, 3 tries) that a busy machine running the guest under TCG can
	 * miss, and a connect then fails with EHOSTUNREACH. (A device taken
	 * down flushes them; the resolution after that is dynamic again.)
	 */
	if (env_run("a=$(cat /sys/class/net/%s/address) && "
		    "b=$(ip netns exec %s cat /sys/class/net/%s/address) && "
		    "ip neigh replace %s lladdr \"$b\" dev %s nud permanent && "
		    "ip neigh replace %s lladdr \"$b\" dev %s nud permanent && "
		    "ip -n %s neigh replace %s lladdr \"$a\" dev %s nud permanent && "
		    "ip -n %s neigh replace %s lladdr \"$a\" dev %s nud permanent",
		    env->dev[LOCAL], env->netns, env->dev[REMOTE],
		    v4[1], env->dev[LOCAL], v6[1], env->dev[LOCAL],
		    env->netns, v4[0], env->dev[REMOTE], env->netns, v6[0], env->dev[REMOTE])) {
		fail(env, "fixing the neighbours in %s with ip(8)", env->netns);
		return -1;
	}
	return 0;
}

/* The device holding @addr in the current namespace. */
static int dev_of_addr(const char *addr, char *dev)
{
	char cmd[256];
	FILE *p;
	int found;

	snprintf(cmd, sizeof(cmd), "ip -o addr show to %s | awk '{print $2; exit}'", addr);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	found = fscanf(p, "%15s", dev) == 1;
	pclose(p);
	return found ? 0 : -1;
}

static int setup_real(struct offload_env *env)
{
	const char *netif = getenv("NETIF"), *lv4 = getenv("LOCAL_V4");
	const char *rv4 = getenv("REMOTE_V4"), *type = getenv("REMOTE_TYPE");
	const char *args = getenv("REMOTE_ARGS");

	if (!lv4 || !rv4 || !type) {
		fail(env, "NETIF needs LOCAL_V4, REMOTE_V4 and REMOTE_TYPE");
		return -1;
	}
	if (strcmp(type, "netns")) {
		/* Our tests hold both sockets in one process: a remote host
		 * would need an agent there, which we do not have. */
		snprintf(env->skip, sizeof(env->skip),
			 "REMOTE_TYPE=%s: only netns is supported", type);
		return 0;
	}
	if (!args || !*args) {
		fail(env, "REMOTE_TYPE=netns needs REMOTE_ARGS=<namespace>");
		return -1;
	}
	snprintf(env->dev[LOCAL], IF_NAMESIZE, "%s", netif);
	snprintf(env->addr_v4[LOCAL], sizeof(env->addr_v4[LOCAL]), "%s", lv4);
	snprintf(env->addr_v4[REMOTE], sizeof(env->addr_v4[REMOTE]), "%s", rv4);
	snprintf(env->netns, sizeof(env->netns), "%s", args);
	return 0;
}

static int open_namespaces(struct offload_env *env)
{
	char path[128];

	env->ns_fd[LOCAL] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", env->netns);
	env->ns_fd[REMOTE] = open(path, O_RDONLY | O_CLOEXEC);
	if (env->ns_fd[LOCAL] < 0 || env->ns_fd[REMOTE] < 0) {
		fail(env, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!env->dev[REMOTE][0]) {
		if (env_enter(env, REMOTE) || dev_of_addr(env->addr_v4[REMOTE], env->dev[REMOTE])) {
			env_enter(env, LOCAL);
			fail(env, "no device holds %s in %s", env->addr_v4[REMOTE], env->netns);
			return -1;
		}
		env_enter(env, LOCAL);
	}
	return 0;
}

void offload_env_setup(struct offload_env *env)
{
	const char *mib = getenv("KTLS_OFFLOAD_MIB");

	memset(env, 0, sizeof(*env));
	env->ns_fd[LOCAL] = env->ns_fd[REMOTE] = -1;
	env->size = (size_t)(mib ? atoi(mib) : 16) << 20;
	if (env->size < (16u << 20))
		env->size = 16u << 20;
	/* Odd, so that records and segments never line up. */
	env->size += 4093;
	if (getenv("NETIF") ? setup_real(env) : setup_simulated(env))
		return;
	if (env->skip[0])
		return;
	if (open_namespaces(env))
		return;
	env->ready = 1;
}

void offload_env_teardown(struct offload_env *env)
{
	for (int s = LOCAL; s <= REMOTE; s++)
		if (env->ns_fd[s] >= 0)
			close(env->ns_fd[s]);
	if (!env->simulated)
		return;
	env_run("ip netns del %s 2>/dev/null", env->netns);
	write_file(NSIM_SYSFS "/del_pair", env->dev[LOCAL]);
}

int env_enter(const struct offload_env *env, enum side side)
{
	return setns(env->ns_fd[side], CLONE_NEWNET) ? -errno : 0;
}

static int fill_addr(const struct offload_env *env, int family, enum side side, int port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return inet_pton(AF_INET, env->addr_v4[side], &sin->sin_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*len = sizeof(*sin6);
	if (!env->addr_v6[side][0])
		return -EAFNOSUPPORT;
	return inet_pton(AF_INET6, env->addr_v6[side], &sin6->sin6_addr) == 1 ? 0 : -EINVAL;
}

int env_tcp_pair(const struct offload_env *env, int family, int *local, int *remote)
{
	return env_tcp_pair_ports(env, family, 0, 0, local, remote);
}

/* Bind @fd to the local address and @port, reusable: it may be in TIME_WAIT. */
static int bind_local(const struct offload_env *env, int fd, int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int err = fill_addr(env, family, LOCAL, port, &ss, &len);

	if (err)
		return err;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    bind(fd, (struct sockaddr *)&ss, len))
		return -errno;
	return 0;
}

int env_tcp_pair_ports(const struct offload_env *env, int family, int local_port,
		       int remote_port, int *local, int *remote)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int lfd = -1, cfd = -1, sfd = -1, err;

	err = fill_addr(env, family, REMOTE, remote_port, &ss, &len);
	if (err)
		return err;
	err = env_enter(env, REMOTE);
	if (!err) {
		lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0 ||
		    (remote_port && setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 },
					       sizeof(int))) ||
		    bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 1) ||
		    getsockname(lfd, (struct sockaddr *)&ss, &len))
			err = -errno;
	}
	if (env_enter(env, LOCAL) && !err)
		err = -errno;
	if (err)
		goto out;
	cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0) {
		err = -errno;
		goto out;
	}
	if (local_port) {
		err = bind_local(env, cfd, family, local_port);
		if (err)
			goto out;
	}
	if (connect(cfd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		goto out;
	}
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (sfd < 0) {
		err = -errno;
		goto out;
	}
	*local = cfd;
	*remote = sfd;
	cfd = -1;
out:
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	return err;
}

int env_set_feature(const struct offload_env *env, enum side side, const char *feature, int on)
{
	if (side == REMOTE)
		return env_run("ip netns exec %s ethtool -K %s %s %s", env->netns,
			       env->dev[side], feature, on ? "on" : "off");
	return env_run("ethtool -K %s %s %s", env->dev[side], feature, on ? "on" : "off");
}

/* ETHTOOL_GSTRINGS + ETHTOOL_GSTATS on @dev, in the current namespace. */
static long long ethtool_stat(const char *dev, const char *name)
{
	/* The header and room for its one flexible data[] entry: the count. */
	union {
		struct ethtool_sset_info hdr;
		uint8_t room[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	uint32_t count;
	struct ethtool_gstrings *strings = NULL;
	struct ethtool_stats *stats = NULL;
	struct ifreq ifr = {};
	long long value = -ENOENT;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) || !info.hdr.sset_mask)
		goto out;
	count = info.hdr.data[0];
	strings = calloc(1, sizeof(*strings) + count * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + count * sizeof(uint64_t));
	if (!strings || !stats)
		goto out;
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_STATS;
	strings->len = count;
	ifr.ifr_data = (void *)strings;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = count;
	ifr.ifr_data = (void *)stats;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	for (uint32_t i = 0; i < count; i++)
		if (!strncmp((char *)strings->data + i * ETH_GSTRING_LEN, name, ETH_GSTRING_LEN))
			value = (long long)stats->data[i];
out:
	free(strings);
	free(stats);
	close(fd);
	return value;
}

long long env_dev_stat(const struct offload_env *env, enum side side, const char *name)
{
	long long v;

	if (env_enter(env, side))
		return -errno;
	v = ethtool_stat(env->dev[side], name);
	env_enter(env, LOCAL);
	return v;
}

long long env_tls_stat(const struct offload_env *env, enum side side, const char *name)
{
	long long v;

	if (env_enter(env, side))
		return -errno;
	v = ktls_stat(name);
	env_enter(env, LOCAL);
	return v;
}

int env_modes(const struct offload_env *env, enum side side, int fd,
	      enum ktlsd_mode *tx, enum ktlsd_mode *rx)
{
	int err;

	if (env_enter(env, side))
		return -errno;
	err = ktlsd_ktls_modes(fd, tx, rx) ? -errno : 0;
	env_enter(env, LOCAL);
	return err;
}

int env_nsim_knob(const struct offload_env *env, enum side side, const char *knob,
		  unsigned int value)
{
	char path[128], text[16];

	if (!env->simulated)
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), NSIM_SYSFS "/%s/%s", env->dev[side], knob);
	snprintf(text, sizeof(text), "%u", value);
	return write_file(path, text);
}
