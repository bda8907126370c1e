// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsctl sockets: every TCP socket with the TLS ULP, from a sock_diag
 * dump (INET_DIAG_ULP_INFO, which the kernel fills in for CAP_NET_ADMIN).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktlsctl.h"
#include "tlsdiag.h"

struct filter {
	int hw, sw;		/* --hw: a direction on the NIC; --sw: none */
	int sport, dport;	/* -1: any */
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
};

struct dump {
	const struct filter *f;
	json_object *list;
	const char *netns;	/* tag each socket with it (-n all), or NULL */
	int error;
};

static void sockets_help(FILE *out)
{
	fputs("usage: ktlsctl sockets [-n NETNS] [--hw|--sw] [sport N] [dport N] [src ADDR] [dst ADDR]\n"
	      "\n"
	      "Every TCP socket (IPv4 and IPv6) with kernel TLS: addresses, TLS version,\n"
	      "cipher, where TX and RX crypto run (sw, or hw: the NIC), zerocopy\n"
	      "sendfile, rx no-pad. --hw: at least one direction on the NIC; --sw: none.\n"
	      "-n NETNS looks in that network namespace (ip netns); -n all in this one and\n"
	      "every named one, each socket tagged with its namespace. Needs CAP_NET_ADMIN.\n", out);
}

static const char *mode_name(enum ktlsd_mode m)
{
	switch (m) {
	case KTLSD_MODE_BASE: return "none";
	case KTLSD_MODE_SW: return "sw";
	case KTLSD_MODE_HW: return "hw";
	case KTLSD_MODE_HW_RECORD: return "hw-record";
	default: return "unknown";
	}
}

static const char *cipher_name(uint16_t c)
{
	switch (c) {
	case TLS_CIPHER_AES_GCM_128: return "aes-gcm-128";
	case TLS_CIPHER_AES_GCM_256: return "aes-gcm-256";
	case TLS_CIPHER_AES_CCM_128: return "aes-ccm-128";
	case TLS_CIPHER_CHACHA20_POLY1305: return "chacha20-poly1305";
	case TLS_CIPHER_SM4_GCM: return "sm4-gcm";
	case TLS_CIPHER_SM4_CCM: return "sm4-ccm";
	default: return "unknown";
	}
}

/* include/net/tcp_states.h, as ss(8) names them. */
static const char *state_name(uint8_t state)
{
	static const char *const names[] = {
		"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
		"TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "UNKNOWN";
}

static const char *version_name(uint16_t v)
{
	return v == TLS_1_2_VERSION ? "1.2" : v == TLS_1_3_VERSION ? "1.3" : "unknown";
}

static int wanted(const struct filter *f, const struct tls_diag *t, const char *src, int sport,
		  const char *dst, int dport)
{
	int on_nic = t->tx >= KTLSD_MODE_HW || t->rx >= KTLSD_MODE_HW;

	return !(f->hw && !on_nic) && !(f->sw && on_nic) &&
	       (f->sport < 0 || f->sport == sport) && (f->dport < 0 || f->dport == dport) &&
	       (!f->src[0] || !strcmp(f->src, src)) && (!f->dst[0] || !strcmp(f->dst, dst));
}

static int on_socket(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct inet_diag_msg *m = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[INET_DIAG_MAX + 1];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct tls_diag t;
	json_object *s;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(*m), tb, INET_DIAG_MAX, NULL) < 0 ||
	    tls_diag_parse(tb[INET_DIAG_ULP_INFO], &t) < 0)
		return NL_OK;
	inet_ntop(m->idiag_family, m->id.idiag_src, src, sizeof(src));
	inet_ntop(m->idiag_family, m->id.idiag_dst, dst, sizeof(dst));
	if (!wanted(d->f, &t, src, ntohs(m->id.idiag_sport), dst, ntohs(m->id.idiag_dport)))
		return NL_OK;
	s = json_object_new_object();
	json_object_object_add(s, "family", json_object_new_string(
		m->idiag_family == AF_INET ? "ipv4" : "ipv6"));
	json_object_object_add(s, "src", json_object_new_string(src));
	json_object_object_add(s, "sport", json_object_new_int(ntohs(m->id.idiag_sport)));
	json_object_object_add(s, "dst", json_object_new_string(dst));
	json_object_object_add(s, "dport", json_object_new_int(ntohs(m->id.idiag_dport)));
	json_object_object_add(s, "state", json_object_new_string(state_name(m->idiag_state)));
	json_object_object_add(s, "version", json_object_new_string(version_name(t.version)));
	json_object_object_add(s, "cipher", json_object_new_string(cipher_name(t.cipher)));
	json_object_object_add(s, "tx", json_object_new_string(mode_name(t.tx)));
	json_object_object_add(s, "rx", json_object_new_string(mode_name(t.rx)));
	json_object_object_add(s, "zerocopy_sendfile", json_object_new_boolean(t.zc_ro_tx));
	json_object_object_add(s, "rx_no_pad", json_object_new_boolean(t.rx_no_pad));
	if (d->netns)
		json_object_object_add(s, "netns", json_object_new_string(d->netns));
	json_object_array_add(d->list, s);
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct dump *d = arg;

	(void)nla;
	d->error = -err->error;
	return NL_STOP;
}

