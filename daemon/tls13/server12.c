// SPDX-License-Identifier: GPL-2.0-or-later
/* Our server's TLS 1.2 path (server12.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "choose.h"
#include "msg12.h"
#include "peer.h"
#include "prf12.h"
#include "server12.h"
#include "sig.h"
#include "../failure.h"
#include "../keys.h"
#include "../verify.h"

/* TLS_FALLBACK_SCSV (RFC 7507) and TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
#define T12_FALLBACK_SCSV		0x5600
#define T12_RENEGOTIATION_SCSV		0x00ff

/* RFC 8446 §4.1.3: the last 8 bytes of a TLS 1.3 server's TLS 1.2 random. */
static const uint8_t downgrade_sentinel[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 1 };

static int offers(const uint8_t *list, size_t len, uint16_t id)
{
	return t13_list_has(list, len, id);
}

/*
 * RFC 8422 §5.1: an ECDSA certificate whose curve the client's
 * supported_groups leaves out is one it cannot take (BearSSL's curve ids
 * are TLS's NamedCurve ones); without the list, any.
 */
static int key_curve_offered(const struct profile *p, const struct t13_client_hello *ch)
{
	return p->creds.key_type != BR_KEYTYPE_EC || !ch->groups ||
	       offers(ch->groups, ch->groups_len, (uint16_t)p->creds.ec_key.curve);
}

/* The profile's first suite that its key signs for and the client offers (server preference). */
static uint16_t choose_suite(const struct profile *p, const struct t13_client_hello *ch)
{
	int ec = p->creds.key_type == BR_KEYTYPE_EC;

	for (size_t i = 0; i < p->suite_count; i++) {
		const struct ktlsd_suite_info *info = ktlsd_suite_by_id(p->suites[i]);

		if (info && info->ecdsa == ec && offers(ch->suites, ch->suites_len, p->suites[i]))
			return p->suites[i];
	}
	return 0;
}

/* The profile's first group the client lists; without a list, secp256r1 (RFC 8422 §4). */
static uint16_t choose_group(const struct profile *p, const struct t13_client_hello *ch)
{
	for (size_t i = 0; i < p->group_count; i++) {
		uint16_t g = p->groups[i];

		if (!t13_group_supported(g))
			continue;
		if (ch->groups ? offers(ch->groups, ch->groups_len, g) : g == T13_GROUP_SECP256R1)
			return g;
	}
	return 0;
}

/* The rules a TLS 1.2 ClientHello must follow whatever we choose. */
static int check_hello(struct t13_server *s, const struct t13_client_hello *ch)
{
	struct t13_conn *c = s->conn;

	/* RFC 8446 §4.2.1: a list, when sent, is the client's word on versions. */
	if (ch->versions ? !offers(ch->versions, ch->versions_len, T12_VERSION) :
	    ch->legacy_version < T12_VERSION)
		return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION, BR_ERR_UNSUPPORTED_VERSION,
				"the client offers neither TLS 1.2 nor 1.3");
	/* RFC 7507 §3: a client retrying below its best, to a server that has better. */
	if (s->profile->suite13_count && offers(ch->suites, ch->suites_len, T12_FALLBACK_SCSV))
		return t13_fail(c, EPROTO, T13_ALERT_INAPPROPRIATE_FALLBACK, BR_ERR_UNSUPPORTED_VERSION,
				"the client fell back to TLS 1.2 (TLS_FALLBACK_SCSV), and we have 1.3");
	/* RFC 5246 §7.4.1.2: the list must hold the null method. */
	if (!memchr(ch->compression, 0, ch->compression_len))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_COMPRESSION,
				"ClientHello does not offer the null compression");
	/* RFC 5746 §3.6: an initial handshake's renegotiated_connection is empty. */
	if (ch->reneg_info && ch->reneg_info_len)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_SECRENEG,
				"renegotiation_info is not empty in an initial handshake");
	/* RFC 8422 §5.1.2: a client that lists point formats lists uncompressed. */
	if (ch->point_formats && !memchr(ch->point_formats, 0, ch->point_formats_len))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the client does not take uncompressed points");
	/* RFC 9155 §4: without the list, TLS 1.2 would sign with SHA-1. */
	if (!ch->sig_algs)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_INVALID_ALGORITHM,
				"ClientHello has no signature_algorithms (SHA-1 is not signed with)");
	return 0;
}

