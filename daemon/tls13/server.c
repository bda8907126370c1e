// SPDX-License-Identifier: GPL-2.0-or-later
/* The TLS 1.3 server handshake: one state per message we wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "choose.h"
#include "peer.h"
#include "msg.h"
#include "server.h"
#include "server12.h"
#include "sig.h"
#include "../hash.h"

/* 0-RTT data a client may send before it sees we refused it (4.2.10). */
#define T13_EARLY_DATA_SKIP	(64 * 1024)

int t13_server_start(struct t13_server *s, struct t13_conn *conn, const struct profile *profile,
		     struct verifier *verifier, struct t13_ticket_keys *tickets,
		     struct session_cache *cache12, const uint8_t seed[32])
{
	memset(s, 0, sizeof(*s));
	s->conn = conn;
	s->profile = profile;
	s->verifier = verifier;
	s->tickets = tickets;
	s->cache12 = verifier ? NULL : cache12;
	s->psk_index = -1;
	t13_rx_hello_taken(conn);
	s->outcome.version = T13_VERSION;
	s->state = T13S_HELLO;
	br_hmac_drbg_init(&s->rng, hash_fast(&br_sha256_vtable), seed, 32);
	t13_transcript_init(&s->transcript);
	return 0;
}

void t13_server_wipe(struct t13_server *s)
{
	t13_schedule_wipe(&s->schedule);
	t13_transcript_wipe(&s->transcript);
	t13_keyshare_wipe(&s->share);
	t12_server_wipe(s);
	explicit_bzero(&s->session, sizeof(s->session));
	explicit_bzero(&s->rng, sizeof(s->rng));
}

static size_t transcript_hash(const struct t13_server *s, uint8_t *out)
{
	return t13_transcript_hash(&s->transcript, out);
}

/* Stage a message built in @b and add it to the transcript. */
static int stage(struct t13_server *s, struct t13_buf *b)
{
	return t13_stage(s->conn, &s->transcript, b);
}

/* The RFC 8446 rules a ClientHello must follow whatever we choose. */
static int check_hello(struct t13_server *s, const struct t13_client_hello *ch)
{
	struct t13_conn *c = s->conn;

	if (!t13_client_hello_offers_13(ch))
		return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION, BR_ERR_UNSUPPORTED_VERSION,
				"the second ClientHello does not offer TLS 1.3");
	/* 4.1.2: TLS 1.3 ClientHellos offer exactly the null compression. */
	if (ch->compression_len != 1 || ch->compression[0] != 0)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_COMPRESSION,
				"ClientHello offers compression");
	if (!ch->sig_algs)
		return t13_fail(c, EPROTO, T13_ALERT_MISSING_EXTENSION, BR_ERR_BAD_HANDSHAKE,
				"ClientHello has no signature_algorithms");
	/* 9.2: key_share and supported_groups come together; we need both. */
	if (!ch->groups || !ch->key_shares)
		return t13_fail(c, EPROTO, T13_ALERT_MISSING_EXTENSION, BR_ERR_BAD_HANDSHAKE,
				"ClientHello has no %s", ch->groups ? "key_share" : "supported_groups");
	return 0;
}

/* Suite, signature scheme and ALPN: the same for both ClientHellos. */
static int choose(struct t13_server *s, const struct t13_client_hello *ch)
{
	struct t13_conn *c = s->conn;
	struct t13_outcome *o = &s->outcome;
	uint16_t suite = t13_choose_suite(s->profile, ch);
	int alpn;

	if (!suite)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_BAD_CIPHER_SUITE,
				"no TLS 1.3 cipher suite in common");
	if (o->suite && suite != o->suite)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_CIPHER_SUITE,
				"the second ClientHello dropped the cipher suite we chose");
	o->suite = suite;
	o->sig_scheme = t13_sig_choose(&s->profile->creds, ch->sig_algs, ch->sig_algs_len);
	if (!o->sig_scheme)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_INVALID_ALGORITHM,
				"no signature scheme in common with our key");
	alpn = t13_choose_alpn(s->profile, ch, o->alpn, sizeof(o->alpn));
	if (alpn < 0)
		return t13_fail(c, EPROTO, T13_ALERT_NO_APPLICATION_PROTOCOL, 0,
				"no application protocol in common");
	if (!alpn)
		o->alpn[0] = '\0';
	if (ch->has_server_name)
		memcpy(o->server_name, ch->server_name, sizeof(o->server_name));
	else
		o->server_name[0] = '\0';
	s->hash = t13_suite_hash(suite);
	s->hash_len = t13_hash_len(s->hash);
	return 0;
}