static int dump_family(int family, struct dump *d)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = (uint8_t)family,
		.sdiag_protocol = IPPROTO_TCP,
		.idiag_states = ~0u,
		/* ULP information comes only with INET_DIAG_INFO asked for. */
		.idiag_ext = 1 << (INET_DIAG_INFO - 1),
	};
	struct nl_sock *nl = nl_socket_alloc();
	int err = -ENOMEM;

	if (!nl)
		return err;
	if (nl_connect(nl, NETLINK_SOCK_DIAG) < 0) {
		err = -EPROTONOSUPPORT;
		goto out;
	}
	nl_socket_disable_auto_ack(nl);
	nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, on_socket, d);
	nl_socket_modify_err_cb(nl, NL_CB_CUSTOM, on_error, d);
	err = -EIO;
	if (nl_send_simple(nl, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &req,
			   sizeof(req)) < 0)
		goto out;
	err = nl_recvmsgs_default(nl) < 0 ? -EIO : 0;
	if (d->error)
		err = -d->error;
out:
	nl_socket_free(nl);
	return err;
}

static void print_sockets(json_object *list, FILE *out)
{
	size_t n = json_object_array_length(list);

	if (!n)
		return;
	fprintf(out, "%-4s %-10s %-22s %-22s %-4s %-17s %-3s %-3s %s\n", "fam", "state", "local",
		"peer", "tls", "cipher", "tx", "rx", "flags");
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(list, i), *v;
		char local[64], peer[64];
		const char *get[8] = { 0 };
		static const char *const keys[] = {
			"family", "src", "sport", "dst", "dport", "version", "cipher", "tx",
		};
		json_object *rx, *zc, *nopad, *state, *ns;

		for (int k = 0; k < 8; k++)
			get[k] = json_object_object_get_ex(s, keys[k], &v) ? json_object_get_string(v) : "";
		json_object_object_get_ex(s, "rx", &rx);
		json_object_object_get_ex(s, "state", &state);
		json_object_object_get_ex(s, "zerocopy_sendfile", &zc);
		json_object_object_get_ex(s, "rx_no_pad", &nopad);
		snprintf(local, sizeof(local), strchr(get[1], ':') ? "[%s]:%s" : "%s:%s", get[1], get[2]);
		snprintf(peer, sizeof(peer), strchr(get[3], ':') ? "[%s]:%s" : "%s:%s", get[3], get[4]);
		fprintf(out, "%-4s %-10s %-22s %-22s %-4s %-17s %-3s %-3s %s%s", get[0] + 2,
			json_object_get_string(state), local, peer, get[5], get[6], get[7],
			json_object_get_string(rx),
			json_object_get_boolean(zc) ? "zerocopy-sendfile " : "",
			json_object_get_boolean(nopad) ? "rx-no-pad " : "");
		if (json_object_object_get_ex(s, "netns", &ns) && *json_object_get_string(ns))
			fprintf(out, "netns %s", json_object_get_string(ns));
		fputc('\n', out);
	}
}

static int dump_both(struct dump *d)
{
	int err = dump_family(AF_INET, d);

	return err ? err : dump_family(AF_INET6, d);
}

static int enter_netns(const char *name);

/* This namespace ("" in the output), then each under /run/netns. */
static int dump_all_namespaces(struct dump *d)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), err;
	struct dirent *e;
	DIR *dir;

	if (self < 0)
		return -errno;
	d->netns = "";
	err = dump_both(d);
	dir = opendir("/run/netns");
	while (!err && dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		err = enter_netns(e->d_name);
		if (err)
			break;
		d->netns = e->d_name;
		err = dump_both(d);
	}
	if (setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	if (dir)
		closedir(dir);
	close(self);
	return err;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

static int parse_port(const char *arg, int *port)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int parse_addr(const char *arg, char *out)
{
	unsigned char buf[sizeof(struct in6_addr)];
	int family = strchr(arg, ':') ? AF_INET6 : AF_INET;

	/* Normalised, so that it compares with what the kernel reports. */
	if (inet_pton(family, arg, buf) != 1)
		return -1;
	inet_ntop(family, buf, out, INET6_ADDRSTRLEN);
	return 0;
}

int cmd_sockets(int argc, char **argv, const struct ktlsctl_opts *o)
{
	struct filter f = { .sport = -1, .dport = -1 };
	struct dump d = { .f = &f };
	const char *netns = NULL;
	int err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "help") || !strcmp(a, "--help")) {
			sockets_help(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--hw")) {
			f.hw = 1;
		} else if (!strcmp(a, "--sw")) {
			f.sw = 1;
		} else if (!v) {
			return usage_error("sockets", "\"%s\" needs a value", a);
		} else if (!strcmp(a, "-n") || !strcmp(a, "--netns")) {
			netns = argv[++i];
		} else if (!strcmp(a, "sport") || !strcmp(a, "dport")) {
			if (parse_port(v, a[0] == 's' ? &f.sport : &f.dport))
				return usage_error("sockets", "%s: \"%s\" is not a port", a, v);
			i++;
		} else if (!strcmp(a, "src") || !strcmp(a, "dst")) {
			if (parse_addr(v, a[0] == 's' ? f.src : f.dst))
				return usage_error("sockets", "%s: \"%s\" is not an address", a, v);
			i++;
		} else {
			return usage_error("sockets", "unknown argument \"%s\"", a);
		}
	}
	if (f.hw && f.sw)
		return usage_error("sockets", "--hw and --sw exclude each other");
	d.list = json_object_new_array();
	if (netns && !strcmp(netns, "all"))
		err = dump_all_namespaces(&d);
	else if (netns && (err = enter_netns(netns)))
		return fail("sockets", "netns %s: %s", netns, strerror(-err));
	else
		err = dump_both(&d);
	if (err) {
		json_object_put(d.list);
		return fail("sockets", "sock_diag: %s", strerror(-err));
	}
	if (geteuid() != 0 && !json_object_array_length(d.list))
		fprintf(stderr, "ktlsctl: sockets: the kernel shows TLS details only with CAP_NET_ADMIN\n");
	emit(d.list, o, print_sockets);
	return EXIT_OK;
}