/* ALPN (RFC 7301 §3.1), chosen anew when a session resumes too. */
static int choose_alpn(struct t13_server *s, const struct t13_client_hello *ch)
{
	int alpn = t13_choose_alpn(s->profile, ch, s->outcome.alpn, sizeof(s->outcome.alpn));

	if (alpn < 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_NO_APPLICATION_PROTOCOL, 0,
				"no application protocol in common");
	if (!alpn)
		s->outcome.alpn[0] = '\0';
	return 0;
}

/* Suite, group and signature scheme of a full handshake. */
static int choose(struct t13_server *s, const struct t13_client_hello *ch)
{
	struct t13_conn *c = s->conn;
	struct t13_outcome *o = &s->outcome;

	o->suite = choose_suite(s->profile, ch);
	if (!o->suite)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_CIPHER_SUITE,
				"no TLS 1.2 cipher suite in common");
	if (!key_curve_offered(s->profile, ch))
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_CIPHER_SUITE,
				"the client's supported_groups leave out our certificate's curve");
	o->group = choose_group(s->profile, ch);
	if (!o->group)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_INVALID_ALGORITHM,
				"no key exchange group in common");
	o->sig_scheme = t12_sig_choose(&s->profile->creds, ch->sig_algs, ch->sig_algs_len);
	if (!o->sig_scheme)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_INVALID_ALGORITHM,
				"no signature scheme in common with our key");
	return 0;
}

/* 1 if @suite (a cached session's) is one this handshake may take. */
static int suite_allowed(const struct t13_server *s, const struct t13_client_hello *ch, uint16_t suite)
{
	const struct profile *p = s->profile;
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite);

	if (!info || info->version != T12_VERSION || !offers(ch->suites, ch->suites_len, suite))
		return 0;
	for (size_t i = 0; i < p->suite_count; i++)
		if (p->suites[i] == suite)
			return 1;
	return 0;
}

/*
 * The client's session ID, if we keep it and it fits this ClientHello.
 * Returns 1 resumed, 0 a full handshake, -1 failed (RFC 7627 §5.3: a
 * session made with the extended master secret offered without it).
 */
static int take_session(struct t13_server *s, const struct t13_client_hello *ch)
{
	br_ssl_session_parameters params;
	int ems = 0, r = 0;

	if (!s->cache12 || ch->session_id_len != sizeof(params.session_id))
		return 0;
	memset(&params, 0, sizeof(params));
	memcpy(params.session_id, ch->session_id, sizeof(params.session_id));
	params.session_id_len = sizeof(params.session_id);
	/* RFC 6066 §3: for the server name it was made for only. */
	if (!session_cache_load(s->cache12, s->profile->name, s->outcome.server_name, &params, &ems,
				t13_now_ms()))
		return 0;
	if (ems && !ch->extended_master_secret) {
		r = t13_fail(s->conn, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_HANDSHAKE,
			     "a session made with the extended master secret, offered without it");
		goto out;
	}
	/* Made without it and offered with it: a full handshake (RFC 7627 §5.3). */
	if (params.version != T12_VERSION || !suite_allowed(s, ch, params.cipher_suite) ||
	    (!ems && ch->extended_master_secret))
		goto out;
	s->outcome.suite = params.cipher_suite;
	s->outcome.resumed = 1;
	s->t12.extended_master_secret = ems;
	memcpy(s->t12.master, params.master_secret, sizeof(s->t12.master));
	memcpy(s->t12.session_id, ch->session_id, sizeof(params.session_id));
	s->t12.session_id_len = sizeof(params.session_id);
	r = 1;
out:
	explicit_bzero(&params, sizeof(params));
	return r;
}