/* Ask for a key share of @group (4.1.4): no cookie, we keep our state. */
static int hello_retry(struct t13_server *s, uint16_t group)
{
	uint8_t buf[128];
	struct t13_buf b;

	s->outcome.hello_retry = 1;
	s->outcome.group = group;
	t13_transcript_restart_after_hrr(&s->transcript);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_hello_retry_request(&b, s->session_id, s->session_id_len, s->outcome.suite,
				      group, NULL, 0);
	if (stage(s, &b) < 0 || t13_tx_seal_staged(s->conn) < 0)
		return -1;
	if (s->session_id_len && !s->ccs_sent) {
		s->ccs_sent = 1;
		if (t13_tx_ccs(s->conn) < 0)
			return -1;
	}
	s->state = T13S_FLUSH;
	s->after_flush = T13S_HELLO_AGAIN;
	return 0;
}

/* ServerHello, then the handshake keys both ways. */
static int server_hello(struct t13_server *s, const uint8_t *peer, size_t peer_len)
{
	struct t13_conn *c = s->conn;
	uint8_t buf[256], random[T13_RANDOM_LEN], dhe[T13_MAX_HASH], hash[T13_MAX_HASH];
	size_t dhe_len;
	struct t13_buf b;
	int r;

	if (t13_keyshare_generate(&s->share, s->outcome.group, &s->rng.vtable) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "cannot make a key share");
	r = t13_keyshare_derive(&s->share, peer, peer_len, dhe, &dhe_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_INVALID_ALGORITHM,
				"the client's key share is not a valid point");
	br_hmac_drbg_generate(&s->rng, random, sizeof(random));
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_server_hello(&b, random, s->session_id, s->session_id_len, s->outcome.suite,
			       s->outcome.group, s->share.pub, s->share.pub_len, s->psk_index);
	r = stage(s, &b);
	t13_keyshare_wipe(&s->share);
	if (r < 0 || t13_tx_seal_staged(c) < 0)
		goto fail;
	if (s->session_id_len && !s->ccs_sent) {
		s->ccs_sent = 1;
		if (t13_tx_ccs(c) < 0)
			goto fail;
	}
	/* Done with the ClientHello: what follows it comes under the new key. */
	t13_rx_consume(c);
	transcript_hash(s, hash);
	if (s->outcome.resumed)
		t13_schedule_init(&s->schedule, s->hash, s->session.psk, s->session.psk_len);
	else
		t13_schedule_init(&s->schedule, s->hash, NULL, 0);
	t13_schedule_handshake(&s->schedule, dhe, dhe_len, hash);
	explicit_bzero(dhe, sizeof(dhe));
	if (t13_set_tx_secret(c, s->hash, s->outcome.suite, s->schedule.server_hs) < 0)
		return -1;
	return t13_set_rx_secret(c, s->hash, s->outcome.suite, s->schedule.client_hs);
fail:
	explicit_bzero(dhe, sizeof(dhe));
	return -1;
}

