// SPDX-License-Identifier: GPL-2.0-or-later
/* The peer's Certificate, CertificateVerify and Finished, checked. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "keysched.h"
#include "msg.h"
#include "peer.h"
#include "sig.h"
#include "../failure.h"

static const char *peer_name(enum ktlsd_role role)
{
	return role == KTLSD_ROLE_SERVER ? "client" : "server";
}

int t13_peer_chain(struct t13_conn *c, struct verifier *v, const char *name, enum ktlsd_role role,
		   const struct t13_cert_entry *chain, size_t n, const br_x509_pkey **key)
{
	const br_x509_class **x = &v->vtable;
	unsigned usages;
	int err;

	(*x)->start_chain(x, name);
	for (size_t i = 0; i < n; i++) {
		(*x)->start_cert(x, (uint32_t)chain[i].len);
		(*x)->append(x, chain[i].der, chain[i].len);
		(*x)->end_cert(x);
	}
	err = (int)(*x)->end_chain(x);
	if (err) {
		struct failure f = failure_from_tls_error(err, role);

		return t13_fail(c, f.status, f.alert, err, "%s", f.what);
	}
	*key = (*x)->get_pkey(x, &usages);
	if (!*key || !(usages & BR_KEYTYPE_SIGN))
		return t13_fail(c, EKEYREJECTED, T13_ALERT_BAD_CERTIFICATE, BR_ERR_WRONG_KEY_USAGE,
				"the %s's certificate may not sign", peer_name(role));
	return 0;
}

int t13_peer_certificate(struct t13_conn *c, struct verifier *v, const char *name,
			 enum ktlsd_role role, const uint8_t *msg, size_t len,
			 const br_x509_pkey **key, size_t *n)
{
	struct t13_cert_entry chain[T13_MAX_CHAIN];
	const uint8_t *context;
	size_t context_len;
	int r;

	r = t13_parse_certificate(msg, len, &context, &context_len, chain, T13_MAX_CHAIN, n);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_HANDSHAKE, "malformed %s Certificate",
				peer_name(role));
	if (context_len)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"%s Certificate with a request context we did not send",
				peer_name(role));
	if (*n == 0)
		return 0;
	return t13_peer_chain(c, v, name, role, chain, *n, key);
}

int t13_peer_certificate_verify(struct t13_conn *c, const br_x509_pkey *key, int from_server,
				const uint8_t *transcript_hash, size_t hash_len,
				const uint8_t *msg, size_t len)
{
	uint8_t content[64 + 34 + T13_MAX_HASH];
	const char *who = from_server ? "server" : "client";
	const uint8_t *sig;
	size_t sig_len, content_len;
	uint16_t scheme;
	int r;

	r = t13_parse_certificate_verify(msg, len, &scheme, &sig, &sig_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_HANDSHAKE, "malformed %s CertificateVerify", who);
	content_len = t13_cv_content(content, from_server, transcript_hash, hash_len);
	r = t13_sig_verify(key, scheme, content, content_len, sig, sig_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_SIGNATURE, "the %s's CertificateVerify %s", who,
				r == -T13_ALERT_DECRYPT_ERROR ? "does not verify" :
				"uses a scheme we did not offer or its key cannot make");
	return 0;
}

int t13_peer_finished(struct t13_conn *c, const br_hash_class *h, const uint8_t *base_key,
		      const uint8_t *transcript_hash, const uint8_t *msg, size_t len)
{
	uint8_t expected[T13_MAX_HASH];
	size_t hash_len = t13_hash_len(h);
	const uint8_t *verify_data;
	int r, good;

	r = t13_parse_finished(msg, len, hash_len, &verify_data);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_HANDSHAKE, "malformed Finished");
	t13_finished_mac(h, base_key, transcript_hash, expected);
	good = t13_finished_equal(expected, verify_data, hash_len);
	explicit_bzero(expected, sizeof(expected));
	if (!good)
		return t13_fail(c, EPROTO, T13_ALERT_DECRYPT_ERROR, BR_ERR_BAD_FINISHED,
				"the peer's Finished does not verify");
	/* The Finished ends the peer's handshake data under this key. */
	t13_rx_consume(c);
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"data after the peer's Finished under the handshake key");
	return 0;
}
