// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The handshake loop follows three rules that make the hand-over exact:
 *   1. pending records are sent before anything else;
 *   2. completion is tested before reading: SENDAPP set and SENDREC clear;
 *   3. reads take at most what br_ssl_engine_recvrec_buf() offers, which is
 *      never more than the rest of the current record.
 * So not one byte of application data the peer sent right after its
 * Finished is taken from the kernel, and every handshake byte is on the wire
 * before TLS_TX is set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ec.h"
#include "entropy.h"
#include "failure.h"
#include "handshake.h"
#include "key_client.h"
#include "keys.h"
#include "san.h"
#include "symmetric.h"
#include "tls13/msg.h"
#include "ktlsd_ktls.h"

#define ALERT_LEVEL_FATAL 2

/* Messages are cut to fit the reply; vsnprintf says so without a warning. */
static void set_message(struct ktlsd_wire_reply *reply, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply->message, sizeof(reply->message), fmt, ap);
	va_end(ap);
}

void reply_failure(struct ktlsd_wire_reply *reply, int status, const char *what)
{
	memset(reply, 0, sizeof(*reply));
	reply->magic = KTLSD_WIRE_MAGIC;
	reply->version = KTLSD_WIRE_VERSION;
	reply->status = status;
	reply->alert_sent = -1;
	reply->alert_received = -1;
	snprintf(reply->message, sizeof(reply->message), "%s", what);
}