/* Certificate, CertificateVerify: our chain, and proof we hold its key. */
static int authenticate(struct t13_server *s)
{
	struct t13_conn *c = s->conn;
	const struct creds *cr = &s->profile->creds;
	uint8_t content[64 + 34 + T13_MAX_HASH], hash[T13_MAX_HASH];
	uint8_t sig[T13_MAX_SIGNATURE], msg[8 + T13_MAX_SIGNATURE];
	size_t content_len, sig_len;
	struct t13_buf b;

	/* The chain is written in place: it is the flight's largest part. */
	t13_buf_init(&b, c->tx.staged + c->tx.staged_len, sizeof(c->tx.staged) - c->tx.staged_len);
	t13_write_certificate(&b, NULL, 0, cr->chain, cr->chain_len);
	if (b.overflow)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"certificate chain larger than a flight");
	t13_transcript_update(&s->transcript, b.p, b.len);
	c->tx.staged_len += b.len;

	content_len = t13_cv_content(content, 1, hash, transcript_hash(s, hash));
	if (t13_sig_sign(cr, s->outcome.sig_scheme, content, content_len, &s->rng.vtable,
			 sig, &sig_len) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "signing failed");
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_certificate_verify(&b, s->outcome.sig_scheme, sig, sig_len);
	return stage(s, &b);
}

static int finished(struct t13_server *s)
{
	uint8_t hash[T13_MAX_HASH], mac[T13_MAX_HASH], buf[4 + T13_MAX_HASH];
	struct t13_buf b;

	transcript_hash(s, hash);
	t13_finished_mac(s->hash, s->schedule.server_hs, hash, mac);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_finished(&b, mac, s->hash_len);
	if (stage(s, &b) < 0 || t13_tx_seal_staged(s->conn) < 0)
		return -1;
	/*
	 * The application secrets hash up to our Finished, and what we send
	 * after it is under ours (7.1): an alert, and kTLS's records.
	 */
	transcript_hash(s, hash);
	t13_schedule_application(&s->schedule, hash);
	return t13_set_tx_secret(s->conn, s->hash, s->outcome.suite, s->schedule.server_ap);
}

/* Our whole first flight after ServerHello. */
static int server_flight(struct t13_server *s)
{
	uint8_t buf[512];
	struct t13_buf b;

	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_encrypted_extensions(&b, s->outcome.alpn[0] ? s->outcome.alpn : NULL,
				       s->outcome.server_name[0] != '\0', NULL, 0);
	if (stage(s, &b) < 0)
		return -1;
	/* A resumed session is authenticated by its PSK, both ways (4.3.2). */
	if (s->outcome.resumed) {
		if (finished(s) < 0)
			return -1;
		s->state = T13S_FLUSH;
		s->after_flush = T13S_FINISHED;
		return 0;
	}
	if (s->verifier) {
		uint8_t algs[64];
		size_t n = t13_sig_our_list(algs, sizeof(algs));

		t13_buf_init(&b, buf, sizeof(buf));
		t13_write_certificate_request(&b, algs, n);
		if (stage(s, &b) < 0)
			return -1;
	}
	if (authenticate(s) < 0 || finished(s) < 0)
		return -1;
	s->state = T13S_FLUSH;
	s->after_flush = s->verifier ? T13S_CERTIFICATE : T13S_FINISHED;
	return 0;
}

/* 1 if the binder of the ClientHello @msg verifies with @psk (4.2.11.2). */
static int binder_verifies(struct t13_server *s, const struct t13_client_hello *ch,
			   const uint8_t *msg, const uint8_t *psk, size_t psk_len,
			   const uint8_t *binder, size_t binder_len)
{
	struct t13_transcript partial = s->transcript;
	struct t13_schedule early;
	uint8_t hash[T13_MAX_HASH], key[T13_MAX_HASH], expected[T13_MAX_HASH];
	int good;

	/* Everything before this ClientHello, and this one up to its binders. */
	t13_transcript_update(&partial, msg, ch->binders_offset);
	t13_transcript_hash(&partial, hash);
	t13_transcript_wipe(&partial);
	t13_schedule_init(&early, s->hash, psk, psk_len);
	t13_schedule_binder_key(&early, 0, key);
	t13_schedule_wipe(&early);
	t13_finished_mac(s->hash, key, hash, expected);
	good = binder_len == s->hash_len && t13_finished_equal(expected, binder, s->hash_len);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(expected, sizeof(expected));
	return good;
}

