// SPDX-License-Identifier: GPL-2.0-or-later
/* The TLS 1.3 client handshake: one state per message we wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "client12.h"
#include "msg_client.h"
#include "peer.h"
#include "sig.h"
#include "../hash.h"

static int stage(struct t13_client *s, struct t13_buf *b)
{
	return t13_stage(s->conn, &s->transcript, b);
}

static int offered_suite(const struct profile *p, uint16_t suite)
{
	for (size_t i = 0; i < p->suite13_count; i++)
		if (p->suites13[i] == suite)
			return 1;
	return 0;
}

static int offered_group(const struct profile *p, uint16_t group)
{
	for (size_t i = 0; i < p->group_count; i++)
		if (p->groups[i] == group)
			return 1;
	return 0;
}

/*
 * The kept session can be offered: it has a ticket, and its hash is that of
 * a suite we offer (after a HelloRetryRequest: of the suite it chose).
 */
static int psk_usable(const struct t13_client *s)
{
	const br_hash_class *h;

	if (!s->resume.ticket_len)
		return 0;
	h = t13_suite_hash(s->resume.suite);
	if (s->outcome.suite)
		return t13_suite_hash(s->outcome.suite) == h;
	for (size_t i = 0; i < s->profile->suite13_count; i++)
		if (t13_suite_hash(s->profile->suites13[i]) == h)
			return 1;
	return 0;
}

/*
 * §4.2.11.2: the binder, over the transcript before this ClientHello and
 * this one up to its binders list, with the session's hash and PSK.
 */
static void write_binder(const struct t13_client *s, uint8_t *hello, size_t binder_at,
			 size_t truncated_len)
{
	const br_hash_class *h = t13_suite_hash(s->resume.suite);
	struct t13_transcript partial = s->transcript;
	struct t13_schedule early;
	uint8_t hash[T13_MAX_HASH], key[T13_MAX_HASH];

	t13_transcript_update(&partial, hello, truncated_len);
	t13_transcript_hash_as(&partial, h, hash);
	t13_transcript_wipe(&partial);
	t13_schedule_init(&early, h, s->resume.psk, s->resume.psk_len);
	t13_schedule_binder_key(&early, 0, key);
	t13_schedule_wipe(&early);
	t13_finished_mac(h, key, hash, hello + binder_at);
	explicit_bzero(key, sizeof(key));
}

/* Our ClientHello (the second one echoes the cookie of the retry request). */
static int client_hello(struct t13_client *s, const uint8_t *cookie, size_t cookie_len)
{
	const struct profile *p = s->profile;
	/* Room for the largest ticket we keep, on top of everything else. */
	uint8_t algs[64], buf[1024 + T13_SESSION_MAX_TICKET + 64];
	struct t13_client_offer o = {
		.random = s->random,
		.session_id = s->session_id, .session_id_len = sizeof(s->session_id),
		.suites = p->suites13, .suite_count = p->suite13_count,
		/* Kept in the second one too: §4.1.2 allows no other change. */
		.suites12 = p->suites, .suite12_count = p->suite_count,
		.offer_12 = p->suite_count != 0,
		.groups = p->groups, .group_count = p->group_count,
		.share_count = 1,
		.sig_algs = algs, .sig_algs_len = t13_sig_our_list(algs, sizeof(algs)),
		.server_name = s->sni,
		.alpn = s->alpn, .alpn_count = s->alpn_count,
		.cookie = cookie, .cookie_len = cookie_len,
	};
	size_t binder_at = 0, truncated_len = 0;
	struct t13_buf b;

	o.shares[0].group = s->share.group;
	o.shares[0].pub = s->share.pub;
	o.shares[0].pub_len = s->share.pub_len;
	o.want_tickets = s->keep_tickets;
	s->psk_offered = psk_usable(s);
	if (s->psk_offered) {
		o.ticket = s->resume.ticket;
		o.ticket_len = s->resume.ticket_len;
		/* §4.2.11.1: the ticket's age in ms, plus the server's age_add. */
		o.obfuscated_age = (uint32_t)(t13_now_ms() - s->resume.received_ms) + s->resume.age_add;
		o.binder_len = t13_hash_len(t13_suite_hash(s->resume.suite));
	}
	s->offered = t13_client_hello_offered(&o);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_client_hello(&b, &o, &binder_at, &truncated_len);
	if (b.overflow)
		return t13_fail(s->conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "ClientHello too large");
	if (s->psk_offered)
		write_binder(s, buf, binder_at, truncated_len);
	if (stage(s, &b) < 0 || t13_tx_seal_staged(s->conn) < 0)
		return -1;
	s->state = T13C_FLUSH;
	s->after_flush = T13C_SERVER_HELLO;
	return 0;
}

