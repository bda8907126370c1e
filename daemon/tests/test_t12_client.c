// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our client's TLS 1.2 path (tls13/client.c handing over to client12.c)
 * against BearSSL's own TLS 1.2 server engine, in one process. Our client
 * is started from a ktlsd.conf profile as handshake.c's start_client13()
 * starts it (its ClientHello offers TLS 1.3 and 1.2); BearSSL's server is
 * set up from the other profile as handshake.c's setup_server() and
 * start_t12() set it up, held to TLS 1.2.
 *
 * Each of the six suites with a P-256 or an RSA-2048 server, each group,
 * a server that picks a group other than the one our key share was for,
 * client certificates (and none), ALPN; after each success the kTLS keys
 * of both sides must be each other's (the first record each sends after
 * the handshake opens under the other's), and the server's first record
 * must still be in our socket (exact reads). Then what the test, sitting
 * in the middle, alters in transit, with the alert our client sends and
 * the one BearSSL then reports; records cut into 1-byte writes; and
 * alerts the test slips in, in the clear, after the ServerHello or before
 * the server's ChangeCipherSpec: warnings skipped up to the record layer's
 * limit (T13_MAX_DROPPED_RECORDS), close_notify and fatal alerts not.
 *
 * Not covered here: the extended master secret (RFC 7627). BearSSL 0.6
 * does not implement it and never echoes the extension, so these
 * handshakes take the RFC 5246 master secret; the VM tests against OpenSSL
 * cover the extended one.
 *
 * Both engines only send and recv with MSG_DONTWAIT, so one thread pumps
 * both in turn, in a bounded number of rounds, without sleeping. BearSSL's
 * pump, the relay and the checks after a success or a failure are
 * test_t12_server's too (t12_relay.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine_env.h"
#include "keys.h"
#include "verify.h"
#include "tls13/client.h"
#include "tls13/msg12.h"
#include "t12_relay.h"
#include "tap.h"

/* Enough for two flights cut into 1-byte writes, and a few turns over. */
#define MAX_ROUNDS	100000
#define MAX_ALPN	8
static char dir[] = "/tmp/ktlsd-test-t12-client.XXXXXX";

/* Short names for the TLS 1.2 suites (ktlsd_ktls.h) and the groups. */
#define ECDSA_AES128	KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256
#define RSA_AES128	KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256
#define ECDSA_AES256	KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384
#define RSA_AES256	KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384
#define RSA_CHACHA	KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305
#define ECDSA_CHACHA	KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305
#define X25519		T13_GROUP_X25519
#define P256		T13_GROUP_SECP256R1
#define P384		T13_GROUP_SECP384R1

/* What the test alters in transit (WIRE_RELAY). */
enum tamper {
	TAMPER_NONE,
	TAMPER_DOWNGRADE_12,	/* the ServerHello's random ends in "DOWNGRD" 01 */
	TAMPER_DOWNGRADE_11,	/* ... in "DOWNGRD" 00 */
	TAMPER_SERVER_SUITE,	/* the ServerHello names the suite patch */
	TAMPER_CLIENT_SUITE,	/* its TLS_AES_128_GCM_SHA256 becomes the suite patch */
	TAMPER_SKE_GROUP,	/* the ServerKeyExchange names the group patch */
	TAMPER_SKE_SIGNATURE,	/* one bit of the ServerKeyExchange's signature */
	TAMPER_FINISHED_RECORD,	/* one bit of the server's Finished record */
	TAMPER_FINISHED_CONTENT, /* one bit of its verify_data, the record sealed again */
};

enum side { NOBODY, CLIENT, SERVER };

struct hs_case {
	const char *name;
	const char *server, *client;	/* the two profiles' lines */
	enum wire wire;
	enum tamper tamper;
	uint16_t patch;			/* the suite or group the test writes */
	/* On success: */
	uint16_t suite, group;
	uint16_t client_scheme;		/* our CertificateVerify's, 0: none sent */
	const char *alpn;
	int client_verified;		/* BearSSL verified our certificate */
	/* On failure: */
	enum side fails;		/* NOBODY: success */
	/* Our client's error; when BearSSL fails first, the alert we got (-1: none). */
	int status, alert;
	int alert_protected;		/* our alert went out after our ChangeCipherSpec */
	int server_error;		/* BearSSL's last error when it fails first */
	/* Records the test slips in to our client (WIRE_RELAY), right after BearSSL's ServerHello: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_count;		/* ... so many copies of it */
	int before_ccs;			/* ... before its ChangeCipherSpec instead */
	int alert_from_test;		/* our client stops on the test's alert (.alert), sends none */
	int server_done_first;		/* ... after BearSSL had finished its handshake */
};