static int stage(struct t13_server *s, struct t13_buf *b)
{
	return t13_stage(s->conn, &s->transcript, b);
}

static int server_hello(struct t13_server *s, const struct t13_client_hello *ch)
{
	uint8_t buf[128 + 255];
	unsigned flags = 0;
	struct t13_buf b;

	br_hmac_drbg_generate(&s->rng, s->t12.server_random, sizeof(s->t12.server_random));
	if (s->profile->suite13_count)
		memcpy(s->t12.server_random + T13_RANDOM_LEN - sizeof(downgrade_sentinel),
		       downgrade_sentinel, sizeof(downgrade_sentinel));
	if (ch->reneg_info || offers(ch->suites, ch->suites_len, T12_RENEGOTIATION_SCSV))
		flags |= T12_SH_RENEGOTIATION_INFO;
	if (s->t12.extended_master_secret)
		flags |= T12_SH_EXTENDED_MASTER_SECRET;
	if (ch->point_formats)
		flags |= T12_SH_POINT_FORMATS;
	/* RFC 6066 §3: acknowledged in a full handshake only. */
	if (ch->has_server_name && !s->outcome.resumed)
		flags |= T12_SH_SERVER_NAME;
	t13_buf_init(&b, buf, sizeof(buf));
	t12_write_server_hello(&b, s->t12.server_random, s->t12.session_id, s->t12.session_id_len,
			       s->outcome.suite, flags, s->outcome.alpn[0] ? s->outcome.alpn : NULL);
	return stage(s, &b);
}

/* ServerKeyExchange: our ECDHE share, signed over both randoms (RFC 8422 §5.4). */
static int server_key_exchange(struct t13_server *s)
{
	struct t13_conn *c = s->conn;
	uint8_t params[4 + T13_KEYSHARE_MAX_PUB], content[2 * T13_RANDOM_LEN + sizeof(params)];
	uint8_t sig[T13_MAX_SIGNATURE], msg[8 + sizeof(params) + T13_MAX_SIGNATURE];
	size_t sig_len, params_len;
	struct t13_buf b;

	if (t13_keyshare_generate(&s->share, s->outcome.group, &s->rng.vtable) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "cannot make a key share");
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, s->outcome.group, s->share.pub, s->share.pub_len);
	if (b.overflow)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "key share too large");
	params_len = b.len;
	memcpy(content, s->t12.client_random, T13_RANDOM_LEN);
	memcpy(content + T13_RANDOM_LEN, s->t12.server_random, T13_RANDOM_LEN);
	memcpy(content + 2 * T13_RANDOM_LEN, params, params_len);
	if (t12_sig_sign(&s->profile->creds, s->outcome.sig_scheme, content,
			 2 * T13_RANDOM_LEN + params_len, &s->rng.vtable, sig, &sig_len) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "signing failed");
	t13_buf_init(&b, msg, sizeof(msg));
	t12_write_server_key_exchange(&b, params, params_len, s->outcome.sig_scheme, sig, sig_len);
	return stage(s, &b);
}

/*
 * The schemes a client may sign its CertificateVerify with: over the
 * transcript in the suite's PRF hash, the one hash it still runs. Returns
 * how many (3) are in @out.
 */
static size_t client_schemes(const struct t13_server *s, uint16_t out[3])
{
	int sha384 = t12_prf_hash(s->outcome.suite) == &br_sha384_vtable;

	out[0] = sha384 ? T13_SIG_ECDSA_SECP384R1_SHA384 : T13_SIG_ECDSA_SECP256R1_SHA256;
	out[1] = sha384 ? T13_SIG_RSA_PSS_RSAE_SHA384 : T13_SIG_RSA_PSS_RSAE_SHA256;
	out[2] = sha384 ? T13_SIG_RSA_PKCS1_SHA384 : T13_SIG_RSA_PKCS1_SHA256;
	return 3;
}

/* Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone behind the ServerHello. */
static int full_flight(struct t13_server *s)
{
	struct t13_conn *c = s->conn;
	const struct creds *cr = &s->profile->creds;
	uint8_t done[4];
	struct t13_buf b;

	/* The chain is written in place: it is the flight's largest part. */
	t13_buf_init(&b, c->tx.staged + c->tx.staged_len, sizeof(c->tx.staged) - c->tx.staged_len);
	t12_write_certificate(&b, cr->chain, cr->chain_len);
	if (b.overflow || !cr->chain_len)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"certificate chain empty or larger than a flight");
	t13_transcript_update(&s->transcript, b.p, b.len);
	c->tx.staged_len += b.len;
	if (server_key_exchange(s) < 0)
		return -1;
	if (s->verifier) {
		uint16_t schemes[3];
		uint8_t request[64];

		t13_buf_init(&b, request, sizeof(request));
		t12_write_certificate_request(&b, schemes, client_schemes(s, schemes));
		if (stage(s, &b) < 0)
			return -1;
	}
	t13_buf_init(&b, done, sizeof(done));
	t12_write_server_hello_done(&b);
	if (stage(s, &b) < 0 || t13_tx_seal_staged(c) < 0)
		return -1;
	s->state = T13S_FLUSH;
	s->after_flush = s->verifier ? T12S_CLIENT_CERTIFICATE : T12S_CLIENT_KEY_EXCHANGE;
	return 0;
}

/* The key block, once the master secret is known: each side's key kept for its ChangeCipherSpec. */
static int key_block(struct t13_server *s)
{
	struct ktlsd_keys k;

	if (keys_derive(&k, s->outcome.suite, KTLSD_ROLE_SERVER, s->t12.master, s->t12.client_random,
			s->t12.server_random, 0, 0) < 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "key derivation failed");
	memcpy(&s->t12.tx_keys, &k.tx, sizeof(k.tx));
	memcpy(&s->t12.rx_keys, &k.rx, sizeof(k.rx));
	explicit_bzero(&k, sizeof(k));
	return 0;
}

/* Our ChangeCipherSpec and Finished, then flushed. */
static int finish(struct t13_server *s, enum t13_server_state next)
{
	struct t13_conn *c = s->conn;
	struct ktlsd_dir_keys *keys = &s->t12.tx_keys;
	uint8_t verify_data[T12_FINISHED_LEN], buf[4 + T12_FINISHED_LEN];
	struct t13_buf b;
	int r;

	if (t13_tx_seal_staged(c) < 0 || t13_tx_ccs(c) < 0)
		return -1;
	r = t13_tx_set_key12(c, s->outcome.suite, keys->key, keys->iv);
	explicit_bzero(keys, sizeof(*keys));
	if (r < 0)
		return -1;
	t12_finished_data(s->outcome.suite, &s->transcript, s->t12.master, 0, verify_data);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_finished(&b, verify_data, sizeof(verify_data));
	explicit_bzero(verify_data, sizeof(verify_data));
	if (stage(s, &b) < 0 || t13_tx_seal_staged(c) < 0)
		return -1;
	s->state = T13S_FLUSH;
	s->after_flush = next;
	return 0;
}

int t12_server_client_hello(struct t13_server *s, const struct t13_client_hello *ch,
			    const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	int r;

	if (check_hello(s, ch) < 0)
		return -1;
	s->outcome.version = T12_VERSION;
	c->rx.warnings_dropped = 0;
	memcpy(s->t12.client_random, ch->random, T13_RANDOM_LEN);
	if (ch->has_server_name)
		memcpy(s->outcome.server_name, ch->server_name, sizeof(s->outcome.server_name));
	r = take_session(s, ch);
	if (r < 0)
		return -1;
	if (!r) {
		if (choose(s, ch) < 0)
			return -1;
		s->t12.extended_master_secret = ch->extended_master_secret;
		if (s->cache12) {
			br_hmac_drbg_generate(&s->rng, s->t12.session_id, sizeof(s->t12.session_id));
			s->t12.session_id_len = sizeof(s->t12.session_id);
		}
	}
	if (choose_alpn(s, ch) < 0)
		return -1;
	t13_transcript_select(&s->transcript, t12_prf_hash(s->outcome.suite));
	t13_transcript_update(&s->transcript, msg, len);
	/* Nothing may come before our answer (RFC 5246 §7.4). */
	t13_rx_consume(c);
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"data after the ClientHello before our answer");
	if (server_hello(s, ch) < 0)
		return -1;
	if (s->outcome.resumed)
		return key_block(s) < 0 ? -1 : finish(s, T12S_CHANGE_CIPHER_SPEC);
	return full_flight(s);
}

