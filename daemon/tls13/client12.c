// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our client's TLS 1.2 path (RFC 5246, RFC 8422, RFC 7627): what follows
 * our ClientHello when a server answers it with TLS 1.2.
 *
 *   <- ServerHello, Certificate, ServerKeyExchange, [CertificateRequest],
 *      ServerHelloDone
 *   [Certificate], ClientKeyExchange, [CertificateVerify],
 *   ChangeCipherSpec, Finished  ->
 *   <- ChangeCipherSpec, Finished  ->  keys
 *
 * ECDHE with a signed ServerKeyExchange and AEAD suites only: the six kTLS
 * carries. The transcript runs SHA-256 and SHA-384 side by side for the
 * whole handshake: the PRF takes one, our CertificateVerify may take the
 * other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "client12.h"
#include "msg12.h"
#include "msg_client.h"
#include "peer.h"
#include "prf12.h"
#include "sig.h"
#include "../keys.h"

static const struct ktlsd_suite_info *suite12(const struct t13_client *s)
{
	return ktlsd_suite_by_id(s->outcome.suite);
}

/* verify_data of the Finished sent by the client (@client) or the server (7.4.9). */
static void finished_data(const struct t13_client *s, int client, uint8_t out[T12_FINISHED_LEN])
{
	t12_finished_data(s->outcome.suite, &s->transcript, s->t12.master, client, out);
}

static int offered_suite12(const struct profile *p, uint16_t suite)
{
	for (size_t i = 0; i < p->suite_count; i++)
		if (p->suites[i] == suite)
			return 1;
	return 0;
}

static int offered_group12(const struct profile *p, uint16_t group)
{
	for (size_t i = 0; i < p->group_count; i++)
		if (p->groups[i] == group)
			return 1;
	return 0;
}

/* 1 if @alpn12 (the ServerHello's one name) is one of ours. */
static int offered_alpn12(const struct t13_client *s, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < s->alpn_count; i++)
		if (strlen(s->alpn[i]) == len && !memcmp(s->alpn[i], name, len))
			return 1;
	return 0;
}

static int has_uncompressed(const uint8_t *formats, size_t len)
{
	return memchr(formats, 0, len) != NULL;
}

int t12_client_server_hello(struct t13_client *s, const struct t13_server_hello *sh,
			    const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;

	if (!s->profile->suite_count)
		return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION, BR_ERR_UNSUPPORTED_VERSION,
				"the server answered TLS 1.2; the profile allows TLS 1.3 only");
	if (sh->legacy_version != T12_VERSION)
		return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION, BR_ERR_UNSUPPORTED_VERSION,
				"the server answered version %#06x; we speak TLS 1.2 and 1.3",
				sh->legacy_version);
	/* RFC 8446 4.1.4: a server that asked for a retry must go on in TLS 1.3. */
	if (s->outcome.hello_retry)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"TLS 1.2 ServerHello after a HelloRetryRequest");
	/* RFC 8446 4.1.3: a TLS 1.3 server pushed down to 1.2 says so. */
	if (t13_downgrade_sentinel(sh->random))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the ServerHello carries the downgrade sentinel: TLS 1.3 was removed on the way");
	if (!offered_suite12(s->profile, sh->suite))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_CIPHER_SUITE,
				"the server chose a cipher suite we did not offer");
	if (sh->alpn12 && !offered_alpn12(s, sh->alpn12, sh->alpn12_len))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, 0,
				"the server chose an application protocol we did not offer");
	/* RFC 8422 5.2: a server that lists formats lists uncompressed. */
	if (sh->point_formats && !has_uncompressed(sh->point_formats, sh->point_formats_len))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the server does not take uncompressed points");
	s->outcome.version = T12_VERSION;
	s->outcome.suite = sh->suite;
	c->rx.warnings_dropped = 0;
	s->t12.extended_master_secret = sh->extended_master_secret;
	memcpy(s->t12.server_random, sh->random, sizeof(s->t12.server_random));
	if (sh->alpn12) {
		memcpy(s->outcome.alpn, sh->alpn12, sh->alpn12_len);
		s->outcome.alpn[sh->alpn12_len] = '\0';
	}
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T12C_CERTIFICATE;
	return 0;
}