/* Our client, set up as handshake.c's start_client13() sets it up. */
struct client {
	const struct profile *profile;
	struct t13_conn conn;
	br_x509_minimal_context minimal;
	struct verifier verifier;
	struct t13_client client;
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	int done;
	int alert_sent;			/* what t13_tx_alert() sent, -1: nothing */
	int alert_protected;		/* ... under our TLS 1.2 keys */
	int keys_ok;
	struct ktlsd_keys keys;		/* t13_client_keys(), on success */
};

/* BearSSL's TLS 1.2 server, set up as handshake.c's setup_server() and start_t12(). */
struct server {
	const struct profile *profile;
	br_ssl_server_context sc;
	br_x509_minimal_context minimal;
	struct verifier verifier;	/* our chain goes through it, when asked for */
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
	struct br_end end;		/* its pump: its Finished out, keys taken, first record written */
};

struct run {
	const struct hs_case *hc;
	struct config cfg;
	struct client *client;
	struct server *server;
	struct lane to_server, to_client;
	int fds[4];			/* ours, BearSSL's, and the relay's two */
	int rounds;
};

/* ---- Our client ---- */

static int client_start(struct client *c, int fd)
{
	size_t nalpn = env_split_alpn(c->alpn, MAX_ALPN, c->alpn_store, sizeof(c->alpn_store),
				      c->profile->alpn);

	return env_client_start(&c->client, &c->conn, &c->minimal, &c->verifier, c->profile, fd,
				"localhost", c->alpn, nalpn);
}

/* handshake.c's step13(): on failure the alert, then the shutdown; on success the keys. */
static void client_step(struct client *c)
{
	struct t13_error *e = &c->conn.error;

	if (c->done || t13_client_step(&c->client) != T13_DONE)
		return;
	c->done = 1;
	if (e->status) {
		c->alert_protected = c->conn.tx.keyed;
		if (e->alert >= 0 && t13_tx_alert(&c->conn, e->alert) == 0)
			c->alert_sent = e->alert;
		shutdown(c->conn.fd, SHUT_RDWR);
		return;
	}
	c->keys_ok = t13_client_keys(&c->client, &c->keys) == 0;
}

/* ---- BearSSL's server ---- */

/* handshake.c's pick_suites() for the server role: the suites its key can sign. */
static size_t server_suites(const struct profile *p, uint16_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->suite_count; i++)
		if (ktlsd_suite_by_id(p->suites[i])->ecdsa == (p->creds.key_type == BR_KEYTYPE_EC))
			out[n++] = p->suites[i];
	return n;
}

/* Client certificates asked for (trust anchor names, a verifier), as setup_server() does. */
static void server_ask_client(struct server *s, uint32_t *flags)
{
	const struct profile *p = s->profile;
	br_ssl_engine_context *eng = &s->sc.eng;

	br_x509_minimal_init_full(&s->minimal, p->creds.anchors, p->creds.anchor_count);
	br_ssl_server_set_trust_anchor_names_alt(&s->sc, p->creds.anchors, p->creds.anchor_count);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	verifier_init(&s->verifier, &s->minimal, p->policy.client_auth);
	br_ssl_engine_set_x509(eng, &s->verifier.vtable);
	if (p->policy.client_auth == VERIFY_OPTIONAL)
		*flags |= BR_OPT_TOLERATE_NO_CLIENT_AUTH;
}