/* A ticket of ours this handshake may resume: same profile, name and hash. */
static int ticket_fits(const struct t13_server *s, const struct t13_session *sess)
{
	return !strcmp(sess->profile, s->profile->name) &&
	       t13_suite_hash(sess->suite) == s->hash &&
	       !strcmp(sess->server_name, s->outcome.server_name);
}

/* The identities we look at: enough for a client's few tickets, bounded. */
#define T13_MAX_PSK_TRIED 4

/*
 * Resume from the first of the client's tickets that fits (4.2.11). Returns
 * 1 resumed, 0 a full handshake, -1 failed (a binder that does not verify,
 * or a pre_shared_key without psk_key_exchange_modes).
 */
static int take_psk(struct t13_server *s, const struct t13_client_hello *ch, const uint8_t *msg)
{
	struct t13_conn *c = s->conn;

	if (!ch->psk_identities)
		return 0;
	if (!ch->psk_modes)
		return t13_fail(c, EPROTO, T13_ALERT_MISSING_EXTENSION, BR_ERR_BAD_HANDSHAKE,
				"pre_shared_key without psk_key_exchange_modes");
	if (!s->psk_dhe_offered || !s->tickets)
		return 0;
	for (size_t i = 0; i < T13_MAX_PSK_TRIED; i++) {
		const uint8_t *id, *binder;
		size_t id_len, binder_len;
		uint32_t age;

		if (t13_psk_identity(ch, i, &id, &id_len, &age, &binder, &binder_len) < 0)
			break;
		if (t13_ticket_open(s->tickets, id, id_len, t13_now_ms(), &s->session) < 0)
			continue;
		if (!ticket_fits(s, &s->session)) {
			explicit_bzero(&s->session, sizeof(s->session));
			continue;
		}
		if (!binder_verifies(s, ch, msg, s->session.psk, s->session.psk_len, binder,
				     binder_len))
			return t13_fail(c, EPROTO, T13_ALERT_DECRYPT_ERROR, BR_ERR_BAD_FINISHED,
					"the binder of a ticket we issued does not verify");
		s->psk_index = (int)i;
		s->outcome.resumed = 1;
		s->outcome.sig_scheme = 0;	/* no CertificateVerify */
		s->outcome.peer_verified = s->session.peer_verified;
		memcpy(s->outcome.peer_subject, s->session.peer_subject, sizeof(s->session.peer_subject));
		memcpy(s->outcome.peer_san, s->session.peer_san, sizeof(s->session.peer_san));
		return 1;
	}
	return 0;
}

static int client_hello(struct t13_server *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	struct t13_client_hello ch;
	const uint8_t *share;
	size_t share_len;
	uint16_t group;
	int first = s->state == T13S_HELLO;
	int r = t13_parse_client_hello(&ch, msg, len);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed ClientHello");
	/* TLS 1.2 when the client or the profile goes no further. */
	if (first && (!t13_client_hello_offers_13(&ch) || !s->profile->suite13_count)) {
		if (!s->profile->suite_count)
			return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION,
					BR_ERR_UNSUPPORTED_VERSION,
					"the client does not offer TLS 1.3, the profile's only version");
		return t12_server_client_hello(s, &ch, msg, len);
	}
	if (check_hello(s, &ch) < 0 || choose(s, &ch) < 0)
		return -1;
	if (first) {
		s->session_id_len = ch.session_id_len;
		memcpy(s->session_id, ch.session_id, ch.session_id_len);
		t13_transcript_select(&s->transcript, s->hash);
	} else if (ch.early_data || ch.cookie) {
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the second ClientHello has %s", ch.early_data ? "early_data" : "a cookie");
	}
	/* A client that sent 0-RTT data does not know yet we ignore it. */
	if (first && ch.early_data)
		c->rx.early_skip = T13_EARLY_DATA_SKIP;
	c->rx.ccs_allowed = 1;
	s->psk_dhe_offered = ch.psk_modes && memchr(ch.psk_modes, T13_PSK_DHE_KE, ch.psk_modes_len);
	group = t13_choose_group(s->profile, &ch, &share, &share_len);
	if (!group)
		return t13_fail(c, EPROTO, T13_ALERT_HANDSHAKE_FAILURE, BR_ERR_INVALID_ALGORITHM,
				"no key exchange group in common");
	if (!first && group != s->outcome.group)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the second ClientHello changed the groups");
	if (!share) {
		if (!first)
			return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
					"the second ClientHello has no key share for the group we asked for");
		t13_transcript_update(&s->transcript, msg, len);
		return hello_retry(s, group);
	}
	/* The binder hashes the transcript before this ClientHello. */
	if (take_psk(s, &ch, msg) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	s->outcome.group = group;
	if (server_hello(s, share, share_len) < 0)
		return -1;
	return server_flight(s);
}