int t13_client_start(struct t13_client *s, struct t13_conn *conn, const struct profile *profile,
		     struct verifier *verifier, const char *sni, const char *const *alpn,
		     size_t alpn_count, const uint8_t seed[32], const struct t13_client_options *opt)
{
	memset(s, 0, sizeof(*s));
	if (opt) {
		if (opt->resume)
			s->resume = *opt->resume;
		s->keep_tickets = opt->keep_tickets;
		s->spare_sessions = opt->spare_sessions;
		s->ticket_wait_ms = opt->ticket_wait_ms;
	}
	s->conn = conn;
	s->profile = profile;
	s->verifier = verifier;
	s->sni = sni;
	s->alpn = alpn;
	s->alpn_count = alpn_count;
	br_hmac_drbg_init(&s->rng, hash_fast(&br_sha256_vtable), seed, 32);
	br_hmac_drbg_generate(&s->rng, s->random, sizeof(s->random));
	br_hmac_drbg_generate(&s->rng, s->session_id, sizeof(s->session_id));
	t13_transcript_init(&s->transcript);
	if (sni)
		snprintf(s->outcome.server_name, sizeof(s->outcome.server_name), "%s", sni);
	if (t13_keyshare_generate(&s->share, profile->groups[0], &s->rng.vtable) < 0)
		return t13_fail(conn, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "cannot make a key share");
	return client_hello(s, NULL, 0);
}

void t13_client_wipe(struct t13_client *s)
{
	t13_schedule_wipe(&s->schedule);
	t13_transcript_wipe(&s->transcript);
	t13_keyshare_wipe(&s->share);
	t12_client_wipe(s);
	explicit_bzero(&s->resume, sizeof(s->resume));
	explicit_bzero(s->new_sessions, sizeof(s->new_sessions));
	explicit_bzero(&s->rng, sizeof(s->rng));
}

static size_t transcript_hash(const struct t13_client *s, uint8_t *out)
{
	return t13_transcript_hash(&s->transcript, out);
}

/* A dummy ChangeCipherSpec before our second flight, once (D.4). */
static int compat_ccs(struct t13_client *s)
{
	if (s->ccs_sent)
		return 0;
	s->ccs_sent = 1;
	return t13_tx_ccs(s->conn);
}

/* The suite decides the transcript's hash, for good. */
static int take_suite(struct t13_client *s, uint16_t suite)
{
	if (!offered_suite(s->profile, suite) || (s->outcome.suite && suite != s->outcome.suite))
		return t13_fail(s->conn, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_CIPHER_SUITE,
				"the server chose a cipher suite we did not offer");
	if (!s->outcome.suite) {
		s->outcome.suite = suite;
		s->hash = t13_suite_hash(suite);
		s->hash_len = t13_hash_len(s->hash);
		t13_transcript_select(&s->transcript, s->hash);
	}
	return 0;
}

/* HelloRetryRequest (4.1.4): a share for the group it names, once. */
static int hello_retry(struct t13_client *s, const struct t13_server_hello *sh, const uint8_t *msg,
		       size_t len)
{
	struct t13_conn *c = s->conn;

	if (s->outcome.hello_retry)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"a second HelloRetryRequest");
	if (!sh->group || !offered_group(s->profile, sh->group) || sh->group == s->share.group)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the HelloRetryRequest asks for a group we did not offer, or the one we sent");
	if (take_suite(s, sh->suite) < 0)
		return -1;
	s->outcome.hello_retry = 1;
	t13_transcript_restart_after_hrr(&s->transcript);
	t13_transcript_update(&s->transcript, msg, len);
	t13_keyshare_wipe(&s->share);
	if (t13_keyshare_generate(&s->share, sh->group, &s->rng.vtable) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "cannot make a key share");
	c->rx.ccs_allowed = 1;
	if (compat_ccs(s) < 0)
		return -1;
	return client_hello(s, sh->cookie, sh->cookie_len);
}