static int server_start(struct server *s, int fd)
{
	const struct profile *p = s->profile;
	const struct creds *c = &p->creds;
	br_ssl_engine_context *eng = &s->sc.eng;
	uint32_t flags = BR_OPT_NO_RENEGOTIATION | BR_OPT_ENFORCE_SERVER_PREFERENCES;
	uint16_t suites[CONFIG_MAX_SUITES];
	uint8_t seed[32];
	size_t nsuites, nalpn;

	s->end = (struct br_end){ .eng = eng, .fd = fd, .role = KTLSD_ROLE_SERVER,
				  .first_data = server_data, .first_len = sizeof(server_data) };
	if (c->key_type == BR_KEYTYPE_EC)
		br_ssl_server_init_full_ec(&s->sc, c->chain, c->chain_len, BR_KEYTYPE_EC, &c->ec_key);
	else
		br_ssl_server_init_full_rsa(&s->sc, c->chain, c->chain_len, &c->rsa_key);
	if (p->policy.client_auth != VERIFY_NONE)
		server_ask_client(s, &flags);
	nsuites = server_suites(p, suites);
	if (!nsuites)
		return -1;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, nsuites);
	nalpn = env_split_alpn(s->alpn, MAX_ALPN, s->alpn_store, sizeof(s->alpn_store), p->alpn);
	if (nalpn) {
		br_ssl_engine_set_protocol_names(eng, s->alpn, nalpn);
		flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
	}
	br_ssl_engine_set_all_flags(eng, flags);
	br_ssl_engine_set_buffer(eng, s->iobuf, sizeof(s->iobuf), 0);
	env_fill_seed(seed);
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	return br_ssl_server_reset(&s->sc) ? 0 : -1;
}

/* ---- The relay ---- */

/* The suite field of a ServerHello's body: after version, random and session id. */
static int patch_server_hello_suite(uint8_t *body, size_t len, uint16_t suite)
{
	size_t at = 2 + T13_RANDOM_LEN;

	if (at + 1 > len || at + 1 + body[at] + 2 > len)
		return 0;
	t13_put16(body + at + 1 + body[at], suite);
	return 1;
}

/* Alter one handshake message in the clear, as the lane's case says. */
static void tamper_message(struct lane *l, uint8_t type, uint8_t *body, size_t len)
{
	/* RFC 8446 §4.1.3: what a TLS 1.3 server pushed down to 1.2 (01), or below (00), writes. */
	static const uint8_t downgrade[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 0x01 };
	uint8_t *tail = body + 2 + T13_RANDOM_LEN - sizeof(downgrade);

	switch (l->tamper) {
	case TAMPER_DOWNGRADE_12:
	case TAMPER_DOWNGRADE_11:
		if (type == T13_HS_SERVER_HELLO && len >= 2 + T13_RANDOM_LEN) {
			memcpy(tail, downgrade, sizeof(downgrade));
			tail[7] = l->tamper == TAMPER_DOWNGRADE_12 ? 0x01 : 0x00;
			l->tampered = 1;
		}
		break;
	case TAMPER_SKE_GROUP:
		/* ServerECDHParams: curve_type named_curve (3), then the group (RFC 8422 §5.4). */
		if (type == T12_HS_SERVER_KEY_EXCHANGE && len >= 3 && body[0] == T12_CURVE_TYPE_NAMED) {
			t13_put16(body + 1, l->patch);
			l->tampered = 1;
		}
		break;
	case TAMPER_SKE_SIGNATURE:
		/* The signature ends the message (RFC 8422 §5.4). */
		if (type == T12_HS_SERVER_KEY_EXCHANGE && len > 0) {
			body[len - 1] ^= 0x01;
			l->tampered = 1;
		}
		break;
	case TAMPER_SERVER_SUITE:
		if (type == T13_HS_SERVER_HELLO)
			l->tampered |= patch_server_hello_suite(body, len, l->patch);
		break;
	case TAMPER_CLIENT_SUITE:
		if (type == T13_HS_CLIENT_HELLO)
			l->tampered |= patch_client_hello(body, len, T13_AES_128_GCM_SHA256,
							  l->patch);
		break;
	default:
		break;
	}
}

/*
 * A whole record went through: follow its handshake messages, alter what
 * the case says. The server's Finished, the first protected handshake
 * record, may be altered: one bit of its ciphertext, or one of its
 * verify_data opened and sealed again under the server's write key (from
 * BearSSL, taken right after that record: seq 1).
 */
static void tamper_record(struct lane *l)
{
	const struct ktlsd_keys *k = l->sender_keys;
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER;

	if (l->rec[0] != T13_CT_HANDSHAKE)
		return;
	if (!l->ccs_seen) {
		lane_each_message(l, tamper_message);
		return;
	}
	if (l->tampered)
		return;
	if (l->tamper == TAMPER_FINISHED_RECORD && len > FINISHED_FLIP_AT) {
		body[FINISHED_FLIP_AT] ^= 0x01;
		l->tampered = 1;
	} else if (l->tamper == TAMPER_FINISHED_CONTENT) {
		l->tampered = k->suite && k->tx.seq == 1 && reseal_finished(l, k->suite, &k->tx);
	}
}