static int server_certificate(struct t13_client *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	struct t13_cert_entry chain[T13_MAX_CHAIN];
	int ecdsa = suite12(s)->ecdsa;
	size_t n;
	int r = t12_parse_certificate(msg, len, chain, T13_MAX_CHAIN, &n);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed server Certificate");
	if (n == 0)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_HANDSHAKE,
				"the server's Certificate is empty");
	if (t13_peer_chain(c, s->verifier, s->sni, KTLSD_ROLE_CLIENT, chain, n, &s->server_key) < 0)
		return -1;
	/* RFC 8422 5.3 / RFC 5246 7.4.2: the key signs for the suite's kind. */
	if (s->server_key->key_type != (ecdsa ? BR_KEYTYPE_EC : BR_KEYTYPE_RSA))
		return t13_fail(c, EPROTO, T13_ALERT_UNSUPPORTED_CERTIFICATE, BR_ERR_WRONG_KEY_USAGE,
				"the server's key is not %s, as its cipher suite needs",
				ecdsa ? "ECDSA" : "RSA");
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T12C_SERVER_KEY_EXCHANGE;
	return 0;
}

/* The ECDHE premaster secret, then the master secret once the ClientKeyExchange is out. */
static int server_key_exchange(struct t13_client *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	struct t12_server_key_exchange ske;
	uint8_t content[2 * T13_RANDOM_LEN + 4 + 255];
	int r = t12_parse_server_key_exchange(&ske, msg, len);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed ServerKeyExchange");
	if (!offered_group12(s->profile, ske.group))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_INVALID_ALGORITHM,
				"the server chose a group we did not offer");
	/* RFC 8422 5.4: signed over both randoms and the ServerECDHParams. */
	memcpy(content, s->random, T13_RANDOM_LEN);
	memcpy(content + T13_RANDOM_LEN, s->t12.server_random, T13_RANDOM_LEN);
	memcpy(content + 2 * T13_RANDOM_LEN, ske.params, ske.params_len);
	r = t12_sig_verify(s->server_key, ske.scheme, content, 2 * T13_RANDOM_LEN + ske.params_len,
			   ske.sig, ske.sig_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_SIGNATURE, "the server's key exchange %s",
				r == -T13_ALERT_DECRYPT_ERROR ? "signature does not verify" :
				"is signed with a scheme we did not offer or its key cannot make");
	/* Our share was for the profile's first group; the server may pick another. */
	if (s->share.group != ske.group || !s->share.pub_len) {
		t13_keyshare_wipe(&s->share);
		if (t13_keyshare_generate(&s->share, ske.group, &s->rng.vtable) < 0)
			return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "cannot make a key share");
	}
	r = t13_keyshare_derive(&s->share, ske.point, ske.point_len, s->t12.premaster,
				&s->t12.premaster_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_INVALID_ALGORITHM,
				"the server's key exchange is not a valid point");
	s->outcome.group = ske.group;
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T12C_REQUEST_OR_DONE;
	return 0;
}

/* CertificateRequest: answered with our chain if our key is of a kind asked for. */
static int certificate_request(struct t13_client *s, const uint8_t *msg, size_t len)
{
	const struct creds *cr = &s->profile->creds;
	struct t12_certificate_request req;
	int r = t12_parse_certificate_request(&req, msg, len);
	uint8_t want;

	if (r < 0)
		return t13_fail_alert(s->conn, r, "malformed CertificateRequest");
	s->cert_requested = 1;
	want = cr->key_type == BR_KEYTYPE_EC ? T12_CERT_TYPE_ECDSA_SIGN : T12_CERT_TYPE_RSA_SIGN;
	if (cr->key_type && memchr(req.types, want, req.types_len))
		s->client_scheme = t12_sig_choose(cr, req.sig_algs, req.sig_algs_len);
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T12C_SERVER_HELLO_DONE;
	return 0;
}

