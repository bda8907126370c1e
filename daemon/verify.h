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
};

/*
 * Wrap @minimal (already initialised with its trust anchors) in @v with
 * @mode, and ask it for the leaf's names. Install with
 * br_ssl_engine_set_x509(eng, &v->vtable).
 */
void verifier_init(struct verifier *v, br_x509_minimal_context *minimal,
		   enum verify_mode mode);

#endif