/*
 * The ServerHello's pre_shared_key (§4.2.11): -1 none (a full handshake);
 * else the one identity we offered, for a suite of its hash. Resumed, the
 * server's identity is the one verified when the session was made.
 */
static int take_psk(struct t13_client *s, int psk_index)
{
	struct t13_outcome *o = &s->outcome;

	if (psk_index < 0)
		return 0;
	if (!s->psk_offered || psk_index != 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the server selected a pre-shared key we did not offer");
	if (t13_suite_hash(o->suite) != t13_suite_hash(s->resume.suite))
		return t13_fail(s->conn, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the server resumed with a suite of another hash");
	o->resumed = 1;
	o->peer_verified = s->resume.peer_verified;
	memcpy(o->peer_subject, s->resume.peer_subject, sizeof(o->peer_subject));
	memcpy(o->peer_san, s->resume.peer_san, sizeof(o->peer_san));
	return 0;
}

/* ServerHello: the server's share, then the handshake keys. */
static int server_hello(struct t13_client *s, const uint8_t *msg, size_t len)
{
	struct t13_conn *c = s->conn;
	struct t13_server_hello sh;
	uint8_t dhe[T13_MAX_HASH], hash[T13_MAX_HASH];
	size_t dhe_len;
	int r = t13_parse_server_hello(&sh, msg, len, s->offered);

	if (r < 0)
		return t13_fail_alert(c, r, "malformed ServerHello");
	if (sh.is_hrr)
		return hello_retry(s, &sh, msg, len);
	if (sh.version != T13_VERSION)
		return t12_client_server_hello(s, &sh, msg, len);
	if (sh.session_id_len != sizeof(s->session_id) ||
	    memcmp(sh.session_id, s->session_id, sizeof(s->session_id)))
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the ServerHello does not echo our session id");
	if (sh.group != s->share.group || !sh.share)
		return t13_fail(c, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, BR_ERR_BAD_HANDSHAKE,
				"the ServerHello's key share is not for the group we sent");
	if (take_suite(s, sh.suite) < 0 || take_psk(s, sh.psk_index) < 0)
		return -1;
	s->outcome.version = T13_VERSION;
	s->rtt_ms = t13_now_ms() - s->hello_sent_ms;
	r = t13_keyshare_derive(&s->share, sh.share, sh.share_len, dhe, &dhe_len);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, BR_ERR_INVALID_ALGORITHM,
				"the server's key share is not a valid point");
	s->outcome.group = sh.group;
	t13_keyshare_wipe(&s->share);
	t13_transcript_update(&s->transcript, msg, len);
	transcript_hash(s, hash);
	if (s->outcome.resumed)
		t13_schedule_init(&s->schedule, s->hash, s->resume.psk, s->resume.psk_len);
	else
		t13_schedule_init(&s->schedule, s->hash, NULL, 0);
	t13_schedule_handshake(&s->schedule, dhe, dhe_len, hash);
	explicit_bzero(dhe, sizeof(dhe));
	/* What follows the ServerHello comes under the server's key. */
	t13_rx_consume(c);
	c->rx.ccs_allowed = 1;
	if (t13_set_rx_secret(c, s->hash, s->outcome.suite, s->schedule.server_hs) < 0)
		return -1;
	s->state = T13C_ENCRYPTED_EXTENSIONS;
	return 0;
}

/* 1 if @name (@len bytes) is one of the protocols we offered. */
static int offered_alpn(const struct t13_client *s, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < s->alpn_count; i++)
		if (strlen(s->alpn[i]) == len && !memcmp(s->alpn[i], name, len))
			return 1;
	return 0;
}

static int encrypted_extensions(struct t13_client *s, const uint8_t *msg, size_t len)
{
	struct t13_encrypted_extensions ee;
	int r = t13_parse_encrypted_extensions(&ee, msg, len, s->offered);

	if (r < 0)
		return t13_fail_alert(s->conn, r, "malformed EncryptedExtensions");
	if (ee.alpn) {
		if (!offered_alpn(s, ee.alpn, ee.alpn_len))
			return t13_fail(s->conn, EPROTO, T13_ALERT_ILLEGAL_PARAMETER, 0,
					"the server chose an application protocol we did not offer");
		memcpy(s->outcome.alpn, ee.alpn, ee.alpn_len);
		s->outcome.alpn[ee.alpn_len] = '\0';
	}
	t13_transcript_update(&s->transcript, msg, len);
	/* Resumed: no Certificate, and no CertificateRequest either (§4.3.2). */
	s->state = s->outcome.resumed ? T13C_FINISHED : T13C_CERTIFICATE_OR_REQUEST;
	return 0;
}

