// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "entropy.h"
#include "fdpass.h"
#include "hash.h"
#include "keyproc.h"
#include "log.h"
#include "rsa.h"
#include "tls13/sig.h"

int keyproc_init(struct keyproc *kp, const struct config *cfg)
{
	uint8_t seed[32];

	kp->cfg = cfg;
	if (entropy_fill(seed, sizeof(seed)) < 0)
		return -1;
	br_hmac_drbg_init(&kp->rng, hash_fast(&br_sha256_vtable), seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	/* Slower, not weaker: said once per key process, not silently. */
	for (const struct profile *p = cfg->profiles; p; p = p->next)
		if (rsa_fast_expected() && p->creds.key_type == BR_KEYTYPE_RSA && !p->creds.rsa_fast)
			log_msg(LOG_WARNING, "profile %s: %s refused its RSA key: BearSSL's code signs "
				"with it", p->name, rsa_impl_name());
	return 0;
}

/* Profile number @key, if it has a private key here. */
static const struct profile *key_number(const struct config *cfg, uint32_t key)
{
	const struct profile *p = cfg->profiles;

	for (uint32_t i = 0; p && i < key; i++)
		p = p->next;
	return p && p->creds.key_type && !p->creds.signer ? p : NULL;
}

/* A TLS 1.2 signature over a digest, for a profile that allows TLS 1.2. */
static int sign_digest(struct keyproc *kp, const struct profile *p, const struct key_request *req,
		       uint8_t *sig, size_t *sig_len)
{
	const br_hash_class *hash = t13_sig_hash_by_id(req->hash);

	if (p->min_version > T12_VERSION || !hash ||
	    req->digest_len != ((hash->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK) ||
	    (req->sig_op != T13_SIG_OP_ECDSA && req->sig_op != T13_SIG_OP_PKCS1 &&
	     req->sig_op != T13_SIG_OP_PSS))
		return -1;
	return t13_sig_sign_digest(&p->creds, (enum t13_sig_op)req->sig_op, hash, req->digest,
				   &kp->rng.vtable, sig, sig_len);
}

/* A TLS 1.3 CertificateVerify: its content made here, from the transcript hash. */
static int sign_cv(struct keyproc *kp, const struct profile *p, const struct key_request *req,
		   uint8_t *sig, size_t *sig_len)
{
	uint8_t content[T13_CV_MAX_CONTENT];
	size_t len;

	if (p->max_version < T13_VERSION)
		return -1;
	len = t13_cv_content(content, req->op == KEY_OP_CV_SERVER, req->digest, req->digest_len);
	if (!len)
		return -1;
	return t13_sig_sign(&p->creds, req->scheme, content, len, &kp->rng.vtable, sig, sig_len);
}

size_t keyproc_answer(struct keyproc *kp, const void *msg, size_t len, struct key_reply *reply)
{
	const struct key_request *req = msg;
	const struct profile *p;
	size_t sig_len = 0;
	int rc = -1;

	memset(reply, 0, offsetof(struct key_reply, sig));
	reply->status = -1;
	if (len != sizeof(*req))
		return offsetof(struct key_reply, sig);
	reply->id = req->id;
	p = key_number(kp->cfg, req->key);
	if (p && req->digest_len <= KEY_MAX_DIGEST) {
		if (req->op == KEY_OP_DIGEST)
			rc = sign_digest(kp, p, req, reply->sig, &sig_len);
		else if (req->op == KEY_OP_CV_SERVER || req->op == KEY_OP_CV_CLIENT)
			rc = sign_cv(kp, p, req, reply->sig, &sig_len);
	}
	if (rc < 0)
		return offsetof(struct key_reply, sig);
	reply->status = 0;
	reply->sig_len = (uint32_t)sig_len;
	return offsetof(struct key_reply, sig) + sig_len;
}

/* A worker's channel, from the supervisor; -1 when none came with the message. */
static int take_channel(int control, int *fd)
{
	char data[1];
	ssize_t n = fdpass_recv(control, data, sizeof(data), fd);

	if (n <= 0)
		return n == 0 || (errno != EAGAIN && errno != EINTR) ? -1 : 0;
	return 0;
}

static void serve(struct keyproc *kp, int epfd, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} cbuf;
	struct key_request req;
	struct key_reply reply;
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	size_t out;

	/* Nothing comes with a request: whatever does is closed, off the loop. */
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
		size_t count = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS ?
			       (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;

		for (size_t i = 0; i < count; i++) {
			int passed;

			memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			closer_close(&kp->closer, passed, 0);
		}
	}

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* The worker is gone. */
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		return;
	}
	out = keyproc_answer(kp, &req, (size_t)n, &reply);
	if (send(fd, &reply, out, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_msg(LOG_WARNING, "key process: a reply not delivered: %s", strerror(errno));
	explicit_bzero(&reply, out);
}

int keyproc_run(struct keyproc *kp, int control)
{
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = control };

	uint32_t owners[64];
	int done_fd;

	if (closer_init(&kp->closer, 1024) < 0) {
		log_msg(LOG_ERR, "key process: closer threads: %s", strerror(errno));
		return 1;
	}
	done_fd = closer_event_fd(&kp->closer);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, control, &ev) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, done_fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.fd = done_fd }) < 0) {
		log_msg(LOG_ERR, "key process: epoll: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		struct epoll_event events[16];
		int n = epoll_wait(epfd, events, 16, -1);

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "key process: epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd, channel;

			if (fd == done_fd) {
				closer_collect(&kp->closer, owners, 64);
				continue;
			}
			if (fd != control) {
				serve(kp, epfd, fd);
				continue;
			}
			if (take_channel(control, &channel) < 0)
				return 0;
			ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = channel };
			if (channel >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, channel, &ev) < 0)
				close(channel);
		}
	}
}