/* ---- One run ---- */

static int write_conf(const struct hs_case *hc, char *path, size_t path_len)
{
	char text[2048];
	int n;

	n = snprintf(text, sizeof(text),
		     "[daemon]\nuser = nobody\n"
		     "[profile server]\nrole = server\nmax_version = 1.2\n%s"
		     "[profile client]\nrole = client\nca = %%s/ca.crt\n%s",
		     hc->server, hc->client);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return env_write_conf(dir, text, path, path_len);
}

static int open_sockets(struct run *r)
{
	const struct hs_case *hc = r->hc;
	struct lane *to_server = &r->to_server, *to_client = &r->to_client;

	if (relay_open(hc->wire, r->fds, to_server, to_client) < 0)
		return -1;
	if (hc->wire == WIRE_DIRECT)
		return 0;
	to_server->on_record = to_client->on_record = tamper_record;
	if (hc->tamper == TAMPER_CLIENT_SUITE)
		to_server->tamper = hc->tamper;
	else
		to_client->tamper = hc->tamper;
	to_server->patch = to_client->patch = hc->patch;
	to_client->sender_keys = &r->server->end.keys;
	to_client->inject = hc->inject;
	to_client->inject_len = hc->inject_len;
	to_client->inject_left = hc->inject ? hc->inject_count : 0;
	to_client->before_ccs = hc->before_ccs;
	return 0;
}

/* Load the profiles, open the sockets, start both ends. */
static int setup(struct run *r)
{
	const struct hs_case *hc = r->hc;
	char path[512];

	if (write_conf(hc, path, sizeof(path)) < 0 || config_load(&r->cfg, path) < 0) {
		diag("%s: %s", hc->name, r->cfg.error);
		return -1;
	}
	r->client = calloc(1, sizeof(*r->client));
	r->server = calloc(1, sizeof(*r->server));
	if (!r->client || !r->server)
		return -1;
	r->client->profile = config_profile(&r->cfg, "client");
	r->client->alert_sent = -1;
	r->server->profile = config_profile(&r->cfg, "server");
	if (!r->client->profile || !r->server->profile || open_sockets(r) < 0)
		return -1;
	if (server_start(r->server, r->fds[1]) < 0) {
		diag("%s: BearSSL's server does not start", hc->name);
		return -1;
	}
	if (client_start(r->client, r->fds[0]) < 0) {
		diag("%s: our client does not start: %s", hc->name, r->client->conn.error.what);
		return -1;
	}
	return 0;
}

static int relay_round(struct run *r)
{
	return relay_move(r->hc->wire, &r->to_server, &r->to_client);
}

/* Both ends in turn (and the relay) until both are done and nothing moves. */
static int pump(struct run *r)
{
	for (r->rounds = 1; r->rounds <= MAX_ROUNDS; r->rounds++) {
		client_step(r->client);
		br_end_step(&r->server->end);
		if (!relay_round(r) && r->client->done && br_end_over(&r->server->end))
			return 0;
	}
	r->rounds = MAX_ROUNDS;
	return -1;
}

static void show_errors(const struct run *r)
{
	const struct t13_error *c = &r->client->conn.error;

	diag("client: status %d alert %d received %d tls_error %d: %s", c->status, c->alert,
	     c->alert_received, c->tls_error, c->what);
	diag("server: BearSSL last error %d, handshake %s%s",
	     br_ssl_engine_last_error(&r->server->sc.eng),
	     r->server->end.handshake_done ? "done" : "not done", r->server->end.closed ? ", closed" : "");
}

/* ---- Success ---- */

/* One round of BearSSL's server and the relay (check_bearssl_reads()). */
static void server_round(void *arg)
{
	struct run *r = arg;

	br_end_step(&r->server->end);
	relay_round(r);
}

