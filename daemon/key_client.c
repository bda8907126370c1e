// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "creds.h"
#include "key_client.h"
#include "log.h"
#include "tls13/engine.h"
#include "tls13/sig.h"

/* ECDSA on P-521: SEQUENCE of two INTEGERs of up to 66 bytes and a sign byte each. */
#define ECDSA_DER_MAX	(3 + 2 * (2 + 67))

_Static_assert(KEY_MAX_SIGNATURE == T13_MAX_SIGNATURE, "the key process signs what t13_sig_sign_digest() does");

void key_client_init(struct key_client *kc)
{
	*kc = (struct key_client){ .fd = -1 };
}

void key_client_set_fd(struct key_client *kc, int fd)
{
	if (kc->fd >= 0)
		close(kc->fd);
	kc->fd = fd;
	kc->stalled = 0;
}

/*
 * The reply to request @id, within @wait_ms; replies to earlier requests
 * that timed out are dropped on the way. 0, or -1: none, or the channel is
 * gone.
 */
static int await_reply(struct key_client *kc, uint32_t id, int wait_ms, struct key_reply *reply)
{
	uint64_t until = t13_now_ms() + (uint64_t)wait_ms;

	for (;;) {
		struct pollfd p = { kc->fd, POLLIN, 0 };
		uint64_t now = t13_now_ms();
		ssize_t n;

		if (poll(&p, 1, now < until ? (int)(until - now) : 0) <= 0)
			return -1;
		n = recv(kc->fd, reply, sizeof(*reply), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		kc->stalled = 0;
		if ((size_t)n >= offsetof(struct key_reply, sig) && reply->id == id &&
		    (size_t)n == offsetof(struct key_reply, sig) + reply->sig_len)
			return 0;
	}
}

/* Send @req (its digest set), wait for the signature. */
static int ask(struct key_client *kc, struct key_request *req, uint8_t *sig, size_t *sig_len)
{
	struct key_reply reply;
	int rc = -1;

	if (kc->fd < 0)
		return -1;
	/* Stalled: only a late answer, already here, brings it back. */
	if (kc->stalled && await_reply(kc, 0, 0, &reply) < 0 && kc->stalled)
		return -1;
	req->id = ++kc->next_id;
	if (send(kc->fd, req, sizeof(*req), MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(*req)) {
		log_msg(LOG_ERR, "the key process: %s", strerror(errno));
		return -1;
	}
	if (await_reply(kc, req->id, KEY_CLIENT_TIMEOUT_MS, &reply) < 0) {
		kc->stalled = 1;
		log_msg(LOG_ERR, "the key process did not answer within %d ms", KEY_CLIENT_TIMEOUT_MS);
	} else if (reply.status == 0 && reply.sig_len && reply.sig_len <= KEY_MAX_SIGNATURE) {
		memcpy(sig, reply.sig, reply.sig_len);
		*sig_len = reply.sig_len;
		rc = 0;
	}
	return rc;
}

int key_client_sign(struct key_client *kc, uint32_t key, int sig_op, int hash_id, const uint8_t *digest,
		    size_t digest_len, uint8_t *sig, size_t *sig_len)
{
	struct key_request req = { .key = key, .op = KEY_OP_DIGEST, .sig_op = (uint8_t)sig_op,
				   .hash = (uint8_t)hash_id, .digest_len = (uint8_t)digest_len };

	if (digest_len > KEY_MAX_DIGEST)
		return -1;
	memcpy(req.digest, digest, digest_len);
	return ask(kc, &req, sig, sig_len);
}

int key_client_sign_cv(struct key_client *kc, uint32_t key, int server, uint16_t scheme,
		       const uint8_t *transcript_hash, size_t hash_len, uint8_t *sig, size_t *sig_len)
{
	struct key_request req = { .key = key, .op = server ? KEY_OP_CV_SERVER : KEY_OP_CV_CLIENT,
				   .digest_len = (uint8_t)hash_len, .scheme = scheme };

	if (hash_len > KEY_MAX_DIGEST)
		return -1;
	memcpy(req.digest, transcript_hash, hash_len);
	return ask(kc, &req, sig, sig_len);
}

size_t key_client_ecdsa_sign(const br_ec_impl *impl, const br_hash_class *hf, const void *hash_value,
			     const br_ec_private_key *sk, void *sig)
{
	const struct creds *c = (const void *)((const char *)sk - offsetof(struct creds, ec_key));
	uint8_t buf[KEY_MAX_SIGNATURE];
	size_t len;

	(void)impl;
	/* BearSSL's buffer fits a DER signature on P-521 and no more. */
	if (t13_sig_sign_digest(c, T13_SIG_OP_ECDSA, hf, hash_value, NULL, buf, &len) < 0 ||
	    len > ECDSA_DER_MAX)
		return 0;
	memcpy(sig, buf, len);
	return len;
}

/* The hash of a PKCS#1 DigestInfo OID (BearSSL's BR_HASH_OID_*); NULL for another. */
static const br_hash_class *hash_of_oid(const unsigned char *oid)
{
	static const struct {
		const unsigned char *oid;
		const br_hash_class *hash;
	} known[] = {
		{ BR_HASH_OID_SHA256, &br_sha256_vtable },
		{ BR_HASH_OID_SHA384, &br_sha384_vtable },
		{ BR_HASH_OID_SHA512, &br_sha512_vtable },
	};

	/* The first byte is the OID's length. */
	for (size_t i = 0; oid && i < sizeof(known) / sizeof(known[0]); i++)
		if (!memcmp(oid, known[i].oid, (size_t)known[i].oid[0] + 1))
			return known[i].hash;
	return NULL;
}

uint32_t key_client_pkcs1_sign(const unsigned char *hash_oid, const unsigned char *hash, size_t hash_len,
			       const br_rsa_private_key *sk, unsigned char *x)
{
	const struct creds *c = (const void *)((const char *)sk - offsetof(struct creds, rsa_key));
	const br_hash_class *h = hash_of_oid(hash_oid);
	uint8_t buf[KEY_MAX_SIGNATURE];
	size_t len;

	if (!h || hash_len != ((h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK))
		return 0;
	/* @x has room for the modulus' length, which a PKCS#1 signature always has. */
	if (t13_sig_sign_digest(c, T13_SIG_OP_PKCS1, h, hash, NULL, buf, &len) < 0 ||
	    len != (sk->n_bitlen + 7) / 8)
		return 0;
	memcpy(x, buf, len);
	return 1;
}
