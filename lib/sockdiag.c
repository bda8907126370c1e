// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where a kTLS socket's crypto runs, read back from the kernel: one exact
 * sock_diag request (4-tuple and socket cookie), INET_DIAG_ULP_INFO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "ktlsd_ktls.h"
#include "tlsdiag.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

struct diag_answer {
	int error;		/* errno from the kernel, 0 if none */
	int found;
	enum ktlsd_mode tx, rx;
};

static int fill_request(int fd, struct inet_diag_req_v2 *req)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer);
	uint64_t cookie;
	socklen_t clen = sizeof(cookie);

	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
		return -1;
	memset(req, 0, sizeof(*req));
	req->sdiag_family = local.ss_family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	/* The kernel adds INET_DIAG_ULP_INFO only along with INET_DIAG_INFO. */
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (local.ss_family == AF_INET) {
		const struct sockaddr_in *l = (const void *)&local, *p = (const void *)&peer;

		req->id.idiag_sport = l->sin_port;
		req->id.idiag_dport = p->sin_port;
		memcpy(req->id.idiag_src, &l->sin_addr, 4);
		memcpy(req->id.idiag_dst, &p->sin_addr, 4);
	} else if (local.ss_family == AF_INET6) {
		const struct sockaddr_in6 *l = (const void *)&local, *p = (const void *)&peer;

		req->id.idiag_sport = l->sin6_port;
		req->id.idiag_dport = p->sin6_port;
		memcpy(req->id.idiag_src, &l->sin6_addr, 16);
		memcpy(req->id.idiag_dst, &p->sin6_addr, 16);
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &clen) == 0) {
		req->id.idiag_cookie[0] = (uint32_t)cookie;
		req->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	} else {
		req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	return 0;
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct diag_answer *answer = arg;
	struct nlattr *tb[INET_DIAG_MAX + 1];
	struct tls_diag tls;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct inet_diag_msg), tb,
			INET_DIAG_MAX, NULL) < 0)
		return NL_SKIP;
	answer->found = 1;
	if (tls_diag_parse(tb[INET_DIAG_ULP_INFO], &tls) < 0)
		return NL_SKIP;
	answer->tx = tls.tx;
	answer->rx = tls.rx;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct diag_answer *answer = arg;

	(void)nla;
	answer->error = -err->error;
	return NL_STOP;
}

int ktlsd_ktls_modes(int fd, enum ktlsd_mode *tx, enum ktlsd_mode *rx)
{
	struct diag_answer answer = { 0 };
	struct inet_diag_req_v2 req;
	struct nl_sock *nl;
	int rc = -1, err;

	if (fill_request(fd, &req) < 0)
		return -1;
	nl = nl_socket_alloc();
	if (!nl) {
		errno = ENOMEM;
		return -1;
	}
	err = nl_connect(nl, NETLINK_SOCK_DIAG);
	if (err < 0) {
		errno = EPROTONOSUPPORT;
		goto out;
	}
	/* One exact request, one answer (or an error): no ACK to wait for. */
	nl_socket_disable_auto_ack(nl);
	nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, on_message, &answer);
	nl_socket_modify_err_cb(nl, NL_CB_CUSTOM, on_error, &answer);
	if (nl_send_simple(nl, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &req, sizeof(req)) < 0) {
		errno = EIO;
		goto out;
	}
	err = nl_recvmsgs_default(nl);
	if (answer.error) {
		errno = answer.error;
		goto out;
	}
	if (err < 0 || !answer.found) {
		errno = ENOENT;
		goto out;
	}
	if (answer.tx == KTLSD_MODE_UNKNOWN && answer.rx == KTLSD_MODE_UNKNOWN) {
		errno = ENODATA;
		goto out;
	}
	*tx = answer.tx;
	*rx = answer.rx;
	rc = 0;
out:
	nl_socket_free(nl);
	return rc;
}
