/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profile's credentials, decoded with BearSSL: its certificate chain and
 * private key (server role, or client certificates), and the trust anchors
 * that verify the peer.
 */
#ifndef KTLSD_CREDS_H
#define KTLSD_CREDS_H

#include <stddef.h>

#include <bearssl.h>
#include <stdint.h>

struct key_client;
struct ecdsa_fast;
struct rsa_fast;

struct creds {
	br_x509_certificate *chain;	/* leaf first */
	size_t chain_len;
	int key_type;			/* BR_KEYTYPE_EC or BR_KEYTYPE_RSA; 0: no key */
	br_ec_private_key ec_key;
	br_rsa_private_key rsa_key;
	unsigned char *key_buf;		/* holds the key's numbers */
	struct rsa_fast *rsa_fast;	/* rsa_key for the fast code (rsa.h), or NULL */
	struct ecdsa_fast *ec_fast;	/* ec_key for the fast code (ecdsa.h), or NULL */
	br_x509_trust_anchor *anchors;
	size_t anchor_count;
	/*
	 * In a worker: the key is forgotten (creds_forget_key()), and this
	 * asks the key process to sign with key number key_id (key_client.h).
	 */
	struct key_client *signer;
	uint32_t key_id;
};

/*
 * Load a PEM certificate chain (leaf first) from @path into @creds.
 * Returns 0, or -1 with a message in @err.
 */
int creds_load_chain(struct creds *creds, const char *path, char *err, size_t errlen);

/*
 * Load a PEM private key (EC P-256/P-384/P-521, RSA; SEC1, PKCS#1 or
 * PKCS#8), and check it matches the chain's leaf if one is loaded.
 */
int creds_load_key(struct creds *creds, const char *path, char *err, size_t errlen);

/* Load every certificate of a PEM file as a trust anchor. */
int creds_load_anchors(struct creds *creds, const char *path, char *err, size_t errlen);

/*
 * Wipe and unmap the private key, keeping what tells which signatures it
 * makes (its type, curve, modulus size): for a process that signs through
 * the key process from then on (set signer and key_id). Nothing when there
 * is no key.
 */
void creds_forget_key(struct creds *creds);

/* Release everything; @creds is then empty. */
void creds_free(struct creds *creds);

#endif