static int client_key_exchange(struct t13_server *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	uint8_t premaster[T13_KEYSHARE_MAX_SECRET];
	size_t premaster_len = 0;
	const uint8_t *point;
	size_t point_len;
	int r = t12_parse_client_key_exchange(msg, len, &point, &point_len);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed ClientKeyExchange");
	r = t13_keyshare_derive(&s->share, point, point_len, premaster, &premaster_len);
	t13_keyshare_wipe(&s->share);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_INVALID_ALGORITHM,
				"the client's key exchange is not a valid point");
	/* RFC 7627 §4: the session hash ends with the ClientKeyExchange. */
	t13_transcript_update(&s->transcript, msg, len);
	t12_master_secret(s->outcome.suite, s->t12.extended_master_secret, &s->transcript, premaster,
			  premaster_len, s->t12.client_random, s->t12.server_random, s->t12.master);
	explicit_bzero(premaster, sizeof(premaster));
	if (key_block(s) < 0)
		return -1;
	s->state = s->t12.client_certified ? T12S_CERTIFICATE_VERIFY : T12S_CHANGE_CIPHER_SPEC;
	return 0;
}

/*
 * The client's Certificate (RFC 5246 §7.4.6), checked by the profile's
 * verifier. An empty one ends the handshake when the profile requires a
 * certificate (handshake_failure, as §7.4.6 allows), and is taken when it
 * does not.
 */
static int client_certificate(struct t13_server *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	struct t13_cert_entry chain[T13_MAX_CHAIN];
	size_t n;
	int r = t12_parse_certificate(msg, len, chain, T13_MAX_CHAIN, &n);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed client Certificate");
	if (n == 0 && s->verifier->mode == VERIFY_REQUIRED) {
		struct failure f = failure_from_tls_error(BR_ERR_NO_CLIENT_AUTH, KTLSD_ROLE_SERVER);

		return t13_fail(c, f.status, f.alert, BR_ERR_NO_CLIENT_AUTH, "%s", f.what);
	}
	if (n && t13_peer_chain(c, s->verifier, NULL, KTLSD_ROLE_SERVER, chain, n, &s->client_key) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	s->t12.client_certified = n != 0;
	s->state = T12S_CLIENT_KEY_EXCHANGE;
	return 0;
}

/* The client's CertificateVerify (§7.4.8): its key signed the transcript so far, as we asked. */
static int client_certificate_verify(struct t13_server *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	uint8_t hash[T13_MAX_HASH];
	uint16_t schemes[3], scheme;
	const uint8_t *sig;
	size_t sig_len, n = client_schemes(s, schemes), hash_len;
	int r = t13_parse_certificate_verify(msg, len, &scheme, &sig, &sig_len), offered = 0;

	if (r < 0)
		return t13_fail_alert(c, r, "malformed client CertificateVerify");
	for (size_t i = 0; i < n; i++)
		offered |= schemes[i] == scheme;
	hash_len = t13_transcript_hash_as(&s->transcript, t12_prf_hash(s->outcome.suite), hash);
	r = offered ? t12_sig_verify_hash(s->client_key, scheme, hash, hash_len, sig, sig_len) :
	    -T13_ALERT_ILLEGAL_PARAMETER;
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_BAD_SIGNATURE, "the client's CertificateVerify %s",
				r == -T13_ALERT_DECRYPT_ERROR ? "does not verify" :
				"uses a scheme we did not offer or its key cannot make");
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T12S_CHANGE_CIPHER_SPEC;
	return 0;
}

