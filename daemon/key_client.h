/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker's signatures, made by the key process (keyproc.h): the only
 * process of ktlsd, with the supervisor, that holds private keys. A worker
 * forgets its copy of every key (creds_forget_key()) and points the
 * profile's creds at its key client: t13_sig_sign_digest() and the hooks
 * below, which BearSSL's engines call, then send the digest over the
 * worker's channel to the key process and wait for the signature.
 *
 * The wait blocks the worker's loop: for the signature's own time (which
 * the loop would have spent anyway, as nginx's does) and a round trip; the
 * key process answers each worker's channel on a thread of its own, so no
 * worker waits for another's signatures; at most KEY_CLIENT_TIMEOUT_MS.
 * After a timeout the client fails at once until the key process answers
 * again or the supervisor hands over a new channel, so a stopped key
 * process cannot stall a worker handshake after handshake.
 */
#ifndef KTLSD_KEY_CLIENT_H
#define KTLSD_KEY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#define KEY_CLIENT_TIMEOUT_MS	2000
#define KEY_MAX_DIGEST		64
#define KEY_MAX_SIGNATURE	1024	/* T13_MAX_SIGNATURE */

/*
 * What a request asks for. A TLS 1.3 CertificateVerify is asked for by its
 * transcript hash: the key process builds the signed content itself
 * (RFC 8446 §4.4.3), so for a TLS 1.3-only profile it signs nothing but
 * CertificateVerify content. TLS 1.2 signatures (ServerKeyExchange,
 * CertificateVerify) are asked for by their digest, for a profile that
 * allows TLS 1.2 only.
 */
enum key_op {
	KEY_OP_DIGEST = 1,		/* @sig_op over @digest, a @hash digest (TLS 1.2) */
	KEY_OP_CV_SERVER = 2,		/* TLS 1.3 server CertificateVerify; @digest: the transcript hash */
	KEY_OP_CV_CLIENT = 3,		/* ... client CertificateVerify */
};

/* A request, as it goes over the channel: one SEQPACKET message. */
struct key_request {
	uint32_t id;			/* echoed in the reply */
	uint32_t key;			/* the profile's place in the configuration, from 0 */
	uint8_t op;			/* enum key_op */
	uint8_t sig_op;			/* KEY_OP_DIGEST: enum t13_sig_op */
	uint8_t hash;			/* KEY_OP_DIGEST: BearSSL's hash id */
	uint8_t digest_len;
	uint16_t scheme;		/* KEY_OP_CV_*: the signature scheme */
	uint8_t digest[KEY_MAX_DIGEST];
};

struct key_reply {
	uint32_t id;
	int32_t status;			/* 0, or -1: no signature */
	uint32_t sig_len;
	uint8_t sig[KEY_MAX_SIGNATURE];
};

struct key_client {
	int fd;				/* the channel to the key process; -1: none */
	uint32_t next_id;
	int stalled;			/* the last request timed out */
};

/* No channel yet. */
void key_client_init(struct key_client *kc);

/* Use @fd from now on (the supervisor's hand-over); the old channel is closed. */
void key_client_set_fd(struct key_client *kc, int fd);

/*
 * Sign @digest (@digest_len bytes, of BearSSL's hash @hash_id) with key
 * @key as @sig_op (enum t13_sig_op) says. @sig has room for
 * KEY_MAX_SIGNATURE bytes. Returns 0 with *@sig_len set, or -1: no
 * channel, the key process refused (no such key, an op the key cannot
 * make, a profile that does not allow TLS 1.2), did not answer within
 * KEY_CLIENT_TIMEOUT_MS, or is gone.
 */
int key_client_sign(struct key_client *kc, uint32_t key, int sig_op, int hash_id, const uint8_t *digest,
		    size_t digest_len, uint8_t *sig, size_t *sig_len);

/*
 * A TLS 1.3 CertificateVerify signature with @scheme over the content for
 * @server's side and @transcript_hash (@hash_len bytes). As key_client_sign().
 */
int key_client_sign_cv(struct key_client *kc, uint32_t key, int server, uint16_t scheme,
		       const uint8_t *transcript_hash, size_t hash_len, uint8_t *sig, size_t *sig_len);

/*
 * BearSSL's signing hooks (br_ecdsa_sign, br_rsa_pkcs1_sign) for the TLS 1.2
 * engines, given the br_ec_private_key / br_rsa_private_key inside a
 * profile's struct creds whose key is remote: they find the creds around
 * it and sign through its key client. 0 on failure, as BearSSL expects.
 */
size_t key_client_ecdsa_sign(const br_ec_impl *impl, const br_hash_class *hf, const void *hash_value,
			     const br_ec_private_key *sk, void *sig);
uint32_t key_client_pkcs1_sign(const unsigned char *hash_oid, const unsigned char *hash, size_t hash_len,
			       const br_rsa_private_key *sk, unsigned char *x);

#endif