/* CertificateRequest: answered with our chain if a scheme fits our key. */
static int certificate_request(struct t13_client *s, const uint8_t *msg, size_t len)
{
	struct t13_certificate_request cr;
	int r = t13_parse_certificate_request(&cr, msg, len);

	if (r < 0)
		return t13_fail_alert(s->conn, r, "malformed CertificateRequest");
	s->cert_requested = 1;
	s->request_context_len = cr.context_len;
	memcpy(s->request_context, cr.context, cr.context_len);
	if (s->profile->creds.key_type)
		s->client_scheme = t13_sig_choose(&s->profile->creds, cr.sig_algs, cr.sig_algs_len);
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T13C_CERTIFICATE;
	return 0;
}

static int server_certificate(struct t13_client *s, const uint8_t *msg, size_t len)
{
	size_t n;

	if (t13_peer_certificate(s->conn, s->verifier, s->sni, KTLSD_ROLE_CLIENT, msg, len,
				 &s->server_key, &n) < 0)
		return -1;
	/* 4.4.2.4: a server without a certificate is a decode_error. */
	if (n == 0)
		return t13_fail(s->conn, EPROTO, T13_ALERT_DECODE_ERROR, BR_ERR_BAD_HANDSHAKE,
				"the server's Certificate is empty");
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T13C_CERTIFICATE_VERIFY;
	return 0;
}

static int server_certificate_verify(struct t13_client *s, const uint8_t *msg, size_t len)
{
	uint8_t hash[T13_MAX_HASH];

	if (t13_peer_certificate_verify(s->conn, s->server_key, 1, hash, transcript_hash(s, hash),
					msg, len) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	s->state = T13C_FINISHED;
	return 0;
}

/* Certificate and CertificateVerify, answering a CertificateRequest. */
static int authenticate(struct t13_client *s)
{
	struct t13_conn *c = s->conn;
	const struct creds *cr = &s->profile->creds;
	uint8_t content[64 + 34 + T13_MAX_HASH], hash[T13_MAX_HASH];
	uint8_t sig[T13_MAX_SIGNATURE], msg[8 + T13_MAX_SIGNATURE];
	size_t content_len, sig_len, n = s->client_scheme ? cr->chain_len : 0;
	struct t13_buf b;

	/* Without a fitting key: an empty Certificate, the server decides. */
	t13_buf_init(&b, c->tx.staged + c->tx.staged_len, sizeof(c->tx.staged) - c->tx.staged_len);
	t13_write_certificate(&b, s->request_context, s->request_context_len, cr->chain, n);
	if (b.overflow)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"certificate chain larger than a flight");
	t13_transcript_update(&s->transcript, b.p, b.len);
	c->tx.staged_len += b.len;
	if (!n)
		return 0;
	content_len = t13_cv_content(content, 0, hash, transcript_hash(s, hash));
	if (t13_sig_sign(cr, s->client_scheme, content, content_len, &s->rng.vtable, sig, &sig_len) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "signing failed");
	s->outcome.sig_scheme = s->client_scheme;
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_certificate_verify(&b, s->client_scheme, sig, sig_len);
	return stage(s, &b);
}

/* Our last flight: [CCS], {[Certificate, CertificateVerify], Finished}. */
static int client_flight(struct t13_client *s)
{
	struct t13_conn *c = s->conn;
	uint8_t hash[T13_MAX_HASH], mac[T13_MAX_HASH], buf[4 + T13_MAX_HASH];
	struct t13_buf b;

	if (compat_ccs(s) < 0 ||
	    t13_set_tx_secret(c, s->hash, s->outcome.suite, s->schedule.client_hs) < 0)
		return -1;
	if (s->cert_requested && authenticate(s) < 0)
		return -1;
	transcript_hash(s, hash);
	t13_finished_mac(s->hash, s->schedule.client_hs, hash, mac);
	t13_buf_init(&b, buf, sizeof(buf));
	t13_write_finished(&b, mac, s->hash_len);
	if (stage(s, &b) < 0 || t13_tx_seal_staged(c) < 0)
		return -1;
	transcript_hash(s, hash);
	t13_schedule_resumption(&s->schedule, hash);
	s->state = T13C_FLUSH;
	s->after_flush = T13C_DONE;
	if (t13_set_tx_secret(c, s->hash, s->outcome.suite, s->schedule.client_ap) < 0)
		return -1;
	/* A refused session says the others of this server are stale too. */
	if (!s->keep_tickets || (s->spare_sessions && !(s->psk_offered && !s->outcome.resumed)))
		return 0;
	/* Tickets come under the server's application key. */
	s->after_flush = T13C_TICKETS;
	s->waited_for_tickets = 1;
	return t13_set_rx_secret(c, s->hash, s->outcome.suite, s->schedule.server_ap);
}