int t12_server_change_cipher_spec(struct t13_server *s)
{
	struct ktlsd_dir_keys *keys = &s->t12.rx_keys;
	int r = t13_rx_set_key12(s->conn, s->outcome.suite, keys->key, keys->iv);
	explicit_bzero(keys, sizeof(*keys));
	if (r < 0)
		return -1;
	s->state = T12S_FINISHED;
	return 0;
}

/* A full handshake's session, for the client to resume in any worker. */
static void keep_session(struct t13_server *s)
{
	br_ssl_session_parameters params;

	if (!s->cache12 || !s->t12.session_id_len)
		return;
	memset(&params, 0, sizeof(params));
	memcpy(params.session_id, s->t12.session_id, sizeof(params.session_id));
	params.session_id_len = sizeof(params.session_id);
	params.version = T12_VERSION;
	params.cipher_suite = s->outcome.suite;
	memcpy(params.master_secret, s->t12.master, sizeof(params.master_secret));
	session_cache_save(s->cache12, s->profile->name, s->outcome.server_name, &params,
			   s->t12.extended_master_secret, t13_now_ms());
	explicit_bzero(&params, sizeof(params));
}

static int client_finished(struct t13_server *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	uint8_t expected[T12_FINISHED_LEN];
	const uint8_t *verify_data;
	int r = t13_parse_finished(msg, len, T12_FINISHED_LEN, &verify_data), good;

	if (r < 0)
		return t13_fail_alert(c, r, "malformed Finished");
	t12_finished_data(s->outcome.suite, &s->transcript, s->t12.master, 1, expected);
	good = t13_finished_equal(expected, verify_data, T12_FINISHED_LEN);
	explicit_bzero(expected, sizeof(expected));
	if (!good)
		return t13_fail(c, EPROTO, T13_ALERT_DECRYPT_ERROR, BR_ERR_BAD_FINISHED,
				"the client's Finished does not verify");
	t13_transcript_update(&s->transcript, msg, len);
	/* What follows the Finished is kTLS's to read. */
	t13_rx_consume(c);
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"data after the client's Finished in its record");
	if (s->outcome.resumed) {
		s->state = T13S_DONE;
		return 0;
	}
	if (s->verifier)
		s->outcome.peer_verified = verifier_identity(s->verifier, s->outcome.peer_subject,
							     sizeof(s->outcome.peer_subject),
							     s->outcome.peer_san, sizeof(s->outcome.peer_san));
	if (finish(s, T13S_DONE) < 0)
		return -1;
	keep_session(s);
	return 0;
}

int t12_server_dispatch(struct t13_server *s, const uint8_t *msg, size_t len)
{
	uint8_t type = msg[0];

	if (s->state == T12S_CLIENT_CERTIFICATE && type == T13_HS_CERTIFICATE)
		return client_certificate(s, msg, len);
	if (s->state == T12S_CLIENT_KEY_EXCHANGE && type == T12_HS_CLIENT_KEY_EXCHANGE)
		return client_key_exchange(s, msg, len);
	if (s->state == T12S_CERTIFICATE_VERIFY && type == T13_HS_CERTIFICATE_VERIFY)
		return client_certificate_verify(s, msg, len);
	if (s->state == T12S_FINISHED && type == T13_HS_FINISHED)
		return client_finished(s, msg, len);
	return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
			"unexpected handshake message of type %u", type);
}

int t12_server_keys(const struct t13_server *s, struct ktlsd_keys *keys)
{
	return keys_derive(keys, s->outcome.suite, KTLSD_ROLE_SERVER, s->t12.master,
			   s->t12.client_random, s->t12.server_random, s->conn->tx.aead.seq,
			   s->conn->rx.aead.seq);
}

void t12_server_wipe(struct t13_server *s)
{
	explicit_bzero(&s->t12, sizeof(s->t12));
}