/* BearSSL's view of what it agreed. */
static void check_server_view(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct server *s = r->server;
	br_ssl_engine_context *eng = (br_ssl_engine_context *)&s->sc.eng;
	const char *alpn = br_ssl_engine_get_selected_protocol(eng);
	char subject[256], san[256];

	ok(br_ssl_engine_get_version(eng) == BR_TLS12 && eng->session.cipher_suite == hc->suite &&
	   br_ssl_engine_get_ecdhe_curve(eng) == hc->group,
	   "%s: BearSSL agrees: TLS 1.2, suite 0x%04x, curve %d", hc->name,
	   eng->session.cipher_suite, br_ssl_engine_get_ecdhe_curve(eng));
	ok(!strcmp(br_ssl_engine_get_server_name(eng), "localhost"),
	   "%s: BearSSL got our server name '%s'", hc->name, br_ssl_engine_get_server_name(eng));
	ok(!strcmp(alpn ? alpn : "", hc->alpn ? hc->alpn : ""), "%s: BearSSL chose ALPN '%s'",
	   hc->name, alpn ? alpn : "");
	if (hc->client_verified)
		ok(s->minimal.err == BR_ERR_X509_OK &&
		   verifier_identity(&s->verifier, subject, sizeof(subject), san, sizeof(san)) &&
		   !strcmp(subject, "ktlsd test client") && !strcmp(san, "client.test"),
		   "%s: BearSSL's X.509 engine validated our chain (err %d)", hc->name, s->minimal.err);
	else if (s->profile->policy.client_auth != VERIFY_NONE)
		ok(!s->verifier.chain_seen, "%s: BearSSL asked, and got an empty Certificate",
		   hc->name);
}

static void check_outcome(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_client *cl = &r->client->client;
	const struct t13_outcome *o = &cl->outcome;

	ok(o->version == T12_VERSION, "%s: TLS 1.2 (version 0x%04x)", hc->name, o->version);
	ok(o->suite == hc->suite, "%s: suite 0x%04x, want 0x%04x", hc->name, o->suite, hc->suite);
	ok(o->group == hc->group, "%s: group 0x%04x, want 0x%04x", hc->name, o->group, hc->group);
	ok(o->sig_scheme == hc->client_scheme, "%s: our CertificateVerify scheme 0x%04x, want 0x%04x",
	   hc->name, o->sig_scheme, hc->client_scheme);
	ok(!strcmp(o->alpn, hc->alpn ? hc->alpn : ""), "%s: ALPN '%s'", hc->name, o->alpn);
	ok(o->peer_verified && !strcmp(o->peer_subject, "localhost") &&
	   !strcmp(o->peer_san, "localhost"),
	   "%s: we verified the server: '%s' '%s'", hc->name, o->peer_subject, o->peer_san);
	ok(!cl->t12.extended_master_secret,
	   "%s: BearSSL 0.6 does not echo extended_master_secret: the RFC 5246 master secret",
	   hc->name);
}

static void check_success(struct run *r)
{
	const struct hs_case *hc = r->hc;
	int cl_ok = !r->client->conn.error.status && r->client->keys_ok;
	int sv_ok = r->server->end.handshake_done && !r->server->end.closed && r->server->end.keys_ok;

	if (!ok(cl_ok && sv_ok, "%s: both ends succeed", hc->name)) {
		show_errors(r);
		return;
	}
	check_outcome(r);
	check_server_view(r);
	check_keys(hc->name, hc->suite, &r->client->keys, &r->server->end.keys);
	check_exact_read(hc->name, r->client->conn.fd, &r->client->keys, server_data,
			 sizeof(server_data));
	check_bearssl_reads(hc->name, r->client->conn.fd, &r->client->keys, client_data,
			    sizeof(client_data), &r->server->end, server_round, r, MAX_ROUNDS);
}

/* ---- Failure ---- */

/* How the run ended, for t12_relay.h's failure checks. */
static struct t12_ending ending(const struct run *r)
{
	return (struct t12_ending){ .name = r->hc->name, .ours = "our client",
				    .error = &r->client->conn.error,
				    .alert_sent = r->client->alert_sent,
				    .alert_protected = r->client->alert_protected,
				    .bearssl = &r->server->end };
}

/* ---- The cases ---- */