/* Keep the session a NewSessionTicket stands for (§4.6.1). */
static void keep_ticket(struct t13_client *s, const struct t13_new_session_ticket *t)
{
	struct t13_client_session *n;

	if (s->new_session_count == T13_CLIENT_NEW_SESSIONS || !t->lifetime ||
	    t->ticket_len > sizeof(n->ticket))
		return;
	n = &s->new_sessions[s->new_session_count];
	memset(n, 0, sizeof(*n));
	n->suite = s->outcome.suite;
	t13_resumption_psk(s->hash, s->schedule.resumption, t->nonce, t->nonce_len, n->psk);
	n->psk_len = s->hash_len;
	memcpy(n->ticket, t->ticket, t->ticket_len);
	n->ticket_len = t->ticket_len;
	n->age_add = t->age_add;
	n->authenticated_ms = s->outcome.resumed ? s->resume.authenticated_ms : t13_now_ms();
	n->peer_verified = s->outcome.peer_verified;
	memcpy(n->peer_subject, s->outcome.peer_subject, sizeof(n->peer_subject));
	memcpy(n->peer_san, s->outcome.peer_san, sizeof(n->peer_san));
	s->new_lifetimes[s->new_session_count++] = t->lifetime;
}

/* 1 if @content (@len bytes of whole messages) holds NewSessionTickets only, each valid. */
static int only_tickets(const uint8_t *content, size_t len)
{
	struct t13_new_session_ticket t;

	for (size_t off = 0, n; off < len; off += n) {
		n = 4 + (size_t)t13_get24(content + off + 1);
		if (content[off] != T13_HS_NEW_SESSION_TICKET ||
		    t13_parse_new_session_ticket(&t, content + off, n) < 0)
			return 0;
	}
	return 1;
}

/*
 * After our Finished: take the records that hold only tickets, while they
 * come, until one ticket at least and nothing more waiting, or the time is
 * up. Anything else ends the wait, left where it is for kTLS. Returns 1
 * (done), 0 (wait for the socket), or -1 (c->error set).
 */
static int collect_tickets(struct t13_client *s)
{
	struct t13_conn *c = s->conn;
	struct t13_new_session_ticket t;
	const uint8_t *content;
	size_t len;

	while (t13_now_ms() < s->tickets_until_ms) {
		int r = t13_rx_peek_handshake(c, &content, &len);

		if (r == 0 && !s->new_session_count)
			return 0;
		if (r != 1 || !only_tickets(content, len))
			break;
		for (size_t off = 0, n; off < len; off += n) {
			n = 4 + (size_t)t13_get24(content + off + 1);
			t13_parse_new_session_ticket(&t, content + off, n);
			keep_ticket(s, &t);
		}
		if (t13_rx_take_peeked(c) < 0)
			return -1;
		/* Enough: what a server sends beyond it is the application's to skip. */
		if (s->new_session_count == T13_CLIENT_NEW_SESSIONS ||
		    ++s->ticket_records == T13_CLIENT_MAX_TICKET_RECORDS)
			break;
	}
	s->state = T13C_DONE;
	return 1;
}

/* How long to wait for tickets: as configured, else a few measured round trips. */
static uint64_t ticket_wait(const struct t13_client *s)
{
	uint64_t auto_ms = 3 * s->rtt_ms + 20;

	if (s->ticket_wait_ms)
		return s->ticket_wait_ms;
	return auto_ms < T13_CLIENT_MAX_TICKET_WAIT_MS ? auto_ms : T13_CLIENT_MAX_TICKET_WAIT_MS;
}

uint64_t t13_client_wake_ms(const struct t13_client *s)
{
	return s->state == T13C_TICKETS ? s->tickets_until_ms : 0;
}

void t13_client_stop_waiting(struct t13_client *s)
{
	s->tickets_until_ms = 0;
}

