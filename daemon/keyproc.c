// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "entropy.h"
#include "fdpass.h"
#include "hash.h"
#include "keyproc.h"
#include "log.h"
#include "ecdsa.h"
#include "rsa.h"
#include "tls13/sig.h"

/* What the kernel lets one message carry (SCM_MAX_FD). */
#define KEYPROC_MAX_PASSED 253
/* A signer's stack: a request, its reply and a signature's scratch need a few KiB. */
#define KEYPROC_STACK (256 * 1024)

int keyproc_init(struct keyproc *kp, const struct config *cfg)
{
	kp->cfg = cfg;
	kp->signers = NULL;
	kp->n_signers = 0;
	pthread_mutex_init(&kp->lock, NULL);
	pthread_cond_init(&kp->ended, NULL);
	/* Slower, not weaker: said once per key process, not silently. */
	for (const struct profile *p = cfg->profiles; p; p = p->next)
		if (rsa_fast_expected() && p->creds.key_type == BR_KEYTYPE_RSA && !p->creds.rsa_fast)
			log_msg(LOG_WARNING, "profile %s: %s refused its RSA key: BearSSL's code signs "
				"with it", p->name, rsa_impl_name());
		else if (ecdsa_fast_expected() && p->creds.key_type == BR_KEYTYPE_EC && !p->creds.ec_fast)
			log_msg(LOG_WARNING, "profile %s: %s refused its EC key: the elliptic-curve "
				"code signs with it", p->name, ecdsa_impl_name());
	return 0;
}

int keyproc_signer_init(struct keyproc_signer *s, struct keyproc *kp)
{
	uint8_t seed[32];

	s->kp = kp;
	if (entropy_fill(seed, sizeof(seed)) < 0)
		return -1;
	br_hmac_drbg_init(&s->rng, hash_fast(&br_sha256_vtable), seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
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
static int sign_digest(struct keyproc_signer *s, const struct profile *p, const struct key_request *req,
		       uint8_t *sig, size_t *sig_len)
{
	const br_hash_class *hash = t13_sig_hash_by_id(req->hash);

	if (p->min_version > T12_VERSION || !hash ||
	    req->digest_len != ((hash->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK) ||
	    (req->sig_op != T13_SIG_OP_ECDSA && req->sig_op != T13_SIG_OP_PKCS1 &&
	     req->sig_op != T13_SIG_OP_PSS))
		return -1;
	return t13_sig_sign_digest(&p->creds, (enum t13_sig_op)req->sig_op, hash, req->digest,
				   &s->rng.vtable, sig, sig_len);
}

/* A TLS 1.3 CertificateVerify: its content made here, from the transcript hash. */
static int sign_cv(struct keyproc_signer *s, const struct profile *p, const struct key_request *req,
		   uint8_t *sig, size_t *sig_len)
{
	uint8_t content[T13_CV_MAX_CONTENT];
	size_t len;

	if (p->max_version < T13_VERSION)
		return -1;
	len = t13_cv_content(content, req->op == KEY_OP_CV_SERVER, req->digest, req->digest_len);
	if (!len)
		return -1;
	return t13_sig_sign(&p->creds, req->scheme, content, len, &s->rng.vtable, sig, sig_len);
}

size_t keyproc_answer(struct keyproc_signer *s, const void *msg, size_t len, struct key_reply *reply)
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
	p = key_number(s->kp->cfg, req->key);
	if (p && req->digest_len <= KEY_MAX_DIGEST) {
		if (req->op == KEY_OP_DIGEST)
			rc = sign_digest(s, p, req, reply->sig, &sig_len);
		else if (req->op == KEY_OP_CV_SERVER || req->op == KEY_OP_CV_CLIENT)
			rc = sign_cv(s, p, req, reply->sig, &sig_len);
	}
	if (rc < 0)
		return offsetof(struct key_reply, sig);
	reply->status = 0;
	reply->sig_len = (uint32_t)sig_len;
	return offsetof(struct key_reply, sig) + sig_len;
}

/*
 * A worker's channel from the supervisor, in *@fd (-1 when none came with
 * the message): 1; 0 when the supervisor is gone; -1 on an error.
 */
static int take_channel(int control, int *fd)
{
	char data[1];
	ssize_t n = fdpass_recv(control, data, sizeof(data), fd);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	return n > 0 ? 1 : n == 0 ? 0 : -1;
}

/* Close what came along with a request, off this thread: a socket's close may linger. */
static void close_passed(struct keyproc *kp, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t count = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS ?
			       (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;

		for (size_t i = 0; i < count; i++) {
			int passed;

			memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			closer_close(&kp->closer, passed, 0);
		}
	}
}

/*
 * One request from the channel, answered: 1, or 0 when the worker is gone
 * or the channel shut (an empty message, which reads as its end, too).
 */
static int serve(struct keyproc_signer *s)
{
	/* Room for the most a message carries: any the kernel could not deliver it closes here. */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(KEYPROC_MAX_PASSED * sizeof(int))];
	} cbuf;
	struct key_request req;
	struct key_reply reply;
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	ssize_t n = recvmsg(s->fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	size_t out;

	if (n >= 0)
		close_passed(s->kp, &mh);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0 && errno == EAGAIN) {
		/* A channel made non-blocking: wait here, on it alone. */
		poll(&(struct pollfd){ .fd = s->fd, .events = POLLIN }, 1, -1);
		return 1;
	}
	if (n <= 0)
		return 0;
	out = keyproc_answer(s, &req, (size_t)n, &reply);
	/*
	 * A worker waits for each answer, so its channel always has room for
	 * one: a full one is a worker that asks and never reads (a peer took
	 * it over). Never blocked on: the channel ends, and with it the thread.
	 */
	n = send(s->fd, &reply, out, MSG_NOSIGNAL | MSG_DONTWAIT);
	explicit_bzero(&reply, out);
	if (n < 0 && errno != EPIPE && errno != ECONNRESET)
		log_msg(LOG_WARNING, "key process: a worker's channel ended: its answer not delivered: %s",
			strerror(errno));
	return n >= 0;
}