static int client_certificate(struct t13_server *s, const uint8_t *msg, size_t len)
{
	size_t n;

	if (t13_peer_certificate(s->conn, s->verifier, NULL, KTLSD_ROLE_SERVER, msg, len,
				 &s->client_key, &n) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	if (n == 0 && s->verifier->mode == VERIFY_REQUIRED)
		return t13_fail(s->conn, ENOKEY, T13_ALERT_CERTIFICATE_REQUIRED, BR_ERR_NO_CLIENT_AUTH,
				"the client sent no certificate");
	s->state = n ? T13S_CERTIFICATE_VERIFY : T13S_FINISHED;
	return 0;
}

static int client_certificate_verify(struct t13_server *s, const uint8_t *msg, size_t len)
{
	uint8_t hash[T13_MAX_HASH];

	if (t13_peer_certificate_verify(s->conn, s->client_key, 0, hash, transcript_hash(s, hash),
					msg, len) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T13S_FINISHED;
	return 0;
}

static int client_finished(struct t13_server *s, const uint8_t *msg, size_t len)
{
	uint8_t hash[T13_MAX_HASH];

	transcript_hash(s, hash);
	if (t13_peer_finished(s->conn, s->hash, s->schedule.client_hs, hash, msg, len) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	transcript_hash(s, hash);
	t13_schedule_resumption(&s->schedule, hash);
	if (!s->outcome.resumed && s->verifier)
		s->outcome.peer_verified = verifier_identity(s->verifier, s->outcome.peer_subject,
							     sizeof(s->outcome.peer_subject),
							     s->outcome.peer_san,
							     sizeof(s->outcome.peer_san));
	s->state = s->tickets && s->psk_dhe_offered ? T13S_TICKET : T13S_DONE;
	return 0;
}

/*
 * One NewSessionTicket, under our application key before the hand-off (so
 * kTLS's first record follows it). A session that does not fit a ticket
 * (an ALPN name too long for it) gets none: the client resumes nothing.
 */
static int new_session_ticket(struct t13_server *s)
{
	static const uint8_t nonce[1] = { 0 };
	struct t13_session *t = &s->session;
	const struct t13_outcome *o = &s->outcome;
	uint8_t ticket[T13_TICKET_MAX_LEN], msg[T13_TICKET_MAX_LEN + 64];
	size_t len, alpn_len = strlen(o->alpn);
	uint32_t lifetime, age_add;
	uint64_t now = t13_now_ms();
	struct t13_buf b;

	s->state = T13S_DONE;
	if (alpn_len >= sizeof(t->alpn))
		return 0;
	memset(t, 0, sizeof(*t));
	t->suite = o->suite;
	t->psk_len = s->hash_len;
	t13_resumption_psk(s->hash, s->schedule.resumption, nonce, sizeof(nonce), t->psk);
	t->issued_ms = now;
	lifetime = (uint32_t)(s->tickets->rotate_ms / 1000);
	t->lifetime_s = lifetime < T13_TICKET_MAX_LIFETIME ? lifetime : T13_TICKET_MAX_LIFETIME;
	br_hmac_drbg_generate(&s->rng, &t->age_add, sizeof(t->age_add));
	snprintf(t->profile, sizeof(t->profile), "%s", s->profile->name);
	memcpy(t->alpn, o->alpn, alpn_len);
	memcpy(t->server_name, o->server_name, sizeof(t->server_name));
	t->peer_verified = (uint8_t)o->peer_verified;
	memcpy(t->peer_subject, o->peer_subject, sizeof(t->peer_subject));
	memcpy(t->peer_san, o->peer_san, sizeof(t->peer_san));
	lifetime = t->lifetime_s;
	age_add = t->age_add;
	t13_ticket_keys_tick(s->tickets, now);
	len = t13_ticket_seal(s->tickets, t, &s->rng.vtable, ticket, sizeof(ticket));
	explicit_bzero(t, sizeof(*t));
	if (!len)
		return 0;
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_new_session_ticket(&b, lifetime, age_add, nonce, sizeof(nonce), ticket, len);
	if (b.overflow)
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "ticket too large");
	if (t13_tx_stage(s->conn, msg, b.len) < 0 || t13_tx_seal_staged(s->conn) < 0)
		return -1;
	s->state = T13S_FLUSH;
	s->after_flush = T13S_DONE;
	return 0;
}

/* One received message, in the state that waits for it. */
static int dispatch(struct t13_server *s, const uint8_t *msg, size_t len)
{
	static const uint8_t expected[] = {
		[T13S_HELLO] = T13_HS_CLIENT_HELLO,
		[T13S_HELLO_AGAIN] = T13_HS_CLIENT_HELLO,
		[T13S_CERTIFICATE] = T13_HS_CERTIFICATE,
		[T13S_CERTIFICATE_VERIFY] = T13_HS_CERTIFICATE_VERIFY,
		[T13S_FINISHED] = T13_HS_FINISHED,
	};

	if (s->state >= T12S_CLIENT_CERTIFICATE)
		return t12_server_dispatch(s, msg, len);
	if (s->state >= sizeof(expected) || msg[0] != expected[s->state])
		return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"unexpected handshake message of type %u", msg[0]);
	switch (s->state) {
	case T13S_HELLO:
	case T13S_HELLO_AGAIN:
		return client_hello(s, msg, len);
	case T13S_CERTIFICATE:
		return client_certificate(s, msg, len);
	case T13S_CERTIFICATE_VERIFY:
		return client_certificate_verify(s, msg, len);
	case T13S_FINISHED:
		return client_finished(s, msg, len);
	default:
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "bad state");
	}
}

