/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peer certificate checking with a policy: an X.509 engine (BearSSL's
 * br_x509_class) wrapping br_x509_minimal, which validates the chain, checks
 * the host name, and pulls out the leaf's subject CN and first DNS name.
 * With verify = none or optional, a chain that fails validation is still
 * accepted (its key is taken from the leaf), and the failure remembered.
 */
#ifndef KTLSD_VERIFY_H
#define KTLSD_VERIFY_H

#include <bearssl.h>

#include "config.h"

/* A leaf certificate longer than this cannot be checked for an address. */
#define VERIFY_MAX_LEAF 8192

struct verifier {
	const br_x509_class *vtable;	/* first: BearSSL calls through it */
	br_x509_minimal_context *minimal;
	enum verify_mode mode;
	int chain_seen;			/* the peer sent at least one certificate */
	int error;			/* minimal's verdict: 0 = validated */
	br_x509_decoder_context leaf;	/* the leaf's key, whatever the verdict */
	int cert_index;
	br_name_element names[2];
	char cn[256];
	char dns[256];
	/* An address to find among the leaf's iPAddress names (0: none). */
	uint8_t ip[16];
	size_t ip_len;
	uint8_t leaf_der[VERIFY_MAX_LEAF];	/* the leaf as received, for that */
	size_t leaf_len;
	int leaf_too_long;
};

/*
 * Wrap @minimal (already initialised with its trust anchors) in @v with
 * @mode, and ask it for the leaf's names. Install with
 * br_ssl_engine_set_x509(eng, &v->vtable).
 */
void verifier_init(struct verifier *v, br_x509_minimal_context *minimal,
		   enum verify_mode mode);

/*
 * Require the leaf to name the address @literal (IPv4 or IPv6) in an
 * iPAddress subjectAltName entry, as BearSSL checks only DNS names: for a
 * server reached by address (then no server name is given to BearSSL).
 * Returns 0, or -1 if @literal is not an address.
 */
int verifier_expect_ip(struct verifier *v, const char *literal);

/*
 * The peer's identity, once its chain ended: 1 if the chain (and name)
 * validated, with the leaf's subject CN and first DNS name in @subject and
 * @san ("" when absent); 0, and both "", otherwise: names are reported only
 * when verified.
 */
int verifier_identity(const struct verifier *v, char *subject, size_t subject_len,
		      char *san, size_t san_len);

#endif