static const br_hash_class *scheme_hash(uint16_t scheme)
{
	switch (scheme) {
	case 0x0403: case 0x0401: case 0x0804:
		return &br_sha256_vtable;
	case 0x0503: case 0x0501: case 0x0805:
		return &br_sha384_vtable;
	default:
		return NULL;
	}
}

/* RFC 5246 8.1, RFC 7627 4: the master secret, and the premaster wiped. */
static void master_secret(struct t13_client *s)
{
	t12_master_secret(s->outcome.suite, s->t12.extended_master_secret, &s->transcript,
			  s->t12.premaster, s->t12.premaster_len, s->random, s->t12.server_random,
			  s->t12.master);
	explicit_bzero(s->t12.premaster, sizeof(s->t12.premaster));
}

static int stage12(struct t13_client *s, const struct t13_buf *b)
{
	return t13_stage(s->conn, &s->transcript, b);
}

/* Our CertificateVerify (7.4.8): the transcript so far, hashed as the scheme says. */
static int certificate_verify(struct t13_client *s)
{
	uint8_t hash[T13_MAX_HASH], sig[T13_MAX_SIGNATURE], msg[8 + T13_MAX_SIGNATURE];
	const br_hash_class *h = scheme_hash(s->client_scheme);
	size_t n, sig_len;
	struct t13_buf b;

	n = t13_transcript_hash_as(&s->transcript, h, hash);
	if (!n || t12_sig_sign_hash(&s->profile->creds, s->client_scheme, hash, n, &s->rng.vtable,
				    sig, &sig_len) < 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "signing failed");
	s->outcome.sig_scheme = s->client_scheme;
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_certificate_verify(&b, s->client_scheme, sig, sig_len);
	return stage12(s, &b);
}

/* The record keys of both directions, from the key block. */
static int record_keys(struct t13_client *s)
{
	struct ktlsd_keys k;
	int r;

	if (keys_derive(&k, s->outcome.suite, KTLSD_ROLE_CLIENT, s->t12.master, s->random,
			s->t12.server_random, 0, 0) < 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "key derivation failed");
	r = t13_tx_set_key12(s->conn, s->outcome.suite, k.tx.key, k.tx.iv);
	memcpy(&s->t12.rx_keys, &k.rx, sizeof(k.rx));
	explicit_bzero(&k, sizeof(k));
	return r;
}

/*
 * ServerHelloDone: our flight. [Certificate], ClientKeyExchange,
 * [CertificateVerify] in the clear, ChangeCipherSpec, then Finished under
 * the new keys.
 */
static int client_flight(struct t13_client *s)
{
	struct t13_conn *c = s->conn;
	const struct creds *cr = &s->profile->creds;
	uint8_t buf[4 + 1 + T13_KEYSHARE_MAX_PUB], verify_data[T12_FINISHED_LEN];
	struct t13_buf b;

	if (s->cert_requested) {
		size_t n = s->client_scheme ? cr->chain_len : 0;

		t13_buf_init(&b, c->tx.staged + c->tx.staged_len,
			     sizeof(c->tx.staged) - c->tx.staged_len);
		t12_write_certificate(&b, cr->chain, n);
		if (b.overflow)
			return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
					"certificate chain larger than a flight");
		t13_transcript_update(&s->transcript, b.p, b.len);
		c->tx.staged_len += b.len;
	}
	t13_buf_init(&b, buf, sizeof(buf));
	t12_write_client_key_exchange(&b, s->share.pub, s->share.pub_len);
	t13_keyshare_wipe(&s->share);
	if (stage12(s, &b) < 0)
		return -1;
	/* RFC 7627 4: the session hash ends with the ClientKeyExchange. */
	master_secret(s);
	if (s->cert_requested && s->client_scheme && certificate_verify(s) < 0)
		return -1;
	if (t13_tx_seal_staged(c) < 0 || t13_tx_ccs(c) < 0 || record_keys(s) < 0)
		return -1;
	finished_data(s, 1, verify_data);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_finished(&b, verify_data, sizeof(verify_data));
	explicit_bzero(verify_data, sizeof(verify_data));
	if (stage12(s, &b) < 0 || t13_tx_seal_staged(c) < 0)
		return -1;
	s->state = T13C_FLUSH;
	s->after_flush = T12C_CHANGE_CIPHER_SPEC;
	return 0;
}