/* A fatal alert: in the clear before ChangeCipherSpec, encrypted after. */
static void send_alert(struct handshake *hs, int alert)
{
	const br_sslrec_out_class **out;
	unsigned char buf[128], *rec = buf;
	size_t len;

	if (hs->engine != HS_ENGINE_T12) {
		if (t13_tx_alert(&hs->conn, alert) == 0)
			hs->reply.alert_sent = alert;
		return;
	}
	out = &hs->eng->out.vtable;
	if (*out == &br_sslrec_out_clear_vtable) {
		static const unsigned char head[] = { 21, 3, 3, 0, 2, ALERT_LEVEL_FATAL };

		memcpy(buf, head, sizeof(head));
		buf[sizeof(head)] = (unsigned char)alert;
		len = sizeof(head) + 1;
	} else {
		size_t start = 5, end = sizeof(buf);

		(*out)->max_plaintext(out, &start, &end);
		buf[start] = ALERT_LEVEL_FATAL;
		buf[start + 1] = (unsigned char)alert;
		len = 2;
		rec = (*out)->encrypt(out, 21, BR_TLS12, buf + start, &len);
	}
	/* Best effort: the peer may be gone already. */
	if (send(hs->fd, rec, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
		hs->reply.alert_sent = alert;
}

/*
 * BearSSL's engine sends a flight record by record: Nagle would hold each
 * small one behind the last until its ACK (a delayed one, 40 ms). Our
 * engine sends each flight in one send(), after the peer's flight has
 * acknowledged ours, which Nagle (Minshall's, in Linux) never holds: it
 * leaves the application's setting alone, and saves three system calls.
 */
static void set_nodelay(struct handshake *hs)
{
	socklen_t len = sizeof(hs->nodelay);
	int one = 1;

	if (getsockopt(hs->fd, IPPROTO_TCP, TCP_NODELAY, &hs->nodelay, &len) < 0)
		hs->nodelay = 0;
	hs->nodelay_set = setsockopt(hs->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0;
}

static void restore_nodelay(struct handshake *hs)
{
	if (hs->nodelay_set)
		setsockopt(hs->fd, IPPROTO_TCP, TCP_NODELAY, &hs->nodelay, sizeof(hs->nodelay));
	hs->nodelay_set = 0;
}

/*
 * RFC 5246 §7.2.2: a connection ended by a fatal alert is never resumed.
 * Only our engine's TLS 1.2 server keeps sessions (server12.h); the ID it
 * resumed or made is dropped (a no-op if it was never kept). Only when an
 * alert ended it, sent or received: after a reset or an EOF the session
 * stays, or whoever saw its ID in the clear could evict it by offering it
 * and hanging up.
 */
static void forget_session(struct handshake *hs)
{
	const struct t13_server *s = &hs->t13.server;

	if (hs->engine == HS_ENGINE_T13 && hs->role == KTLSD_ROLE_SERVER && hs->cache12 &&
	    s->outcome.version == T12_VERSION && s->t12.session_id_len)
		session_cache_drop(hs->cache12, s->t12.session_id);
}

/* The end of a failed handshake: alert (if any), status, message, shutdown. */
static enum hs_progress fail(struct handshake *hs, int status, int alert,
			     const char *what)
{
	char detail[sizeof(hs->reply.message)];

	if (alert >= 0 || hs->reply.alert_received >= 0)
		forget_session(hs);
	if (alert >= 0)
		send_alert(hs, alert);
	hs->reply.status = status;
	snprintf(detail, sizeof(detail), "%s", what);
	if (hs->reply.alert_received >= 0)
		set_message(&hs->reply, "%s: %s", detail, ktlsd_alert_name(hs->reply.alert_received));
	else if (hs->reply.alert_sent >= 0)
		set_message(&hs->reply, "%s (sent %s)", detail, ktlsd_alert_name(hs->reply.alert_sent));
	else
		set_message(&hs->reply, "%s", detail);
	restore_nodelay(hs);
	/* The session is dead; nobody may send or read on it in the clear. */
	shutdown(hs->fd, SHUT_RDWR);
	return HS_DONE;
}

static enum hs_progress fail_tls(struct handshake *hs)
{
	int err = br_ssl_engine_last_error(hs->eng);
	struct failure f = failure_from_tls_error(err, hs->role);

	hs->reply.tls_error = err;
	failure_error_name(err, hs->reply.tls_error_name, sizeof(hs->reply.tls_error_name));
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		hs->reply.alert_sent = (int16_t)(err - BR_ERR_SEND_FATAL_ALERT);
	else if (err >= BR_ERR_RECV_FATAL_ALERT)
		hs->reply.alert_received = (int16_t)(err - BR_ERR_RECV_FATAL_ALERT);
	return fail(hs, f.status, f.alert, f.what);
}

static void fill_success(struct handshake *hs, const struct ktlsd_keys *keys)
{
	struct ktlsd_wire_reply *r = &hs->reply;
	const struct ktlsd_suite_info *suite = ktlsd_suite_by_id(keys->suite);
	const char *alpn = br_ssl_engine_get_selected_protocol(hs->eng);
	enum ktlsd_mode tx = KTLSD_MODE_UNKNOWN, rx = KTLSD_MODE_UNKNOWN;

	/* Without CAP_NET_ADMIN the kernel will not say: report unknown. */
	ktlsd_ktls_modes(hs->fd, &tx, &rx);
	r->status = 0;
	r->tls_version = (uint16_t)br_ssl_engine_get_version(hs->eng);
	r->cipher_suite = keys->suite;
	snprintf(r->cipher_name, sizeof(r->cipher_name), "%s", suite->name);
	snprintf(r->alpn, sizeof(r->alpn), "%s", alpn ? alpn : "");
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 hs->role == KTLSD_ROLE_CLIENT ? hs->server_name :
		 br_ssl_engine_get_server_name(hs->eng));
	r->peer_verified = (uint8_t)verifier_identity(&hs->verifier, r->peer_subject,
						      sizeof(r->peer_subject), r->peer_san,
						      sizeof(r->peer_san));
	r->tx_mode = (uint8_t)tx;
	r->rx_mode = (uint8_t)rx;
	/* BearSSL's engines keep no sessions (only ours resumes, server12.h). */
	r->resumed = 0;
	set_message(r, "TLS 1.2 %s, kTLS tx %s, rx %s", suite->name, ktlsd_mode_name(tx),
		    ktlsd_mode_name(rx));
}

static enum hs_progress install(struct handshake *hs, struct ktlsd_keys *keys)
{
	int err;

	restore_nodelay(hs);
	if (ktlsd_ktls_install(hs->fd, keys) < 0) {
		err = errno;
		explicit_bzero(keys, sizeof(*keys));
		if (err == ENOPROTOOPT)
			return fail(hs, err, BR_ALERT_INTERNAL_ERROR, "kernel TLS unavailable");
		set_message(&hs->reply, "installing kTLS: %s", strerror(err));
		return fail(hs, err, BR_ALERT_INTERNAL_ERROR, hs->reply.message);
	}
	explicit_bzero(&keys->tx, sizeof(keys->tx));
	explicit_bzero(&keys->rx, sizeof(keys->rx));
	return HS_DONE;
}

static enum hs_progress finish(struct handshake *hs)
{
	struct ktlsd_keys keys;
	const char *why = NULL;
	size_t pending;

	if (br_ssl_engine_recvapp_buf(hs->eng, &pending))
		return fail(hs, EPROTO, BR_ALERT_INTERNAL_ERROR,
			    "application data inside the handshake engine");
	/* kTLS in 6.1 always sends records of up to 2^14 bytes. */
	if (hs->eng->max_frag_len < 16384)
		return fail(hs, EPROTO, BR_ALERT_HANDSHAKE_FAILURE,
			    "peer negotiated max_fragment_length, which kTLS cannot honour");
	if (keys_from_engine(&keys, hs->eng, hs->role, &why) < 0)
		return fail(hs, EPROTO, BR_ALERT_INTERNAL_ERROR, why);
	if (install(hs, &keys) == HS_DONE && hs->reply.status == 0)
		fill_success(hs, &keys);
	return HS_DONE;
}

static enum hs_progress fail_io(struct handshake *hs, int err)
{
	if (err == ECONNRESET || err == EPIPE)
		return fail(hs, ECONNRESET, -1, "the peer reset the connection");
	return fail(hs, err, -1, strerror(err));
}

static enum hs_progress step12(struct handshake *hs)
{
	for (;;) {
		unsigned state = br_ssl_engine_current_state(hs->eng);
		unsigned char *buf;
		size_t len;
		ssize_t n;

		if (state & BR_SSL_CLOSED)
			return fail_tls(hs);
		if (state & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(hs->eng, &len);
			n = send(hs->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return HS_WANT_WRITE;
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail_io(hs, errno);
			br_ssl_engine_sendrec_ack(hs->eng, (size_t)n);
			continue;
		}
		if (state & BR_SSL_SENDAPP)
			return finish(hs);
		if (state & BR_SSL_RECVREC) {
			buf = br_ssl_engine_recvrec_buf(hs->eng, &len);
			n = recv(hs->fd, buf, len, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return HS_WANT_READ;
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail_io(hs, errno);
			if (n == 0)
				return fail(hs, ECONNABORTED, -1,
					    "the peer closed the connection during the handshake");
			br_ssl_engine_recvrec_ack(hs->eng, (size_t)n);
			continue;
		}
		return fail(hs, EPROTO, BR_ALERT_INTERNAL_ERROR, "handshake engine stalled");
	}
}

/* The 1.3 engine stopped: its outcome into the reply. */
static enum hs_progress fail13(struct handshake *hs)
{
	const struct t13_error *e = &hs->conn.error;

	hs->reply.tls_error = e->tls_error;
	if (e->tls_error)
		failure_error_name(e->tls_error, hs->reply.tls_error_name,
				   sizeof(hs->reply.tls_error_name));
	hs->reply.alert_received = (int16_t)e->alert_received;
	return fail(hs, e->status, e->alert, e->what);
}

static void fill_success13(struct handshake *hs, const struct ktlsd_keys *keys)
{
	struct ktlsd_wire_reply *r = &hs->reply;
	const struct t13_outcome *o = hs->role == KTLSD_ROLE_SERVER ? &hs->t13.server.outcome :
				      &hs->t13.client.outcome;
	const struct ktlsd_suite_info *suite = ktlsd_suite_by_id(keys->suite);
	enum ktlsd_mode tx = KTLSD_MODE_UNKNOWN, rx = KTLSD_MODE_UNKNOWN;

	ktlsd_ktls_modes(hs->fd, &tx, &rx);
	r->status = 0;
	r->tls_version = o->version;
	r->cipher_suite = keys->suite;
	r->group = o->group;
	r->sig_scheme = o->sig_scheme;
	snprintf(r->cipher_name, sizeof(r->cipher_name), "%s", suite->name);
	snprintf(r->alpn, sizeof(r->alpn), "%.*s", (int)sizeof(r->alpn) - 1, o->alpn);
	/* As for TLS 1.2: the name asked for (an address is never SNI), or received. */
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 hs->role == KTLSD_ROLE_CLIENT ? hs->server_name : o->server_name);
	r->peer_verified = (uint8_t)o->peer_verified;
	snprintf(r->peer_subject, sizeof(r->peer_subject), "%s", o->peer_subject);
	snprintf(r->peer_san, sizeof(r->peer_san), "%s", o->peer_san);
	r->resumed = (uint8_t)o->resumed;
	r->tx_mode = (uint8_t)tx;
	r->rx_mode = (uint8_t)rx;
	set_message(r, "TLS 1.%d %s%s, kTLS tx %s, rx %s", o->version == T13_VERSION ? 3 : 2,
		    suite->name, o->resumed ? " (resumed)" : "",
		    ktlsd_mode_name(tx), ktlsd_mode_name(rx));
}

/* A client's new sessions into the daemon's store. */
static void keep_sessions(struct handshake *hs)
{
	struct t13_client *cl = &hs->t13.client;
	uint64_t now = t13_now_ms();
	struct t13_sessions *s;

	if (!hs->sessions || !(s = client_store_lock(hs->sessions)))
		return;
	/* Not across a reload: the profile this handshake ran may trust otherwise now. */
	if (hs->sessions_epoch == s->epoch) {
		if (cl->psk_offered && !cl->outcome.resumed)
			t13_sessions_forget(s, hs->profile->name, hs->server_name);
		for (size_t i = 0; i < cl->new_session_count; i++)
			t13_sessions_put(s, hs->profile->name, hs->server_name, &cl->new_sessions[i],
					 cl->new_lifetimes[i], now);
	}
	client_store_unlock(hs->sessions);
}

static enum hs_progress step13(struct handshake *hs)
{
	int server = hs->role == KTLSD_ROLE_SERVER;
	struct ktlsd_keys keys;
	int r;

	switch (server ? t13_server_step(&hs->t13.server) : t13_client_step(&hs->t13.client)) {
	case T13_WANT_READ:
		return HS_WANT_READ;
	case T13_WANT_WRITE:
		return HS_WANT_WRITE;
	case T13_DONE:
		break;
	}
	if (hs->conn.error.status)
		return fail13(hs);
	if (server) {
		/* Wiped after the install: a failed one forgets the session (forget_session()). */
		if (t13_server_keys(&hs->t13.server, &keys) < 0)
			return fail(hs, EPROTO, BR_ALERT_INTERNAL_ERROR, "key derivation failed");
		if (install(hs, &keys) == HS_DONE && hs->reply.status == 0)
			fill_success13(hs, &keys);
		t13_server_wipe(&hs->t13.server);
		explicit_bzero(&keys, sizeof(keys));
		return HS_DONE;
	}
	r = t13_client_keys(&hs->t13.client, &keys);
	keep_sessions(hs);
	t13_client_wipe(&hs->t13.client);
	if (r < 0)
		return fail(hs, EPROTO, BR_ALERT_INTERNAL_ERROR, "key derivation failed");
	if (install(hs, &keys) == HS_DONE && hs->reply.status == 0)
		fill_success13(hs, &keys);
	return HS_DONE;
}

/* Give BearSSL, unchanged, the bytes the ClientHello reader took. */
static int feed_t12(void *arg, const uint8_t *p, size_t n)
{
	br_ssl_engine_context *eng = arg;

	while (n) {
		size_t len;
		unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);

		if (!buf)
			return -1;
		if (len > n)
			len = n;
		memcpy(buf, p, len);
		br_ssl_engine_recvrec_ack(eng, len);
		p += len;
		n -= len;
	}
	return 0;
}

static int start_t12(struct handshake *hs, const struct profile *p, const char *alpn);

static enum hs_progress to_t12(struct handshake *hs)
{
	char why[sizeof(hs->reply.message)];

	if (start_t12(hs, hs->profile, hs->profile->alpn) < 0) {
		snprintf(why, sizeof(why), "%s", hs->reply.message);
		return fail(hs, hs->reply.status, BR_ALERT_INTERNAL_ERROR, why);
	}
	hs->engine = HS_ENGINE_T12;
	if (t13_rx_replay(&hs->conn, feed_t12, hs->eng) < 0 &&
	    !(br_ssl_engine_current_state(hs->eng) & BR_SSL_CLOSED))
		return fail(hs, EPROTO, BR_ALERT_UNEXPECTED_MESSAGE,
			    "data after the ClientHello before our answer");
	return step12(hs);
}

/*
 * The ClientHello decides the engine: ours for TLS 1.3 if the client offers
 * it and the profile allows it, and for TLS 1.2 (server12.h) if the profile
 * allows that; BearSSL's for TLS 1.2 with a chain our flight cannot hold
 * (p->server12_bearssl).
 */
static enum hs_progress choose_engine(struct handshake *hs)
{
	const struct profile *p = hs->profile;
	struct t13_client_hello ch;
	const uint8_t *msg;
	size_t len;
	int r = t13_rx_client_hello(&hs->conn, &msg, &len);

	if (r == 0)
		return HS_WANT_READ;
	if (r < 0)
		return fail13(hs);
	/*
	 * Anything before the ClientHello is whole (an alert too, which no
	 * transcript covers) ends it: handed on to BearSSL's engine, an alert
	 * slipped in on the way would turn a TLS 1.3 client's handshake into a
	 * TLS 1.2 one without the downgrade sentinel.
	 */
	if (r == 2)
		return fail(hs, EPROTO, BR_ALERT_UNEXPECTED_MESSAGE,
			    "a record other than the ClientHello's came first");
	r = t13_parse_client_hello(&ch, msg, len);
	if (r < 0) {
		t13_fail_alert(&hs->conn, r, "malformed ClientHello");
		return fail13(hs);
	}
	if (!t13_client_hello_offers_13(&ch) || !p->suite13_count) {
		if (!p->suite_count)
			return fail(hs, EPROTO, BR_ALERT_PROTOCOL_VERSION,
				    "the client does not offer TLS 1.3, the profile's only version");
		/* A chain larger than our flight: BearSSL's (config.h). */
		if (p->server12_bearssl)
			return to_t12(hs);
	}
	hs->engine = HS_ENGINE_T13;
	t13_server_start(&hs->t13.server, &hs->conn, p,
			 p->policy.client_auth != VERIFY_NONE ? &hs->verifier : NULL,
			 p->session_tickets ? hs->tickets : NULL,
			 p->session_cache ? hs->cache12 : NULL, hs->t13_seed);
	explicit_bzero(hs->t13_seed, sizeof(hs->t13_seed));
	return step13(hs);
}

enum hs_progress handshake_step(struct handshake *hs)
{
	switch (hs->engine) {
	case HS_ENGINE_HELLO:
		return choose_engine(hs);
	case HS_ENGINE_T13:
		return step13(hs);
	case HS_ENGINE_T12:
		break;
	}
	return step12(hs);
}

uint64_t handshake_wake_ms(const struct handshake *hs)
{
	if (hs->engine != HS_ENGINE_T13 || hs->role != KTLSD_ROLE_CLIENT)
		return 0;
	return t13_client_wake_ms(&hs->t13.client);
}

int handshake_stop_waiting(struct handshake *hs)
{
	if (!handshake_wake_ms(hs))
		return 0;
	t13_client_stop_waiting(&hs->t13.client);
	return 1;
}

void handshake_abort(struct handshake *hs, int status, const char *what)
{
	fail(hs, status, BR_ALERT_USER_CANCELED, what);
}

/* Split a comma-separated ALPN list into hs->alpn_names. */
static size_t parse_alpn(struct handshake *hs, const char *list)
{
	size_t count = 0;
	char *save = NULL, *item;

	snprintf(hs->alpn_store, sizeof(hs->alpn_store), "%s", list);
	for (item = strtok_r(hs->alpn_store, ", ", &save);
	     item && count < HANDSHAKE_MAX_ALPN; item = strtok_r(NULL, ", ", &save))
		if (strlen(item) <= 255)
			hs->alpn_names[count++] = item;
	return count;
}

static size_t pick_suites(const struct profile *p, enum ktlsd_role role, int key_type,
			  uint16_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->suite_count; i++) {
		const struct ktlsd_suite_info *info = ktlsd_suite_by_id(p->suites[i]);

		/* A server signs with its key: only the suites that key can sign. */
		if (role == KTLSD_ROLE_SERVER && info->ecdsa != (key_type == BR_KEYTYPE_EC))
			continue;
		out[n++] = p->suites[i];
	}
	return n;
}

/* 1 if @name is an IPv4 or IPv6 literal: never sent as SNI (RFC 6066 §3). */
static int is_ip_literal(const char *name)
{
	uint8_t addr[16];

	return san_parse_ip(name, addr) != 0;
}

/*
 * What BearSSL's engines sign with: our EC code and BearSSL's PKCS#1 for a
 * key held here; the key process (key_client.h) for a worker's profile.
 */
static br_ecdsa_sign ecdsa_signer(const struct creds *c)
{
	return c->signer ? key_client_ecdsa_sign : ec_ecdsa_sign();
}

static br_rsa_pkcs1_sign pkcs1_signer(const struct creds *c)
{
	return c->signer ? key_client_pkcs1_sign : br_rsa_pkcs1_sign_get_default();
}

static int setup_client(struct handshake *hs, const struct profile *p)
{
	const struct creds *c = &p->creds;
	br_ssl_client_context *cc = &hs->ctx.client;
	int verify = p->policy.server_auth == VERIFY_REQUIRED;

	if (verify && !hs->server_name[0]) {
		reply_failure(&hs->reply, EINVAL,
			      "client role needs a server name to verify (or a profile with verify = none)");
		return -1;
	}
	/*
	 * An address is not sent as SNI; BearSSL then checks no name, and
	 * the verifier looks for it among the leaf's iPAddress entries.
	 */
	if (hs->server_name[0] && is_ip_literal(hs->server_name))
		hs->sni_suppressed = 1;
	br_ssl_client_init_full(cc, &hs->minimal, c->anchors, c->anchor_count);
	hs->eng = &cc->eng;
	ec_use_in_engine(hs->eng);
	ec_use_in_x509(&hs->minimal);
	if (c->key_type == BR_KEYTYPE_EC)
		br_ssl_client_set_single_ec(cc, c->chain, c->chain_len, &c->ec_key,
					    BR_KEYTYPE_SIGN, 0, ec_impl(), ecdsa_signer(c));
	else if (c->key_type == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(cc, c->chain, c->chain_len, &c->rsa_key, pkcs1_signer(c));
	return 0;
}

static int setup_server(struct handshake *hs, const struct profile *p, uint32_t *flags)
{
	const struct creds *c = &p->creds;
	br_ssl_server_context *sc = &hs->ctx.server;

	if (!c->key_type) {
		reply_failure(&hs->reply, EINVAL, "profile has no certificate and key: it cannot act as a server");
		return -1;
	}
	/* Not br_ssl_server_init_full_*(): its defaults ask the CPU, a dozen CPUIDs each time. */
	br_ssl_server_zero(sc);
	symmetric_use_in_engine(&sc->eng);
	if (c->key_type == BR_KEYTYPE_EC) {
		/* Signed with our EC code (ECDHE suites only: no KEYX). */
		br_ssl_server_set_single_ec(sc, c->chain, c->chain_len, &c->ec_key, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, ec_impl(), ecdsa_signer(c));
	} else {
		/* Signing only (the ECDHE suites kTLS carries): nothing to decrypt with the key. */
		br_ssl_server_set_single_rsa(sc, c->chain, c->chain_len, &c->rsa_key, BR_KEYTYPE_SIGN,
					     br_rsa_private_get_default(), pkcs1_signer(c));
	}
	hs->eng = &sc->eng;
	ec_use_in_engine(hs->eng);
	*flags |= BR_OPT_ENFORCE_SERVER_PREFERENCES;
	/* policy_resolve() made sure there are anchors when this is set. */
	if (p->policy.client_auth != VERIFY_NONE) {
		br_x509_minimal_init_full(&hs->minimal, c->anchors, c->anchor_count);
		ec_use_in_x509(&hs->minimal);
		br_ssl_server_set_trust_anchor_names_alt(sc, c->anchors, c->anchor_count);
		br_ssl_engine_set_default_rsavrfy(hs->eng);
		br_ssl_engine_set_ecdsa(hs->eng, ec_ecdsa_vrfy());
		if (p->policy.client_auth == VERIFY_OPTIONAL)
			*flags |= BR_OPT_TOLERATE_NO_CLIENT_AUTH;
	}
	return 0;
}

/*
 * A seed for an engine: from the worker's generator, or the kernel's.
 * 0, or -1 with the reply set.
 */
static int draw_seed(struct handshake *hs, uint8_t *seed, size_t len)
{
	int rc = hs->entropy ? entropy_pool_draw(hs->entropy, seed, len) : entropy_fill(seed, len);

	if (rc < 0)
		reply_failure(&hs->reply, EIO, "getrandom failed");
	return rc;
}

/* BearSSL's TLS 1.2 engine for @hs offering @alpn, ready for the peer's first byte. */
static int start_t12(struct handshake *hs, const struct profile *p, const char *alpn)
{
	uint16_t suites[CONFIG_MAX_SUITES];
	uint32_t flags = BR_OPT_NO_RENEGOTIATION;
	unsigned char seed[32];
	size_t nsuites, nalpn;
	int ok;

	ok = hs->role == KTLSD_ROLE_CLIENT ? setup_client(hs, p) : setup_server(hs, p, &flags);
	if (ok < 0)
		return -1;
	nsuites = pick_suites(p, hs->role, p->creds.key_type, suites);
	if (!nsuites) {
		reply_failure(&hs->reply, EINVAL, "no cipher of the profile fits its key type");
		return -1;
	}
	br_ssl_engine_set_versions(hs->eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(hs->eng, suites, nsuites);
	if (hs->role == KTLSD_ROLE_CLIENT) {
		verifier_init(&hs->verifier, &hs->minimal, p->policy.server_auth);
		if (hs->sni_suppressed)
			verifier_expect_ip(&hs->verifier, hs->server_name);
		br_ssl_engine_set_x509(hs->eng, &hs->verifier.vtable);
	} else if (p->policy.client_auth != VERIFY_NONE) {
		verifier_init(&hs->verifier, &hs->minimal, p->policy.client_auth);
		br_ssl_engine_set_x509(hs->eng, &hs->verifier.vtable);
	}
	nalpn = parse_alpn(hs, alpn);
	if (nalpn) {
		br_ssl_engine_set_protocol_names(hs->eng, hs->alpn_names, nalpn);
		flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
	}
	br_ssl_engine_set_all_flags(hs->eng, flags);
	br_ssl_engine_set_buffer(hs->eng, hs->iobuf, sizeof(hs->iobuf), 0);
	/* BearSSL 0.6's own seeder trusts RDRAND alone: add the kernel's. */
	if (draw_seed(hs, seed, sizeof(seed)) < 0)
		return -1;
	br_ssl_engine_inject_entropy(hs->eng, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	ok = hs->role == KTLSD_ROLE_CLIENT ?
	     br_ssl_client_reset(&hs->ctx.client,
				 hs->server_name[0] && !hs->sni_suppressed ? hs->server_name : NULL, 0) :
	     br_ssl_server_reset(&hs->ctx.server);
	if (!ok) {
		reply_failure(&hs->reply, EPROTO, "cannot start the TLS engine");
		return -1;
	}
	set_nodelay(hs);
	return 0;
}

/*
 * Sessions are kept per profile and server name (so never without a name):
 * one is offered if there is one; tickets are waited for only when none is
 * left for the next connection, or the server refused the one offered.
 */
static void client_resumption(struct handshake *hs, const struct profile *p,
			      struct t13_client_options *opt, struct t13_client_session *session)
{
	uint64_t now = t13_now_ms();
	struct t13_sessions *s;

	memset(opt, 0, sizeof(*opt));
	memset(session, 0, sizeof(*session));
	if (!hs->sessions || !p->session_tickets || !hs->server_name[0] ||
	    !(s = client_store_lock(hs->sessions)))
		return;
	hs->sessions_epoch = s->epoch;
	if (t13_sessions_take(s, p->name, hs->server_name, now, session))
		opt->resume = session;
	opt->keep_tickets = 1;
	opt->spare_sessions = (int)t13_sessions_count(s, p->name, hs->server_name, now);
	client_store_unlock(hs->sessions);
	opt->ticket_wait_ms = p->ticket_wait_ms;
}

/*
 * The client role runs our engine whenever the profile allows TLS 1.3: its
 * ClientHello offers 1.2 too if the profile allows it, and a TLS 1.2 answer
 * continues in our own TLS 1.2 client (tls13/client12.c). BearSSL, which
 * cannot offer 1.3, is the client only for TLS 1.2-only profiles.
 */
static int start_client13(struct handshake *hs, const struct profile *p,
			  const struct ktlsd_wire_request *req)
{
	const struct creds *c = &p->creds;
	struct t13_client_options opt;
	struct t13_client_session session;
	uint8_t seed[32];
	size_t nalpn;
	int r;

	if (p->policy.server_auth == VERIFY_REQUIRED && !hs->server_name[0]) {
		reply_failure(&hs->reply, EINVAL,
			      "client role needs a server name to verify (or a profile with verify = none)");
		return -1;
	}
	hs->engine = HS_ENGINE_T13;
	t13_conn_init(&hs->conn, hs->fd);
	br_x509_minimal_init_full(&hs->minimal, c->anchors, c->anchor_count);
	ec_use_in_x509(&hs->minimal);
	verifier_init(&hs->verifier, &hs->minimal, p->policy.server_auth);
	/* An address is never SNI; the verifier finds it among iPAddress names. */
	if (hs->server_name[0] && is_ip_literal(hs->server_name)) {
		hs->sni_suppressed = 1;
		verifier_expect_ip(&hs->verifier, hs->server_name);
	}
	nalpn = parse_alpn(hs, req->alpn[0] ? req->alpn : p->alpn);
	if (draw_seed(hs, seed, sizeof(seed)) < 0)
		return -1;
	client_resumption(hs, p, &opt, &session);
	r = t13_client_start(&hs->t13.client, &hs->conn, p, &hs->verifier,
			     hs->server_name[0] && !hs->sni_suppressed ? hs->server_name : NULL,
			     hs->alpn_names, nalpn, seed, &opt);
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(&session, sizeof(session));
	if (r < 0) {
		reply_failure(&hs->reply, hs->conn.error.status, hs->conn.error.what);
		return -1;
	}
	return 0;
}

/*
 * A server reads the ClientHello first (choose_engine()), but for a TLS
 * 1.2-only profile whose handshakes are BearSSL's (config.h): BearSSL's
 * engine is set up only when a handshake goes to it.
 */
static int start_server(struct handshake *hs, const struct profile *p)
{
	uint16_t suites[CONFIG_MAX_SUITES];

	if (!p->creds.key_type) {
		reply_failure(&hs->reply, EINVAL, "profile has no certificate and key: it cannot act as a server");
		return -1;
	}
	if (!p->suite13_count && p->server12_bearssl) {
		hs->engine = HS_ENGINE_T12;
		return start_t12(hs, p, p->alpn);
	}
	if (p->suite_count && !pick_suites(p, KTLSD_ROLE_SERVER, p->creds.key_type, suites)) {
		reply_failure(&hs->reply, EINVAL, "no cipher of the profile fits its key type");
		return -1;
	}
	hs->engine = HS_ENGINE_HELLO;
	t13_conn_init(&hs->conn, hs->fd);
	if (draw_seed(hs, hs->t13_seed, sizeof(hs->t13_seed)) < 0)
		return -1;
	/* policy_resolve() made sure there are anchors when this is set. */
	if (p->policy.client_auth != VERIFY_NONE) {
		br_x509_minimal_init_full(&hs->minimal, p->creds.anchors, p->creds.anchor_count);
		ec_use_in_x509(&hs->minimal);
		verifier_init(&hs->verifier, &hs->minimal, p->policy.client_auth);
	}
	return 0;
}

int handshake_start(struct handshake *hs, int fd, const struct profile *p,
		    const struct ktlsd_wire_request *req, const struct handshake_shared *shared)
{
	int ok;

	memset(hs, 0, offsetof(struct handshake, iobuf));
	hs->fd = fd;
	hs->role = (enum ktlsd_role)req->role;
	hs->profile = p;
	hs->tickets = shared->tickets;
	hs->sessions = shared->sessions;
	hs->cache12 = shared->cache12;
	hs->entropy = shared->entropy;
	reply_failure(&hs->reply, 0, "");
	snprintf(hs->server_name, sizeof(hs->server_name), "%s", req->server_name);

	if (hs->role == KTLSD_ROLE_SERVER) {
		ok = start_server(hs, p);
	} else if (p->suite13_count) {
		ok = start_client13(hs, p, req);
	} else {
		hs->engine = HS_ENGINE_T12;
		ok = start_t12(hs, p, req->alpn[0] ? req->alpn : p->alpn);
	}
	if (ok < 0)
		return -1;
	/*
	 * The ULP now, while the socket is established: a peer that
	 * half-closes right after its Finished would otherwise leave it in
	 * CLOSE_WAIT, where 6.1 refuses it. If it fails (no kTLS; a peer that
	 * is gone already, which the handshake will find out) the handshake
	 * still runs, and the install at the end reports the error.
	 */
	ktlsd_ktls_attach(fd);
	return 0;
}