enum t13_progress t13_server_step(struct t13_server *s)
{
	struct t13_conn *c = s->conn;
	const uint8_t *msg;
	size_t len;
	int r;

	while (s->state != T13S_DONE) {
		if (s->state == T13S_TICKET) {
			if (new_session_ticket(s) < 0)
				return T13_DONE;
			continue;
		}
		if (s->state == T13S_FLUSH) {
			r = t13_tx_flush(c);
			if (r == 0)
				return T13_WANT_WRITE;
			if (r < 0)
				return T13_DONE;
			s->state = s->after_flush;
			continue;
		}
		if (s->state == T12S_CHANGE_CIPHER_SPEC) {
			r = t13_rx_change_cipher_spec(c);
			if (r == 0)
				return T13_WANT_READ;
			if (r < 0 || t12_server_change_cipher_spec(s) < 0)
				return T13_DONE;
			continue;
		}
		r = t13_rx_message(c, &msg, &len);
		if (r == 0)
			return T13_WANT_READ;
		if (r < 0 || dispatch(s, msg, len) < 0)
			return T13_DONE;
		if (s->state != T13S_DONE)
			t13_rx_consume(c);
	}
	return T13_DONE;
}

int t13_server_keys(const struct t13_server *s, struct ktlsd_keys *keys)
{
	if (s->outcome.version == T12_VERSION)
		return t12_server_keys(s, keys);
	t13_ktls_keys(keys, s->conn, s->hash, s->outcome.suite, s->schedule.server_ap,
		      s->schedule.client_ap);
	return 0;
}