static int server_finished(struct t13_client *s, const uint8_t *msg, size_t len)
{
	uint8_t hash[T13_MAX_HASH];

	/* What comes after it (a ticket, data) is kTLS's to read. */
	transcript_hash(s, hash);
	if (t13_peer_finished(s->conn, s->hash, s->schedule.server_hs, hash, msg, len) < 0)
		return -1;
	t13_transcript_update(&s->transcript, msg, len);
	transcript_hash(s, hash);
	t13_schedule_application(&s->schedule, hash);
	if (!s->outcome.resumed)
		s->outcome.peer_verified = verifier_identity(s->verifier, s->outcome.peer_subject,
							     sizeof(s->outcome.peer_subject),
							     s->outcome.peer_san,
							     sizeof(s->outcome.peer_san));
	return client_flight(s);
}

static int dispatch(struct t13_client *s, const uint8_t *msg, size_t len)
{
	uint8_t type = msg[0];

	switch (s->state) {
	case T13C_SERVER_HELLO:
		if (type == T13_HS_SERVER_HELLO)
			return server_hello(s, msg, len);
		break;
	case T13C_ENCRYPTED_EXTENSIONS:
		if (type == T13_HS_ENCRYPTED_EXTENSIONS)
			return encrypted_extensions(s, msg, len);
		break;
	case T13C_CERTIFICATE_OR_REQUEST:
		if (type == T13_HS_CERTIFICATE_REQUEST)
			return certificate_request(s, msg, len);
		/* fall through */
	case T13C_CERTIFICATE:
		if (type == T13_HS_CERTIFICATE)
			return server_certificate(s, msg, len);
		break;
	case T13C_CERTIFICATE_VERIFY:
		if (type == T13_HS_CERTIFICATE_VERIFY)
			return server_certificate_verify(s, msg, len);
		break;
	case T13C_FINISHED:
		if (type == T13_HS_FINISHED)
			return server_finished(s, msg, len);
		break;
	case T12C_CERTIFICATE:
	case T12C_SERVER_KEY_EXCHANGE:
	case T12C_REQUEST_OR_DONE:
	case T12C_SERVER_HELLO_DONE:
	case T12C_FINISHED:
		return t12_client_dispatch(s, msg, len);
	default:
		break;
	}
	return t13_fail(s->conn, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
			"unexpected handshake message of type %u", type);
}

enum t13_progress t13_client_step(struct t13_client *s)
{
	struct t13_conn *c = s->conn;
	const uint8_t *msg;
	size_t len;
	int r;

	while (s->state != T13C_DONE) {
		if (s->state == T13C_FLUSH) {
			r = t13_tx_flush(c);
			if (r == 0)
				return T13_WANT_WRITE;
			if (r < 0)
				return T13_DONE;
			s->state = s->after_flush;
			if (s->state == T13C_SERVER_HELLO)
				s->hello_sent_ms = t13_now_ms();
			if (s->state == T13C_TICKETS)
				s->tickets_until_ms = t13_now_ms() + ticket_wait(s);
			continue;
		}
		if (s->state == T13C_TICKETS) {
			r = collect_tickets(s);
			if (r == 0)
				return T13_WANT_READ;
			if (r < 0)
				return T13_DONE;
			continue;
		}
		if (s->state == T12C_CHANGE_CIPHER_SPEC) {
			r = t13_rx_change_cipher_spec(c);
			if (r == 0)
				return T13_WANT_READ;
			if (r < 0 || t12_client_change_cipher_spec(s) < 0)
				return T13_DONE;
			continue;
		}
		r = t13_rx_message(c, &msg, &len);
		if (r == 0)
			return T13_WANT_READ;
		if (r < 0 || dispatch(s, msg, len) < 0)
			return T13_DONE;
		t13_rx_consume(c);
	}
	return T13_DONE;
}

int t13_client_keys(const struct t13_client *s, struct ktlsd_keys *keys)
{
	if (s->outcome.version == T12_VERSION)
		return t12_client_keys(s, keys);
	t13_ktls_keys(keys, s->conn, s->hash, s->outcome.suite, s->schedule.client_ap,
		      s->schedule.server_ap);
	/* The tickets we took were records under the server's application key. */
	if (s->waited_for_tickets)
		keys->rx.seq = s->conn->rx.aead.seq;
	return 0;
}