static void teardown(struct run *r)
{
	for (size_t i = 0; i < 4; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	if (r->client) {
		t13_client_wipe(&r->client->client);
		t13_conn_wipe(&r->client->conn);
		explicit_bzero(r->client, sizeof(*r->client));
	}
	/* BearSSL's context holds the master secret and the record keys. */
	if (r->server)
		explicit_bzero(r->server, sizeof(*r->server));
	free(r->client);
	free(r->server);
	if (r->cfg.profiles)
		config_free(&r->cfg);
}

static void run_case(const struct hs_case *hc)
{
	struct t12_ending x;
	struct run r;
	int pumped, good = 1;

	memset(&r, 0, sizeof(r));
	r.hc = hc;
	for (size_t i = 0; i < 4; i++)
		r.fds[i] = -1;
	if (!ok(setup(&r) == 0, "%s: profiles load, both ends start", hc->name))
		goto out;
	pumped = pump(&r);
	if (!ok(pumped == 0, "%s: both ends are done (%d rounds)", hc->name, r.rounds)) {
		show_errors(&r);
		goto out;
	}
	if (hc->tamper != TAMPER_NONE)
		ok(r.to_client.tampered || r.to_server.tampered, "%s: the test altered it in transit",
		   hc->name);
	x = ending(&r);
	if (hc->inject)
		check_injected(&x, &r.to_client, hc->inject_count);
	if (hc->fails == NOBODY)
		check_success(&r);
	else if (hc->fails == CLIENT && hc->alert_from_test)
		good = check_test_alert(&x, hc->status, hc->alert, hc->server_done_first);
	else if (hc->fails == CLIENT)
		good = check_our_failure(&x, hc->status, hc->alert, hc->alert_protected);
	else
		good = check_bearssl_failure(&x, hc->server_error, hc->status, hc->alert);
	if (!good)
		show_errors(&r);
out:
	teardown(&r);
}

#define OK(...)		{ .fails = NOBODY, __VA_ARGS__ }
#define CIPHERS(x)	"ciphers = " x "\n"
#define ECDSA_P256	T13_SIG_ECDSA_SECP256R1_SHA256
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Alert records in the clear (RFC 5246 §7.2), level 1 warning, 2 fatal: */
/* unrecognized_name (RFC 6066 §3) as a warning: 15 03 03 00 02 01 70 */
static const uint8_t warning_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_UNRECOGNIZED_NAME
};
/* close_notify (RFC 5246 §7.2.1), a warning: 15 03 03 00 02 01 00 */
static const uint8_t warning_close_notify[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_CLOSE_NOTIFY
};
/* unrecognized_name at fatal level: 15 03 03 00 02 02 70 */
static const uint8_t fatal_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 2, T13_ALERT_UNRECOGNIZED_NAME
};
/* @n copies of @rec to our client, after BearSSL's ServerHello (or before its ChangeCipherSpec). */
#define INJECT(rec, n)	\
	.wire = WIRE_RELAY, .inject = (rec), .inject_len = sizeof(rec), .inject_count = (n)