static int server_hello_done(struct t13_client *s, const uint8_t *msg, size_t len)
{
	int r = t12_parse_server_hello_done(msg, len);

	if (r < 0)
		return t13_fail_alert(s->conn, r, "malformed ServerHelloDone");
	t13_transcript_update(&s->transcript, msg, len);
	/* Nothing may follow it before our flight (7.4.5). */
	t13_rx_consume(s->conn);
	if (!t13_rx_idle(s->conn))
		return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"data after the ServerHelloDone");
	return client_flight(s);
}

int t12_client_change_cipher_spec(struct t13_client *s)
{
	struct ktlsd_dir_keys *keys = &s->t12.rx_keys;
	int r = t13_rx_set_key12(s->conn, s->outcome.suite, keys->key, keys->iv);

	explicit_bzero(keys, sizeof(*keys));
	if (r < 0)
		return -1;
	s->state = T12C_FINISHED;
	return 0;
}

static int server_finished(struct t13_client *s, const uint8_t *msg, size_t len)
{
	uint8_t expected[T12_FINISHED_LEN];
	const uint8_t *verify_data;
	int r = t13_parse_finished(msg, len, T12_FINISHED_LEN, &verify_data), good;

	if (r < 0)
		return t13_fail_alert(s->conn, r, "malformed Finished");
	finished_data(s, 0, expected);
	good = t13_finished_equal(expected, verify_data, T12_FINISHED_LEN);
	explicit_bzero(expected, sizeof(expected));
	if (!good)
		return t13_fail(s->conn, EPROTO, T13_ALERT_DECRYPT_ERROR, BR_ERR_BAD_FINISHED,
				"the server's Finished does not verify");
	/* What follows the Finished is kTLS's to read. */
	t13_rx_consume(s->conn);
	if (!t13_rx_idle(s->conn))
		return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"data after the server's Finished in its record");
	s->outcome.peer_verified = verifier_identity(s->verifier, s->outcome.peer_subject,
						     sizeof(s->outcome.peer_subject),
						     s->outcome.peer_san, sizeof(s->outcome.peer_san));
	s->state = T13C_DONE;
	return 0;
}

int t12_client_dispatch(struct t13_client *s, const uint8_t *msg, size_t len)
{
	uint8_t type = msg[0];

	switch (s->state) {
	case T12C_CERTIFICATE:
		if (type == T13_HS_CERTIFICATE)
			return server_certificate(s, msg, len);
		break;
	case T12C_SERVER_KEY_EXCHANGE:
		if (type == T12_HS_SERVER_KEY_EXCHANGE)
			return server_key_exchange(s, msg, len);
		break;
	case T12C_REQUEST_OR_DONE:
		if (type == T13_HS_CERTIFICATE_REQUEST)
			return certificate_request(s, msg, len);
		/* fall through */
	case T12C_SERVER_HELLO_DONE:
		if (type == T12_HS_SERVER_HELLO_DONE)
			return server_hello_done(s, msg, len);
		break;
	case T12C_FINISHED:
		if (type == T13_HS_FINISHED)
			return server_finished(s, msg, len);
		break;
	default:
		break;
	}
	return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
			"unexpected handshake message of type %u", type);
}

int t12_client_keys(const struct t13_client *s, struct ktlsd_keys *keys)
{
	return keys_derive(keys, s->outcome.suite, KTLSD_ROLE_CLIENT, s->t12.master, s->random,
			   s->t12.server_random, s->conn->tx.aead.seq, s->conn->rx.aead.seq);
}

void t12_client_wipe(struct t13_client *s)
{
	explicit_bzero(&s->t12, sizeof(s->t12));
}