static void *signer_main(void *arg)
{
	struct keyproc_signer *s = arg, **link;
	struct keyproc *kp = s->kp;

	while (serve(s))
		;
	pthread_mutex_lock(&kp->lock);
	for (link = &kp->signers; *link != s; link = &(*link)->next)
		;
	*link = s->next;
	kp->n_signers--;
	/*
	 * Messages left on it may hold descriptors, whose close may linger: off
	 * this thread. Under the lock: once it is released, stop_signers() may
	 * return and the closer stop.
	 */
	closer_close(&kp->closer, s->fd, 0);
	pthread_cond_signal(&kp->ended);
	pthread_mutex_unlock(&kp->lock);
	explicit_bzero(s, sizeof(*s));
	free(s);
	return NULL;
}

/* A thread for channel @fd; the channel is closed if none can be had. */
static void start_signer(struct keyproc *kp, int fd)
{
	struct keyproc_signer *s = calloc(1, sizeof(*s));
	pthread_attr_t attr;
	pthread_t thread;
	int rc = ENOMEM;

	if (s && keyproc_signer_init(s, kp) < 0)
		rc = errno;
	else if (s && pthread_attr_init(&attr) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, KEYPROC_STACK);
		s->fd = fd;
		pthread_mutex_lock(&kp->lock);
		rc = kp->n_signers >= KEYPROC_MAX_CHANNELS ? EMFILE :
		     pthread_create(&thread, &attr, signer_main, s);
		if (!rc) {
			s->next = kp->signers;
			kp->signers = s;
			kp->n_signers++;
		}
		pthread_mutex_unlock(&kp->lock);
		pthread_attr_destroy(&attr);
	}
	if (!rc)
		return;
	log_msg(LOG_ERR, "key process: a worker's channel refused: %s", strerror(rc));
	close(fd);
	if (s)
		explicit_bzero(s, sizeof(*s));
	free(s);
}

/* Shut every channel (a thread in recvmsg() or send() returns) and wait for the threads to end. */
static void stop_signers(struct keyproc *kp)
{
	pthread_mutex_lock(&kp->lock);
	for (struct keyproc_signer *s = kp->signers; s; s = s->next)
		shutdown(s->fd, SHUT_RDWR);
	while (kp->n_signers)
		pthread_cond_wait(&kp->ended, &kp->lock);
	pthread_mutex_unlock(&kp->lock);
}

/* Channels from the supervisor, and the closer's completions, until it is gone: 0, or 1 on an error. */
static int control_loop(struct keyproc *kp, int epfd, int control)
{
	int done_fd = closer_event_fd(&kp->closer), channel, r;
	uint32_t owners[64];

	for (;;) {
		struct epoll_event events[2];
		int n = epoll_wait(epfd, events, 2, -1);

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "key process: epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.fd == done_fd) {
				closer_collect(&kp->closer, owners, 64);
				continue;
			}
			r = take_channel(control, &channel);
			if (r < 0)
				log_msg(LOG_ERR, "key process: control: %s", strerror(errno));
			if (r <= 0)
				return r < 0;
			if (channel >= 0)
				start_signer(kp, channel);
		}
	}
}

int keyproc_run(struct keyproc *kp, int control)
{
	int epfd = epoll_create1(EPOLL_CLOEXEC), done_fd, rc = 1;

	if (closer_init(&kp->closer, 1024) < 0) {
		log_msg(LOG_ERR, "key process: closer threads: %s", strerror(errno));
		goto out;
	}
	done_fd = closer_event_fd(&kp->closer);
	if (epfd < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, control,
		      &(struct epoll_event){ .events = EPOLLIN, .data.fd = control }) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, done_fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.fd = done_fd }) < 0)
		log_msg(LOG_ERR, "key process: epoll: %s", strerror(errno));
	else
		rc = control_loop(kp, epfd, control);
	stop_signers(kp);
	closer_stop(&kp->closer);
out:
	if (epfd >= 0)
		close(epfd);
	return rc;
}