static const struct hs_case cases[] = {
	/* 1. Each suite, with the server key it needs; TLS 1.3 offered too (default ciphersuites). */
	OK(.name = "ECDHE-ECDSA-AES128-GCM-SHA256", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "ECDHE-ECDSA-AES256-GCM-SHA384", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .suite = ECDSA_AES256, .group = X25519),
	OK(.name = "ECDHE-ECDSA-CHACHA20-POLY1305", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-CHACHA20-POLY1305"), .suite = ECDSA_CHACHA, .group = X25519),
	OK(.name = "ECDHE-RSA-AES128-GCM-SHA256", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES128-GCM-SHA256"), .suite = RSA_AES128, .group = X25519),
	OK(.name = "ECDHE-RSA-AES256-GCM-SHA384", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .suite = RSA_AES256, .group = X25519),
	OK(.name = "ECDHE-RSA-CHACHA20-POLY1305", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .suite = RSA_CHACHA, .group = X25519),
	/* 2. Each group alone; then BearSSL (X25519 first, then the lowest id) picking another. */
	OK(.name = "group X25519", .server = SERVER_EC, .client = "groups = X25519\n",
	   .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "group P-256", .server = SERVER_EC, .client = "groups = P-256\n",
	   .suite = ECDSA_AES128, .group = P256),
	OK(.name = "group P-384", .server = SERVER_RSA, .client = "groups = P-384\n",
	   .suite = RSA_AES128, .group = P384),
	OK(.name = "our share is P-384, BearSSL picks X25519", .server = SERVER_EC,
	   .client = "groups = P-384:X25519\n", .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "our share is P-384, BearSSL picks P-256", .server = SERVER_RSA,
	   .client = "groups = P-384:P-256\n" CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"),
	   .suite = RSA_AES256, .group = P256),
	/* ALPN in the TLS 1.2 ServerHello (RFC 7301 §3.2: the server's preference). */
	OK(.name = "ALPN", .server = SERVER_EC "alpn = http/1.1,h2\n", .client = "alpn = h2,http/1.1\n",
	   .suite = ECDSA_AES128, .group = X25519, .alpn = "http/1.1"),
	/* 3. Client certificates (RFC 5246 §7.4.4, §7.4.6, §7.4.8). */
	OK(.name = "client certificate", .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT,
	   .suite = ECDSA_AES128, .group = X25519, .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "client certificate, RSA server, SHA-384 PRF", .server = SERVER_RSA ASK_CLIENT,
	   .client = CLIENT_CERT CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .suite = RSA_AES256,
	   .group = X25519, .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "verify = optional, no key in our profile: an empty Certificate",
	   .server = SERVER_EC "verify = optional\nca = %s/ca.crt\n", .client = "",
	   .suite = ECDSA_AES128, .group = X25519),
	/*
	 * BearSSL without BR_OPT_TOLERATE_NO_CLIENT_AUTH refuses the empty
	 * Certificate: it closes with BR_ERR_NO_CLIENT_AUTH and sends no alert
	 * of its own (the daemon's handshake.c adds handshake_failure), so we
	 * see the connection end while we wait for its ChangeCipherSpec.
	 */
	{ .name = "verify = required, no key in our profile", .server = SERVER_EC ASK_CLIENT,
	  .client = "", .fails = SERVER, .server_error = BR_ERR_NO_CLIENT_AUTH,
	  .status = ECONNABORTED, .alert = -1 },
	/* ALPN (RFC 7301 §3.2): BearSSL refuses, with an alert in the clear. */
	{ .name = "ALPN mismatch", .server = SERVER_EC "alpn = http/1.1\n", .client = "alpn = h2\n",
	  .fails = SERVER, .server_error = BR_ERR_SEND_FATAL_ALERT + T13_ALERT_NO_APPLICATION_PROTOCOL,
	  .status = EPROTO, .alert = T13_ALERT_NO_APPLICATION_PROTOCOL },
	/* 4. Altered in transit. (a) RFC 8446 §4.1.3: the downgrade sentinels. */
	{ .name = "ServerHello random ends in DOWNGRD 01", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_DOWNGRADE_12, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_ILLEGAL_PARAMETER },
	{ .name = "ServerHello random ends in DOWNGRD 00", .server = SERVER_RSA, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_DOWNGRADE_11, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (b) RFC 8422 §5.4, RFC 5246 §7.2.2: a signature that does not verify. */
	{ .name = "ServerKeyExchange signature altered, ECDSA", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SKE_SIGNATURE, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR },
	{ .name = "ServerKeyExchange signature altered, RSA", .server = SERVER_RSA, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SKE_SIGNATURE, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR },
	/* RFC 8422 §5.4: the group must be one of ours (checked before the signature). */
	{ .name = "ServerKeyExchange names a group we did not offer", .server = SERVER_EC,
	  .client = "groups = X25519\n", .wire = WIRE_RELAY, .tamper = TAMPER_SKE_GROUP,
	  .patch = P256, .fails = CLIENT, .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (c) RFC 5246 §7.2.2: a record that does not authenticate; our keys are on by then. */
	{ .name = "server Finished record altered, AES-GCM", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_RECORD, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC, .alert_protected = 1 },
	{ .name = "server Finished record altered, ChaCha20-Poly1305", .server = SERVER_RSA,
	  .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_RECORD, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC, .alert_protected = 1 },
	/* RFC 5246 §7.4.9, §7.2.2: a Finished that authenticates but does not verify. */
	{ .name = "server Finished verify_data altered, record sealed again", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_CONTENT, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR, .alert_protected = 1 },
	/* (d) RFC 5246 §7.4.1.3: a suite we did not offer, for 1.2 or at all. */
	{ .name = "ServerHello names a 1.2 suite we did not offer", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_SERVER_SUITE, .patch = ECDSA_AES256, .fails = CLIENT,
	  .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	{ .name = "TLS 1.2 ServerHello names a TLS 1.3 suite", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SERVER_SUITE, .patch = T13_AES_128_GCM_SHA256,
	  .fails = CLIENT, .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (e) A 1.3-only profile: the test slips a 1.2 suite into its ClientHello for BearSSL. */
	{ .name = "TLS 1.2 ServerHello to a min_version = 1.3 profile", .server = SERVER_EC,
	  .client = "min_version = 1.3\n", .wire = WIRE_RELAY, .tamper = TAMPER_CLIENT_SUITE,
	  .patch = ECDSA_AES128, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_PROTOCOL_VERSION },
	/* (f) The verifier's verdict, mapped as in TLS 1.3 (test_t13_engine). */
	{ .name = "server chain from an untrusted CA", .server = SERVER_ROGUE, .client = "",
	  .fails = CLIENT, .status = EKEYREJECTED, .alert = T13_ALERT_UNKNOWN_CA },
	/* 5. Every record cut into 1-byte writes, both ways. */
	OK(.name = "1-byte writes, client certificate", .server = SERVER_EC ASK_CLIENT,
	   .client = CLIENT_CERT, .wire = WIRE_BYTES, .suite = ECDSA_AES128, .group = X25519,
	   .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "1-byte writes, RSA, ChaCha20, P-256 picked over our P-384", .server = SERVER_RSA,
	   .client = "groups = P-384:P-256\n" CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"),
	   .wire = WIRE_BYTES, .suite = RSA_CHACHA, .group = P256),
	/*
	 * 6. Alerts in the clear after the ServerHello. RFC 5246 §7.2: on a
	 * warning "the connection can normally continue"; record.c skips
	 * T13_MAX_DROPPED_RECORDS of them, and ends the handshake at the next.
	 * A close_notify is no warning to skip (§7.2.1: the peer is done), a
	 * fatal alert ends the connection (§7.2.2). The same where our client
	 * waits for the server's ChangeCipherSpec (its own read path).
	 */
	OK(.name = "a warning unrecognized_name after the ServerHello: skipped", .server = SERVER_EC,
	   .client = "", INJECT(warning_unrecognized_name, 1), .suite = ECDSA_AES128, .group = X25519),
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " warning unrecognized_name alerts: skipped",
	   .server = SERVER_RSA, .client = "", INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS),
	   .suite = RSA_AES128, .group = X25519),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " warning unrecognized_name alerts: the last ends it",
	  .server = SERVER_EC, .client = "",
	  INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS + 1), .fails = CLIENT,
	  .alert_from_test = 1, .status = EPROTO, .alert = T13_ALERT_UNRECOGNIZED_NAME },
	{ .name = "a warning close_notify after the ServerHello ends it", .server = SERVER_EC,
	  .client = "", INJECT(warning_close_notify, 1), .fails = CLIENT, .alert_from_test = 1,
	  .status = ECONNABORTED, .alert = T13_ALERT_CLOSE_NOTIFY },
	{ .name = "a fatal unrecognized_name after the ServerHello ends it", .server = SERVER_EC,
	  .client = "", INJECT(fatal_unrecognized_name, 1), .fails = CLIENT, .alert_from_test = 1,
	  .status = EPROTO, .alert = T13_ALERT_UNRECOGNIZED_NAME },
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " warnings before the server's ChangeCipherSpec: skipped",
	   .server = SERVER_EC, .client = "", INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS),
	   .before_ccs = 1, .suite = ECDSA_AES128, .group = X25519),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " warnings before the server's ChangeCipherSpec: "
	  "the last ends it", .server = SERVER_EC, .client = "",
	  INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS + 1), .before_ccs = 1,
	  .fails = CLIENT, .alert_from_test = 1, .status = EPROTO,
	  .alert = T13_ALERT_UNRECOGNIZED_NAME, .server_done_first = 1 },
};

int main(void)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!mkdtemp(dir) || env_make_pki(dir) < 0) {
		ok(0, "the test PKI is made with openssl");
		return done();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	if (env_remove_dir(dir) < 0)
		diag("could not remove %s", dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%zu handshakes in %.2f s", sizeof(cases) / sizeof(cases[0]),
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done();
}
