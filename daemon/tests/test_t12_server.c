// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our server's TLS 1.2 path (tls13/server.c handing over to server12.c)
 * against BearSSL's own TLS 1.2 client engine, in one process: the mirror
 * of test_t12_client. Our server is started from a ktlsd.conf profile as
 * handshake.c's choose_engine() starts it (on the ClientHello, with the
 * workers' session cache when the profile keeps sessions) and stepped as
 * step13() steps it; BearSSL's client is set up from the other profile as
 * handshake.c's setup_client() and start_t12() set it up, held to TLS 1.2.
 *
 * Each of the six suites with a P-256 or an RSA-2048 server, each group,
 * the server's preference for suites and groups, ALPN; after each success
 * the kTLS keys of both sides must be each other's (the first record each
 * sends after the handshake opens under the other's), and BearSSL's first
 * record must still be in our socket (exact reads). Session IDs (RFC 5246
 * §7.3): kept after a full handshake, resumed from the cache, and a full
 * handshake whenever the session may not be resumed. The downgrade
 * sentinel (RFC 8446 §4.1.3) in our ServerHello random exactly when the
 * profile also allows TLS 1.3. Our flight, seen in transit: ServerHello,
 * Certificate, ServerKeyExchange, ServerHelloDone, and the
 * CertificateRequest before the last when the profile asks for client
 * certificates.
 *
 * Client certificates (RFC 5246 §7.4.4, §7.4.6, §7.4.8): a profile with
 * verify = required or optional gives our server a verifier, as
 * choose_engine() does, and BearSSL's client presents the client
 * profile's chain and key as setup_client() has it do (signing here with
 * BearSSL's default signers: no key process runs). A P-256 and an
 * RSA-2048 client certificate, under either server key and a SHA-256 or
 * SHA-384 PRF, with the scheme of BearSSL's CertificateVerify seen in
 * transit and the identity our outcome reports; no certificate when one
 * is required (handshake_failure) or optional; a chain from a CA the
 * server does not trust (unknown_ca when required, taken unverified when
 * optional); the CertificateVerify's signature or scheme altered, or the
 * message left out, in transit (it goes in the clear, before the client's
 * ChangeCipherSpec); and no session ID given, nor a session resumed,
 * where client certificates are asked for (t13_server_start() leaves the
 * cache out).
 *
 * Then what the test, sitting in the middle, alters in transit (the
 * ClientHello, the ClientKeyExchange, the client's Finished), with the
 * alert our server sends and what BearSSL then reports; records cut into
 * 1-byte writes; and records the test slips in, in the clear, before the
 * client's ClientKeyExchange or its ChangeCipherSpec: warning alerts
 * skipped up to the record layer's limit (T13_MAX_DROPPED_RECORDS),
 * close_notify and fatal alerts not, nor a ChangeCipherSpec before the
 * keys exist.
 *
 * Not covered here: a handshake with the extended master secret (RFC
 * 7627). BearSSL 0.6 does not send the extension, so every handshake takes
 * the RFC 5246 master secret and every session is a non-EMS one (which RFC
 * 7627 §5.3 lets a server resume for a client that still does not send
 * it). The test adds the extension to a ClientHello offering such a
 * session, to see a full handshake answer it; BearSSL then refuses our
 * ServerHello's extension. Nor an RSA-PSS client CertificateVerify:
 * BearSSL 0.6 signs TLS 1.2's with PKCS#1 v1.5 only (the test names PSS
 * over a PKCS#1 signature, to see it fail). Profiles whose chain is
 * larger than our flight go to BearSSL's server engine
 * (p->server12_bearssl); none here has one.
 *
 * BearSSL's pump, the relay and the checks after a success and a failure
 * are test_t12_client's too (t12_relay.h). Both engines only send and recv
 * with MSG_DONTWAIT, so one thread pumps both in turn, in a bounded number
 * of rounds, without sleeping.
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
#include "ec.h"
#include "engine_env.h"
#include "keys.h"
#include "session_cache.h"
#include "verify.h"
#include "tls13/engine.h"
#include "tls13/msg12.h"
#include "tls13/server.h"
#include "t12_relay.h"
#include "tap.h"

/* Enough for two flights cut into 1-byte writes, and a few turns over. */
#define MAX_ROUNDS	100000
#define MAX_ALPN	8
/* The session cache's lifetime: long enough for a case's two handshakes. */
#define LIFETIME_MS	60000
/* TLS_FALLBACK_SCSV (RFC 7507), TLS_RSA_WITH_AES_128_GCM_SHA256: a suite we never take. */
#define FALLBACK_SCSV	0x5600
#define RSA_KX_AES128	0x009c
/* X448 (RFC 8446 §4.2.7): a group neither our server nor BearSSL 0.6 has. */
#define X448		0x001e
/* TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3) */
#define RENEG_SCSV	0x00ff

static char dir[] = "/tmp/ktlsd-test-t12-server.XXXXXX";

/* Short names for the TLS 1.2 suites (ktlsd_ktls.h), the groups and the schemes. */
#define ECDSA_AES128	KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256
#define RSA_AES128	KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256
#define ECDSA_AES256	KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384
#define RSA_AES256	KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384
#define RSA_CHACHA	KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305
#define ECDSA_CHACHA	KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305
#define X25519		T13_GROUP_X25519
#define P256		T13_GROUP_SECP256R1
#define P384		T13_GROUP_SECP384R1
#define ECDSA_P256	T13_SIG_ECDSA_SECP256R1_SHA256
#define ECDSA_P384	T13_SIG_ECDSA_SECP384R1_SHA384
#define ECDSA_P521	T13_SIG_ECDSA_SECP521R1_SHA512
#define PKCS1_SHA256	T13_SIG_RSA_PKCS1_SHA256
#define PKCS1_SHA384	T13_SIG_RSA_PKCS1_SHA384
#define PSS_SHA256	T13_SIG_RSA_PSS_RSAE_SHA256
#define PSS_SHA384	T13_SIG_RSA_PSS_RSAE_SHA384
/* rsa_pkcs1_sha1 (RFC 8446 §4.2.3, legacy): sha1 with rsa in TLS 1.2's terms. */
#define PKCS1_SHA1	0x0201

/* The client certificates (env_make_pki(), make_rsa_client()): their subject CN and first DNS name. */
#define CLIENT_RSA_CERT	"cert = %s/client-rsa.crt\nkey = %s/client-rsa.key\n"
#define OFFER_CLIENT	"verify = optional\nca = %s/ca.crt\n"
#define EC_SUBJECT	"ktlsd test client"
#define EC_SAN		"client.test"
#define RSA_SUBJECT	"ktlsd test rsa client"
#define RSA_SAN		"rsa-client.test"

/* What the test alters in transit (WIRE_RELAY). */
enum tamper {
	TAMPER_NONE,
	/* The ClientHello, rebuilt (every length kept consistent): */
	TAMPER_HELLO_SUITE,	/* its suite .from becomes .patch, in place */
	TAMPER_HELLO_FALLBACK,	/* TLS_FALLBACK_SCSV added behind its suites */
	TAMPER_HELLO_GROUP,	/* its supported_groups' .from becomes .patch */
	TAMPER_HELLO_DROP_EXT,	/* its extension of type .from left out */
	TAMPER_HELLO_COMPRESSION, /* its compression methods: { 1 } (DEFLATE), not { 0 } */
	TAMPER_HELLO_POINT_FORMATS, /* its ec_point_formats: compressed only */
	TAMPER_HELLO_RENEG,	/* its renegotiation_info: one byte, not empty */
	TAMPER_HELLO_RENEG_SCSV, /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV instead of the extension */
	TAMPER_HELLO_EMS,	/* extended_master_secret added */
	/* The ClientKeyExchange's point: */
	TAMPER_CKE_PREFIX,	/* its first byte (04 for the NIST curves) becomes .patch */
	TAMPER_CKE_ZERO,	/* all zero (an X25519 u that gives a zero secret) */
	TAMPER_CKE_LAST_BIT,	/* one bit of its last byte (a NIST point then off the curve) */
	TAMPER_CKE_SHORT,	/* its last byte left out (the lengths following) */
	TAMPER_CKE_TRAILING,	/* a byte added behind it, in the message */
	/* The client's CertificateVerify (in the clear, before its ChangeCipherSpec): */
	TAMPER_CV_SIGNATURE,	/* one bit of its signature's last byte */
	TAMPER_CV_SCHEME,	/* its scheme becomes .patch */
	TAMPER_CV_DROP,		/* left out of its record (the record's length following) */
	/* ... not in transit: BearSSL's signer spoils it, and BearSSL's Finished covers it. */
	TAMPER_CV_SIGNED_WRONG,
	/* The client's Finished, the first protected record: */
	TAMPER_FINISHED_RECORD,	/* one bit of the ciphertext */
	TAMPER_FINISHED_CONTENT, /* one bit of its verify_data, the record sealed again */
	/* Ours, to BearSSL: */
	TAMPER_SKE_SIGNATURE,	/* one bit of the ServerKeyExchange's signature */
};

/* The second handshake of a case that resumes: what the test did to the first one's session. */
enum resume {
	RESUME_NONE,		/* one handshake, no session offered */
	RESUME_SAME,		/* offered to the same server profile and cache */
	RESUME_FRESH_CACHE,	/* ... to a server whose cache never held it */
	RESUME_EXPIRED,		/* ... saved again a lifetime ago */
	RESUME_OTHER_PROFILE,	/* ... to another profile's server, same cache */
	RESUME_EMS,		/* ... saved again as made with the extended master secret */
	RESUME_OTHER_NAME,	/* ... saved again as made for another server name */
};

enum side { NOBODY, CLIENT, SERVER };

struct hs_case {
	const char *name;
	const char *server, *client;	/* the two profiles' lines */
	enum wire wire;
	enum tamper tamper;
	uint16_t from, patch;		/* what the test writes over what */
	enum resume resume;
	/* The resuming handshake's profiles, when they differ from the first's (NULL: the same): */
	const char *server2, *client2;
	/* On success (and our server's choice, when set, on failure): */
	uint16_t suite, group;
	uint16_t scheme;		/* our ServerKeyExchange's, 0: none (resumed) */
	const char *alpn;
	int resumed;
	/* Client certificates: the scheme of BearSSL's CertificateVerify (0: it sends none) ... */
	uint16_t client_scheme;
	/* ... and the identity our outcome reports (NULL: peer_verified 0, no names). */
	const char *peer_subject, *peer_san;
	/* On failure: */
	enum side fails;		/* NOBODY: success */
	/* Our server's error; when BearSSL fails first, or the test's alert stops it, the alert it got. */
	int status, alert;
	int alert_protected;		/* our alert went out after our ChangeCipherSpec */
	int client_error;		/* BearSSL's last error when it fails first */
	/* Records the test slips in to our server (WIRE_RELAY), before BearSSL's ChangeCipherSpec: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_count;		/* ... so many copies of it */
	int before_cke;			/* ... before its ClientKeyExchange (its second record) instead */
	int alert_from_test;		/* our server stops on the test's alert (.alert), sends none */
	const char *what;		/* in our server's error message, when set */
};

/* BearSSL's client, set up as handshake.c's setup_client() and start_t12(). */
struct client {
	const struct profile *profile;
	br_ssl_client_context cc;
	br_x509_minimal_context minimal;
	struct verifier verifier;
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	int spoil_signature;		/* TAMPER_CV_SIGNED_WRONG: its signers spoil what they sign */
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
	struct br_end end;		/* its pump: its handshake over, keys taken, first record written */
};

/* Our server, started as handshake.c's choose_engine() starts it. */
struct server {
	const struct profile *profile;
	struct session_cache *cache12;	/* the workers' TLS 1.2 sessions */
	/* The client certificates' checker, when the profile asks for them (start_server()): */
	br_x509_minimal_context minimal;
	struct verifier verifier;
	struct t13_conn conn;
	struct t13_server server;
	int started;			/* t13_server_start() ran */
	int done;
	int alert_sent;			/* what t13_tx_alert() sent, -1: nothing */
	int alert_protected;		/* ... under our TLS 1.2 keys */
	int keys_ok;
	struct ktlsd_keys keys;		/* t13_server_keys(), on success */
};

/* One handshake: its profiles, what it offers, how it goes over the wire. */
struct run {
	const struct hs_case *hc;
	const char *name;		/* in the checks */
	enum wire wire;
	enum tamper tamper;
	const char *server_lines, *client_lines, *server_profile;
	struct session_cache *cache;
	const br_ssl_session_parameters *offer;	/* the session BearSSL offers; NULL: none */
	struct config cfg;
	struct client *client;
	struct server *server;
	struct lane to_server, to_client;
	int fds[4];			/* BearSSL's, ours, and the relay's two */
	int rounds;
	/* BearSSL's ClientHello and our ServerHello, as they went by (WIRE_RELAY): */
	int client_hello_seen;
	uint8_t offered_id[32];
	size_t offered_id_len;
	int hello_seen;
	uint8_t server_random[T13_RANDOM_LEN];
	uint8_t session_id[32];
	size_t session_id_len;
	uint8_t hello_exts[512];	/* its extensions block, without its length */
	size_t hello_exts_len;
	/* Our flight's handshake messages in the clear, their types in order, and our CertificateRequest: */
	uint8_t flight[8];
	size_t flight_len;
	uint8_t cert_request[64];
	size_t cert_request_len;
	/* BearSSL's Certificate (its certificate_list's length) and CertificateVerify (its scheme): */
	int client_cert_seen;
	size_t client_chain_len;
	int cv_seen;
	uint16_t cv_scheme;
	struct ktlsd_keys client_keys;	/* BearSSL's key block, for its Finished sealed again */
};

static struct session_cache *cache, *fresh_cache;
static int handshakes;

/* ---- BearSSL's client ---- */

/* The signatures spoiled_ecdsa_sign() and spoiled_pkcs1_sign() spoiled in this run. */
static int spoiled;

/*
 * BearSSL's default signers, one bit of the signature's last byte flipped
 * (TAMPER_CV_SIGNED_WRONG): a client whose CertificateVerify does not
 * verify, yet whose transcript and Finished are its own, as a client
 * holding a certificate but not its key would send them.
 */
static size_t spoiled_ecdsa_sign(const br_ec_impl *impl, const br_hash_class *hf, const void *hash,
				 const br_ec_private_key *sk, void *sig)
{
	size_t n = ec_ecdsa_sign()(impl, hf, hash, sk, sig);

	if (n) {
		((uint8_t *)sig)[n - 1] ^= 0x01;
		spoiled++;
	}
	return n;
}

static uint32_t spoiled_pkcs1_sign(const unsigned char *hash_oid, const unsigned char *hash,
				   size_t hash_len, const br_rsa_private_key *sk, unsigned char *x)
{
	uint32_t good = br_rsa_pkcs1_sign_get_default()(hash_oid, hash, hash_len, sk, x);

	if (good) {
		x[(sk->n_bitlen + 7) / 8 - 1] ^= 0x01;
		spoiled++;
	}
	return good;
}

static int client_start(struct client *c, int fd, const br_ssl_session_parameters *offer)
{
	const struct profile *p = c->profile;
	const struct creds *cr = &p->creds;
	br_ssl_client_context *cc = &c->cc;
	br_ssl_engine_context *eng = &cc->eng;
	uint32_t flags = BR_OPT_NO_RENEGOTIATION;
	uint8_t seed[32];
	size_t nalpn;

	c->end = (struct br_end){ .eng = eng, .fd = fd, .role = KTLSD_ROLE_CLIENT,
				  .first_data = client_data, .first_len = sizeof(client_data) };
	br_ssl_client_init_full(cc, &c->minimal, cr->anchors, cr->anchor_count);
	ec_use_in_engine(eng);
	ec_use_in_x509(&c->minimal);
	/* setup_client()'s client certificate, signed here with BearSSL's default signers. */
	spoiled = 0;
	if (cr->key_type == BR_KEYTYPE_EC)
		br_ssl_client_set_single_ec(cc, cr->chain, cr->chain_len, &cr->ec_key, BR_KEYTYPE_SIGN,
					    0, ec_impl(),
					    c->spoil_signature ? spoiled_ecdsa_sign : ec_ecdsa_sign());
	else if (cr->key_type == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(cc, cr->chain, cr->chain_len, &cr->rsa_key,
					     c->spoil_signature ? spoiled_pkcs1_sign :
					     br_rsa_pkcs1_sign_get_default());
	/* pick_suites() for the client role: all the profile's. */
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, p->suites, p->suite_count);
	verifier_init(&c->verifier, &c->minimal, p->policy.server_auth);
	br_ssl_engine_set_x509(eng, &c->verifier.vtable);
	nalpn = env_split_alpn(c->alpn, MAX_ALPN, c->alpn_store, sizeof(c->alpn_store), p->alpn);
	if (nalpn) {
		br_ssl_engine_set_protocol_names(eng, c->alpn, nalpn);
		flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
	}
	br_ssl_engine_set_all_flags(eng, flags);
	br_ssl_engine_set_buffer(eng, c->iobuf, sizeof(c->iobuf), 0);
	env_fill_seed(seed);
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	/* A session to resume, as a client that kept it would offer it. */
	if (offer)
		br_ssl_engine_set_session_parameters(eng, offer);
	return br_ssl_client_reset(cc, "localhost", offer != NULL) ? 0 : -1;
}

/* ---- Our server ---- */

/*
 * choose_engine(): the ClientHello read and parsed; a TLS 1.2 one goes to
 * our engine unless the profile's chain is larger than our flight
 * (BearSSL's, which no profile here has). A profile that asks for client
 * certificates gives it a verifier on the profile's anchors, set up as
 * start_server() sets it up. 1 when our engine started, 0 to wait, -1
 * failed (conn.error set).
 */
static int server_choose(struct server *s)
{
	const struct profile *p = s->profile;
	struct t13_client_hello ch;
	const uint8_t *msg;
	uint8_t seed[32];
	size_t len;
	int r = t13_rx_client_hello(&s->conn, &msg, &len);

	if (r <= 0)
		return r;
	if (r == 2)
		return t13_fail(&s->conn, EPROTO, -1, 0, "no ClientHello: BearSSL's server would take it");
	r = t13_parse_client_hello(&ch, msg, len);
	if (r < 0)
		return t13_fail_alert(&s->conn, r, "malformed ClientHello");
	if (!t13_client_hello_offers_13(&ch) || !p->suite13_count) {
		if (!p->suite_count)
			return t13_fail(&s->conn, EPROTO, T13_ALERT_PROTOCOL_VERSION, 0,
					"the client does not offer TLS 1.3, the profile's only version");
		if (p->server12_bearssl)
			return t13_fail(&s->conn, EPROTO, -1, 0, "BearSSL's server would take it");
	}
	if (p->policy.client_auth != VERIFY_NONE) {
		br_x509_minimal_init_full(&s->minimal, p->creds.anchors, p->creds.anchor_count);
		ec_use_in_x509(&s->minimal);
		verifier_init(&s->verifier, &s->minimal, p->policy.client_auth);
	}
	/* No ticket keys (TLS 1.2 has no use for them). */
	env_fill_seed(seed);
	t13_server_start(&s->server, &s->conn, p,
			 p->policy.client_auth != VERIFY_NONE ? &s->verifier : NULL, NULL,
			 p->session_cache ? s->cache12 : NULL, seed);
	explicit_bzero(seed, sizeof(seed));
	s->started = 1;
	return 1;
}

/* step13(): on failure the alert, as handshake.c's fail() sends it, then the shutdown; on success the keys. */
static void server_step(struct server *s)
{
	struct t13_error *e = &s->conn.error;
	int r;

	if (s->done)
		return;
	if (!s->started) {
		r = server_choose(s);
		if (r == 0)
			return;
	}
	if (s->started && t13_server_step(&s->server) != T13_DONE)
		return;
	s->done = 1;
	if (e->status) {
		s->alert_protected = s->conn.tx.keyed;
		if (e->alert >= 0 && t13_tx_alert(&s->conn, e->alert) == 0)
			s->alert_sent = e->alert;
		shutdown(s->conn.fd, SHUT_RDWR);
		return;
	}
	s->keys_ok = t13_server_keys(&s->server, &s->keys) == 0;
}

/* ---- The relay ---- */

/* One extension (@type, its @len bytes of @data) of the ClientHello, written again as the case says. */
static void edit_extension(struct lane *l, struct t13_buf *b, uint16_t type, const uint8_t *data,
			   size_t len)
{
	const struct hs_case *hc = ((const struct run *)l->user)->hc;
	size_t ext;

	switch (l->tamper) {
	case TAMPER_HELLO_DROP_EXT:
		if (type == hc->from)
			return;
		break;
	case TAMPER_HELLO_RENEG_SCSV:
		if (type == T13_EXT_RENEGOTIATION_INFO)
			return;
		break;
	case TAMPER_HELLO_RENEG:
		if (type != T13_EXT_RENEGOTIATION_INFO)
			break;
		/* renegotiated_connection<0..255>: one byte, where an initial handshake has none. */
		t13_put_u16(b, type);
		t13_put_u16(b, 2);
		t13_put_u8(b, 1);
		t13_put_u8(b, 0x2a);
		return;
	case TAMPER_HELLO_GROUP:
	case TAMPER_HELLO_POINT_FORMATS:
		if (type != (l->tamper == TAMPER_HELLO_GROUP ? T13_EXT_SUPPORTED_GROUPS :
			     T13_EXT_EC_POINT_FORMATS))
			break;
		t13_put_u16(b, type);
		ext = t13_vec_open(b, 2);
		t13_put_bytes(b, data, len);
		t13_vec_close(b, ext, 2);
		/* The list follows its 2-byte (groups) or 1-byte (formats) length. */
		if (l->tamper == TAMPER_HELLO_POINT_FORMATS) {
			for (size_t i = 1; i < len; i++)
				b->p[ext + 2 + i] = 1;	/* ansiX962_compressed_prime */
			return;
		}
		for (size_t i = 2; i + 1 < len; i += 2)
			if (t13_get16(b->p + ext + 2 + i) == hc->from)
				t13_put16(b->p + ext + 2 + i, hc->patch);
		return;
	default:
		break;
	}
	t13_put_u16(b, type);
	t13_put_vec(b, 2, data, len);
}

/*
 * The ClientHello, alone in BearSSL's first record, rebuilt as the case
 * says, the record's, the message's and the lists' lengths following.
 * 1 if done.
 */
static int edit_client_hello(struct lane *l)
{
	const struct hs_case *hc = ((const struct run *)l->user)->hc;
	uint8_t in[T13_MAX_PLAINTEXT], out[T13_MAX_PLAINTEXT];
	size_t len = l->have - T13_RECORD_HEADER, at, n, msg, vec, end;
	struct t13_buf b;

	if (l->records != 1 || l->rec[0] != T13_CT_HANDSHAKE || len < 4 || len > sizeof(in) ||
	    l->rec[T13_RECORD_HEADER] != T13_HS_CLIENT_HELLO ||
	    4 + t13_get24(l->rec + T13_RECORD_HEADER + 1) != len)
		return 0;
	memcpy(in, l->rec + T13_RECORD_HEADER + 4, len - 4);
	len -= 4;
	t13_buf_init(&b, out, sizeof(out));
	msg = t13_hs_open(&b, T13_HS_CLIENT_HELLO);
	/* client_version, random, session_id */
	at = 2 + T13_RANDOM_LEN;
	if (at + 1 > len || at + 1 + in[at] + 2 > len)
		return 0;
	n = 1 + in[at];
	t13_put_bytes(&b, in, at + n);
	at += n;
	/* cipher_suites */
	n = t13_get16(in + at);
	if (at + 2 + n + 1 > len)
		return 0;
	vec = t13_vec_open(&b, 2);
	t13_put_bytes(&b, in + at + 2, n);
	if (l->tamper == TAMPER_HELLO_FALLBACK)
		t13_put_u16(&b, FALLBACK_SCSV);
	if (l->tamper == TAMPER_HELLO_RENEG_SCSV)
		t13_put_u16(&b, RENEG_SCSV);
	t13_vec_close(&b, vec, 2);
	if (l->tamper == TAMPER_HELLO_SUITE &&
	    !patch_client_hello(out + 4, b.len - 4, hc->from, hc->patch))
		return 0;
	at += 2 + n;
	/* compression_methods */
	n = 1 + in[at];
	if (at + n + 2 > len)
		return 0;
	if (l->tamper == TAMPER_HELLO_COMPRESSION) {
		t13_put_u8(&b, 1);
		t13_put_u8(&b, 1);
	} else {
		t13_put_bytes(&b, in + at, n);
	}
	at += n;
	/* extensions */
	end = at + 2 + t13_get16(in + at);
	if (end != len)
		return 0;
	vec = t13_vec_open(&b, 2);
	for (at += 2; at + 4 <= end; at += 4 + n) {
		n = t13_get16(in + at + 2);
		if (at + 4 + n > end)
			return 0;
		edit_extension(l, &b, t13_get16(in + at), in + at + 4, n);
	}
	if (l->tamper == TAMPER_HELLO_EMS) {
		t13_put_u16(&b, T13_EXT_EXTENDED_MASTER_SECRET);
		t13_put_u16(&b, 0);
	}
	t13_vec_close(&b, vec, 2);
	t13_hs_close(&b, msg);
	if (b.overflow || b.len > T13_MAX_PLAINTEXT)
		return 0;
	memcpy(l->rec + T13_RECORD_HEADER, out, b.len);
	t13_put16(l->rec + 3, (unsigned)b.len);
	l->have = T13_RECORD_HEADER + b.len;
	return 1;
}

/*
 * BearSSL's CertificateVerify (RFC 5246 §7.4.8: its scheme, then
 * signature<0..2^16-1>): its scheme kept, as BearSSL chose it, then the
 * message altered as the case says.
 */
static void client_certificate_verify(struct lane *l, uint8_t *body, size_t len)
{
	struct run *r = l->user;

	if (len < 5 || t13_get16(body + 2) != len - 4)
		return;
	r->cv_seen = 1;
	r->cv_scheme = t13_get16(body);
	if (l->tamper == TAMPER_CV_SIGNED_WRONG) {
		l->tampered = spoiled > 0;
	} else if (l->tamper == TAMPER_CV_SIGNATURE) {
		body[len - 1] ^= 0x01;
		l->tampered = 1;
	} else if (l->tamper == TAMPER_CV_SCHEME) {
		t13_put16(body, r->hc->patch);
		l->tampered = 1;
	}
}

/*
 * One of BearSSL's handshake messages in the clear: its ClientHello's
 * session ID, its Certificate's length and its CertificateVerify's scheme
 * kept, its point and its CertificateVerify altered.
 */
static void client_message(struct lane *l, uint8_t type, uint8_t *body, size_t len)
{
	struct run *r = l->user;
	const struct hs_case *hc = r->hc;
	size_t sid_at = 2 + T13_RANDOM_LEN;

	if (type == T13_HS_CLIENT_HELLO && len > sid_at && body[sid_at] <= sizeof(r->offered_id) &&
	    sid_at + 1 + body[sid_at] <= len) {
		r->offered_id_len = body[sid_at];
		memcpy(r->offered_id, body + sid_at + 1, r->offered_id_len);
		r->client_hello_seen = 1;
	}
	/* certificate_list<0..2^24-1> (RFC 5246 §7.4.2). */
	if (type == T13_HS_CERTIFICATE && len >= 3 && t13_get24(body) == len - 3) {
		r->client_chain_len = len - 3;
		r->client_cert_seen = 1;
	}
	if (type == T13_HS_CERTIFICATE_VERIFY)
		client_certificate_verify(l, body, len);
	if (type != T12_HS_CLIENT_KEY_EXCHANGE || len < 2 || body[0] != len - 1)
		return;
	/* ClientECDiffieHellmanPublic: point<1..2^8-1> (RFC 8422 §5.7). */
	switch (l->tamper) {
	case TAMPER_CKE_PREFIX:
		body[1] = (uint8_t)hc->patch;
		l->tampered = 1;
		break;
	case TAMPER_CKE_ZERO:
		memset(body + 1, 0, len - 1);
		l->tampered = 1;
		break;
	case TAMPER_CKE_LAST_BIT:
		body[len - 1] ^= 0x01;
		l->tampered = 1;
		break;
	default:
		break;
	}
}

/*
 * BearSSL's key block, from what its engine holds once its
 * ClientKeyExchange is out: the key its Finished is sealed under (its
 * first record under that key, in a full handshake as in a resumed one).
 */
static int client_key_block(struct run *r)
{
	const br_ssl_engine_context *eng = &r->client->cc.eng;

	return keys_derive(&r->client_keys, eng->session.cipher_suite, KTLSD_ROLE_CLIENT,
			   eng->session.master_secret, eng->client_random, eng->server_random, 0,
			   0) == 0;
}

/*
 * The record holding BearSSL's ClientKeyExchange alone, one byte shorter
 * or longer as the case says: the point's, the message's and the record's
 * lengths follow, but for the byte added behind the point. 1 if done.
 */
static int resize_client_key_exchange(struct lane *l)
{
	uint8_t *msg = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER;
	int grow = l->tamper == TAMPER_CKE_TRAILING ? 1 : -1;

	if (len < 6 || msg[0] != T12_HS_CLIENT_KEY_EXCHANGE || t13_get24(msg + 1) != len - 4 ||
	    msg[4] != len - 5 || l->have + 1 > sizeof(l->rec))
		return 0;
	if (grow < 0)
		msg[4]--;
	else
		l->rec[l->have] = 0;
	t13_put24(msg + 1, (uint32_t)(len - 4 + grow));
	t13_put16(l->rec + 3, (unsigned)(len + grow));
	l->have += grow;
	return 1;
}

/*
 * The record holding BearSSL's CertificateVerify (with its Certificate and
 * ClientKeyExchange, before it), the CertificateVerify left out: the
 * record's length follows. 1 if done.
 */
static int drop_certificate_verify(struct lane *l)
{
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER, n;

	for (size_t off = 0; off + 4 <= len; off += 4 + n) {
		n = t13_get24(body + off + 1);
		if (n > len - off - 4)
			return 0;
		/* Alone in its record, it would leave an empty record: not done. */
		if (body[off] != T13_HS_CERTIFICATE_VERIFY || n + 4 == len)
			continue;
		memmove(body + off, body + off + 4 + n, len - off - 4 - n);
		t13_put16(l->rec + 3, (unsigned)(len - 4 - n));
		l->have -= 4 + n;
		return 1;
	}
	return 0;
}

/*
 * A whole record from BearSSL: its ClientHello, ClientKeyExchange,
 * CertificateVerify or Finished altered as said.
 */
static void to_server_record(struct lane *l)
{
	struct run *r = l->user;
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER;

	if (l->rec[0] != T13_CT_HANDSHAKE)
		return;
	if (!l->ccs_seen) {
		lane_each_message(l, client_message);
		if (l->records == 1 && l->tamper >= TAMPER_HELLO_SUITE && l->tamper <= TAMPER_HELLO_EMS)
			l->tampered = edit_client_hello(l);
		if (l->tamper == TAMPER_CKE_SHORT || l->tamper == TAMPER_CKE_TRAILING)
			l->tampered |= resize_client_key_exchange(l);
		if (l->tamper == TAMPER_CV_DROP)
			l->tampered |= drop_certificate_verify(l);
		return;
	}
	/* The first handshake record after the ChangeCipherSpec is the Finished. */
	if (l->tampered)
		return;
	if (l->tamper == TAMPER_FINISHED_RECORD && len > FINISHED_FLIP_AT) {
		body[FINISHED_FLIP_AT] ^= 0x01;
		l->tampered = 1;
	} else if (l->tamper == TAMPER_FINISHED_CONTENT) {
		l->tampered = client_key_block(r) &&
			      reseal_finished(l, r->client_keys.suite, &r->client_keys.tx);
	}
}

/*
 * Our flight's messages (their types kept), our ServerHello and
 * CertificateRequest (kept), our ServerKeyExchange (altered, if the case
 * says).
 */
static void server_message(struct lane *l, uint8_t type, uint8_t *body, size_t len)
{
	struct run *r = l->user;
	size_t sid_at = 2 + T13_RANDOM_LEN, exts_at;

	if (r->flight_len < sizeof(r->flight))
		r->flight[r->flight_len++] = type;
	if (type == T13_HS_CERTIFICATE_REQUEST && len <= sizeof(r->cert_request)) {
		memcpy(r->cert_request, body, len);
		r->cert_request_len = len;
	}

	if (type == T13_HS_SERVER_HELLO && len > sid_at && sid_at + 1 + body[sid_at] <= len &&
	    body[sid_at] <= sizeof(r->session_id)) {
		memcpy(r->server_random, body + 2, T13_RANDOM_LEN);
		r->session_id_len = body[sid_at];
		memcpy(r->session_id, body + sid_at + 1, r->session_id_len);
		/* cipher_suite, compression_method, then the extensions, if any (RFC 5246 §7.4.1.3). */
		exts_at = sid_at + 1 + body[sid_at] + 3;
		if (exts_at + 2 <= len && len - exts_at - 2 == t13_get16(body + exts_at) &&
		    len - exts_at - 2 <= sizeof(r->hello_exts)) {
			r->hello_exts_len = len - exts_at - 2;
			memcpy(r->hello_exts, body + exts_at + 2, r->hello_exts_len);
		}
		r->hello_seen = 1;
	}
	/* The signature ends the message (RFC 8422 §5.4). */
	if (type == T12_HS_SERVER_KEY_EXCHANGE && l->tamper == TAMPER_SKE_SIGNATURE && len > 0) {
		body[len - 1] ^= 0x01;
		l->tampered = 1;
	}
}

static void to_client_record(struct lane *l)
{
	lane_each_message(l, server_message);
}

/* ---- One run ---- */

static int write_conf(const struct run *r, char *path, size_t path_len)
{
	char text[2048];
	int n;

	/* The same lines under two names: a session is the profile's that made it. */
	n = snprintf(text, sizeof(text),
		     "[daemon]\nuser = nobody\n"
		     "[profile server]\nrole = server\n%s"
		     "[profile other]\nrole = server\n%s"
		     "[profile client]\nrole = client\nca = %%s/ca.crt\n%s",
		     r->server_lines, r->server_lines, r->client_lines);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return env_write_conf(dir, text, path, path_len);
}

static int open_sockets(struct run *r)
{
	const struct hs_case *hc = r->hc;
	struct lane *to_server = &r->to_server, *to_client = &r->to_client;

	if (relay_open(r->wire, r->fds, to_server, to_client) < 0)
		return -1;
	if (r->wire == WIRE_DIRECT)
		return 0;
	to_server->on_record = to_server_record;
	to_client->on_record = to_client_record;
	to_server->user = to_client->user = r;
	if (r->tamper == TAMPER_SKE_SIGNATURE)
		to_client->tamper = r->tamper;
	else
		to_server->tamper = r->tamper;
	to_server->inject = hc->inject;
	to_server->inject_len = hc->inject_len;
	to_server->inject_left = hc->inject ? hc->inject_count : 0;
	to_server->before_ccs = !hc->before_cke;
	to_server->before_record = hc->before_cke ? 2 : 0;
	return 0;
}

/* Load the profiles, open the sockets, start BearSSL's client; ours waits for its ClientHello. */
static int setup(struct run *r)
{
	char path[512];

	if (write_conf(r, path, sizeof(path)) < 0 || config_load(&r->cfg, path) < 0) {
		diag("%s: %s", r->name, r->cfg.error);
		return -1;
	}
	r->client = calloc(1, sizeof(*r->client));
	r->server = calloc(1, sizeof(*r->server));
	if (!r->client || !r->server)
		return -1;
	r->client->profile = config_profile(&r->cfg, "client");
	r->client->spoil_signature = r->tamper == TAMPER_CV_SIGNED_WRONG;
	r->server->profile = config_profile(&r->cfg, r->server_profile);
	r->server->cache12 = r->cache;
	r->server->alert_sent = -1;
	if (!r->client->profile || !r->server->profile || open_sockets(r) < 0)
		return -1;
	t13_conn_init(&r->server->conn, r->fds[1]);
	if (client_start(r->client, r->fds[0], r->offer) < 0) {
		diag("%s: BearSSL's client does not start (error %d)", r->name,
		     br_ssl_engine_last_error(&r->client->cc.eng));
		return -1;
	}
	return 0;
}

static int relay_round(struct run *r)
{
	return relay_move(r->wire, &r->to_server, &r->to_client);
}

/* Both ends in turn (and the relay) until both are done and nothing moves. */
static int pump(struct run *r)
{
	for (r->rounds = 1; r->rounds <= MAX_ROUNDS; r->rounds++) {
		br_end_step(&r->client->end);
		server_step(r->server);
		if (!relay_round(r) && br_end_over(&r->client->end) && r->server->done)
			return 0;
	}
	r->rounds = MAX_ROUNDS;
	return -1;
}

static void show_errors(const struct run *r)
{
	const struct t13_error *e = &r->server->conn.error;

	diag("server: status %d alert %d received %d tls_error %d: %s", e->status, e->alert,
	     e->alert_received, e->tls_error, e->what);
	diag("client: BearSSL last error %d, handshake %s%s",
	     br_ssl_engine_last_error(&r->client->cc.eng),
	     r->client->end.handshake_done ? "done" : "not done",
	     r->client->end.closed ? ", closed" : "");
}

static void teardown(struct run *r)
{
	for (size_t i = 0; i < 4; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	r->fds[0] = r->fds[1] = r->fds[2] = r->fds[3] = -1;
	if (r->server) {
		t13_server_wipe(&r->server->server);
		t13_conn_wipe(&r->server->conn);
		explicit_bzero(r->server, sizeof(*r->server));
	}
	/* BearSSL's context holds the master secret and the record keys. */
	if (r->client)
		explicit_bzero(r->client, sizeof(*r->client));
	free(r->client);
	free(r->server);
	r->client = NULL;
	r->server = NULL;
	if (r->cfg.profiles)
		config_free(&r->cfg);
	memset(&r->cfg, 0, sizeof(r->cfg));
	explicit_bzero(&r->client_keys, sizeof(r->client_keys));
}

/* Set up and pump one handshake; 0 if both ends got to their end (checked). */
static int run_handshake(struct run *r)
{
	int pumped;

	for (size_t i = 0; i < 4; i++)
		r->fds[i] = -1;
	handshakes++;
	if (!ok(setup(r) == 0, "%s: profiles load, both ends start", r->name))
		return -1;
	pumped = pump(r);
	if (!ok(pumped == 0, "%s: both ends are done (%d rounds)", r->name, r->rounds)) {
		show_errors(r);
		return -1;
	}
	return 0;
}

/* ---- Success ---- */

/* One round of both ends and the relay (check_bearssl_reads()). */
static void both_round(void *arg)
{
	struct run *r = arg;

	br_end_step(&r->client->end);
	relay_round(r);
}

/* The data of extension @type in our ServerHello: its length, or -1 if it has none. */
static int hello_ext(const struct run *r, uint16_t type, const uint8_t **data)
{
	for (size_t at = 0; at + 4 <= r->hello_exts_len;) {
		size_t n = t13_get16(r->hello_exts + at + 2);

		if (at + 4 + n > r->hello_exts_len)
			return -1;
		if (t13_get16(r->hello_exts + at) == type) {
			*data = r->hello_exts + at + 4;
			return (int)n;
		}
		at += 4 + n;
	}
	return -1;
}

/*
 * Our ServerHello answers what BearSSL's ClientHello (as the test left
 * it) asked, and nothing more: an empty renegotiation_info (RFC 5746
 * §3.6), ec_point_formats with uncompressed (RFC 8422 §5.2), an empty
 * server_name in a full handshake only (RFC 6066 §3), the extended
 * master secret only when offered (RFC 7627), ALPN's one name when chosen.
 */
static void check_server_hello(const struct run *r, int resumed)
{
	const struct hs_case *hc = r->hc;
	const uint8_t *d = NULL;
	int reneg = hello_ext(r, T13_EXT_RENEGOTIATION_INFO, &d) == 1 && d[0] == 0;
	int pf = hello_ext(r, T13_EXT_EC_POINT_FORMATS, &d) >= 2 && memchr(d + 1, 0, d[0]);
	int pf_offered = !(hc->tamper == TAMPER_HELLO_DROP_EXT && hc->from == T13_EXT_EC_POINT_FORMATS);
	int sni = hello_ext(r, T13_EXT_SERVER_NAME, &d) == 0;
	int ems = hello_ext(r, T13_EXT_EXTENDED_MASTER_SECRET, &d) == 0;
	int alpn_len = hello_ext(r, T13_EXT_ALPN, &d);
	int alpn = hc->alpn ? alpn_len == (int)(3 + strlen(hc->alpn)) &&
			      !memcmp(d + 3, hc->alpn, strlen(hc->alpn)) : alpn_len == -1;

	ok(reneg, "%s: our ServerHello has an empty renegotiation_info", r->name);
	ok(pf == pf_offered, "%s: ... ec_point_formats with uncompressed %s", r->name,
	   pf ? "(as asked)" : "left out (not asked)");
	ok(sni == !resumed, "%s: ... %s server_name", r->name, sni ? "an empty" : "no");
	ok(ems == (hc->tamper == TAMPER_HELLO_EMS), "%s: ... %s extended_master_secret", r->name,
	   ems ? "the" : "no");
	ok(alpn, "%s: ... ALPN as chosen ('%s')", r->name, hc->alpn ? hc->alpn : "");
}

/* Our server asks for client certificates in this run. */
static int asks_client(const struct run *r)
{
	return r->server->profile->policy.client_auth != VERIFY_NONE;
}

/*
 * Our first flight, as it went by: ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone (RFC 5246 §7.3), with a
 * CertificateRequest before the last when the profile asks for client
 * certificates (§7.4.4): certificate_types rsa_sign (1) and ecdsa_sign (64,
 * RFC 8422 §5.5), the three schemes of @suite's PRF hash (what the
 * CertificateVerify may sign, §7.4.8), no certificate_authorities.
 */
static void check_flight(const struct run *r, uint16_t suite)
{
	static const uint8_t plain[] = { T13_HS_SERVER_HELLO, T13_HS_CERTIFICATE,
					 T12_HS_SERVER_KEY_EXCHANGE, T12_HS_SERVER_HELLO_DONE };
	static const uint8_t asking[] = { T13_HS_SERVER_HELLO, T13_HS_CERTIFICATE,
					  T12_HS_SERVER_KEY_EXCHANGE, T13_HS_CERTIFICATE_REQUEST,
					  T12_HS_SERVER_HELLO_DONE };
	static const uint16_t sha256[3] = { ECDSA_P256, PSS_SHA256, PKCS1_SHA256 };
	static const uint16_t sha384[3] = { ECDSA_P384, PSS_SHA384, PKCS1_SHA384 };
	int asks = asks_client(r), prf384 = suite == ECDSA_AES256 || suite == RSA_AES256;
	const uint16_t *schemes = prf384 ? sha384 : sha256;
	uint8_t want[3 + 2 + 6 + 2] = { 2, 1, 64, 0, 6 };

	ok(r->flight_len == (asks ? sizeof(asking) : sizeof(plain)) &&
	   !memcmp(r->flight, asks ? asking : plain, r->flight_len),
	   "%s: our flight: ServerHello, Certificate, ServerKeyExchange, %sServerHelloDone (%zu messages)",
	   r->name, asks ? "CertificateRequest, " : "", r->flight_len);
	if (!asks)
		return;
	for (size_t i = 0; i < 3; i++)
		t13_put16(want + 5 + 2 * i, schemes[i]);
	ok(r->cert_request_len == sizeof(want) && !memcmp(r->cert_request, want, sizeof(want)),
	   "%s: our CertificateRequest: rsa_sign, ecdsa_sign; 0x%04x 0x%04x 0x%04x (the %s PRF's); "
	   "no certificate_authorities (%zu bytes)", r->name, schemes[0], schemes[1], schemes[2],
	   prf384 ? "SHA-384" : "SHA-256", r->cert_request_len);
}

/*
 * BearSSL's answer to our CertificateRequest, as it went by: its chain, or
 * an empty Certificate when its profile has none (RFC 5246 §7.4.6); its
 * CertificateVerify with the scheme the case says, or none after an empty
 * Certificate (§7.4.8).
 */
static void check_client_certificate(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	int has = r->client->profile->creds.chain_len > 0;

	ok(r->client_cert_seen && (r->client_chain_len > 0) == has,
	   "%s: BearSSL answers with %s Certificate (certificate_list of %zu bytes)", r->name,
	   has ? "its" : "an empty", r->client_chain_len);
	ok(r->cv_seen == (hc->client_scheme != 0) && r->cv_scheme == hc->client_scheme,
	   "%s: BearSSL's CertificateVerify: %s, scheme 0x%04x, want 0x%04x", r->name,
	   r->cv_seen ? "sent" : "none", r->cv_scheme, hc->client_scheme);
}

/* BearSSL offered the session the case gave it (its ClientHello's session ID). */
static void check_offered(const struct run *r)
{
	ok(r->offered_id_len == 32 && !memcmp(r->offered_id, r->offer->session_id, 32),
	   "%s: BearSSL's ClientHello offers the session (ID of %zu bytes)", r->name,
	   r->offered_id_len);
}

/* RFC 8446 §4.1.3: a server that has TLS 1.3, negotiating 1.2, ends its random so. */
static void check_sentinel(const struct run *r)
{
	static const uint8_t sentinel[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 1 };
	int has13 = r->server->profile->suite13_count > 0;
	int has = !memcmp(r->server_random + T13_RANDOM_LEN - 8, sentinel, 8);

	ok(has == has13, "%s: our ServerHello random %s \"DOWNGRD\" 01 (the profile %s TLS 1.3)",
	   r->name, has ? "ends in" : "does not end in", has13 ? "allows" : "does not allow");
}

static void check_outcome(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_server *s = &r->server->server;
	const struct t13_outcome *o = &s->outcome;
	int resumed = r->offer ? hc->resumed : 0;

	ok(o->version == T12_VERSION, "%s: TLS 1.2 (version 0x%04x)", r->name, o->version);
	ok(o->suite == hc->suite, "%s: suite 0x%04x, want 0x%04x", r->name, o->suite, hc->suite);
	ok(o->resumed == resumed, "%s: %s (resumed %d)", r->name,
	   resumed ? "resumed" : "a full handshake", o->resumed);
	/* A resumed session takes no key exchange and signs nothing. */
	ok(o->group == (resumed ? 0 : hc->group), "%s: group 0x%04x, want 0x%04x", r->name, o->group,
	   resumed ? 0 : hc->group);
	ok(o->sig_scheme == (resumed ? 0 : hc->scheme), "%s: ServerKeyExchange scheme 0x%04x, want 0x%04x",
	   r->name, o->sig_scheme, resumed ? 0 : hc->scheme);
	ok(!strcmp(o->alpn, hc->alpn ? hc->alpn : ""), "%s: ALPN '%s'", r->name, o->alpn);
	ok(!strcmp(o->server_name, "localhost"), "%s: the client's server name '%s'", r->name,
	   o->server_name);
	ok(o->peer_verified == (hc->peer_subject != NULL) &&
	   !strcmp(o->peer_subject, hc->peer_subject ? hc->peer_subject : "") &&
	   !strcmp(o->peer_san, hc->peer_san ? hc->peer_san : ""),
	   "%s: peer_verified %d, subject '%s', SAN '%s' (want %d, '%s', '%s')", r->name,
	   o->peer_verified, o->peer_subject, o->peer_san, hc->peer_subject != NULL,
	   hc->peer_subject ? hc->peer_subject : "", hc->peer_san ? hc->peer_san : "");
	ok(!s->t12.extended_master_secret,
	   "%s: BearSSL 0.6 sends no extended_master_secret: the RFC 5246 master secret", r->name);
}

/* Our server keeps sessions for @p: it has session_cache = yes and asks for no client certificate. */
static int keeps_sessions(const struct profile *p)
{
	return p->session_cache && p->policy.client_auth == VERIFY_NONE;
}

/* BearSSL's view of what it agreed, and of the session. */
static void check_client_view(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_server *s = &r->server->server;
	br_ssl_engine_context *eng = &r->client->cc.eng;
	const char *alpn = br_ssl_engine_get_selected_protocol(eng);
	int resumed = r->offer ? hc->resumed : 0;
	br_ssl_session_parameters params;

	br_ssl_engine_get_session_parameters(eng, &params);
	ok(br_ssl_engine_get_version(eng) == BR_TLS12 && params.cipher_suite == hc->suite,
	   "%s: BearSSL agrees: TLS 1.2, suite 0x%04x", r->name, params.cipher_suite);
	if (!resumed)
		ok(br_ssl_engine_get_ecdhe_curve(eng) == hc->group, "%s: BearSSL's ECDHE curve %d",
		   r->name, br_ssl_engine_get_ecdhe_curve(eng));
	ok(!strcmp(alpn ? alpn : "", hc->alpn ? hc->alpn : ""), "%s: BearSSL got ALPN '%s'", r->name,
	   alpn ? alpn : "");
	/* The session ID our ServerHello gave: the offered one when resumed, a new one otherwise. */
	if (keeps_sessions(r->server->profile))
		ok(params.session_id_len == 32 && s->t12.session_id_len == 32 &&
		   !memcmp(params.session_id, s->t12.session_id, 32) &&
		   (r->offer && !memcmp(params.session_id, r->offer->session_id, 32)) == resumed,
		   "%s: BearSSL holds our session ID (%zu bytes), %s", r->name,
		   (size_t)params.session_id_len, resumed ? "the one it offered" : "a new one");
	else
		ok(params.session_id_len == 0 && s->t12.session_id_len == 0,
		   "%s: %s: an empty session ID (%zu bytes)", r->name,
		   r->server->profile->session_cache ? "client certificates asked for" :
		   "session_cache = no", (size_t)params.session_id_len);
	explicit_bzero(&params, sizeof(params));
}

/* A full handshake's session is in the cache, for this profile, with BearSSL's master secret. */
static void check_session_kept(const struct run *r)
{
	const br_ssl_engine_context *eng = &r->client->cc.eng;
	const struct t13_server *s = &r->server->server;
	br_ssl_session_parameters got;
	int ems = -1, found;

	if (!keeps_sessions(r->server->profile))
		return;
	memset(&got, 0, sizeof(got));
	memcpy(got.session_id, s->t12.session_id, 32);
	got.session_id_len = 32;
	found = session_cache_load(r->cache, r->server->profile->name, s->outcome.server_name, &got,
				   &ems, t13_now_ms());
	ok(found && ems == 0 && got.version == BR_TLS12 &&
	   got.cipher_suite == eng->session.cipher_suite &&
	   !memcmp(got.master_secret, eng->session.master_secret, 48),
	   "%s: the session is in the cache (found %d): suite 0x%04x, not EMS, BearSSL's master secret",
	   r->name, found, got.cipher_suite);
	explicit_bzero(&got, sizeof(got));
}

static void check_success(struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct server *s = r->server;
	const struct br_end *c = &r->client->end;

	if (!ok(!s->conn.error.status && s->keys_ok && c->handshake_done && !c->closed && c->keys_ok,
		"%s: both ends succeed", r->name)) {
		show_errors(r);
		return;
	}
	check_outcome(r);
	check_client_view(r);
	if (r->offer && r->client_hello_seen)
		check_offered(r);
	if (r->hello_seen) {
		check_sentinel(r);
		check_server_hello(r, r->offer ? hc->resumed : 0);
		if (!(r->offer && hc->resumed))
			check_flight(r, hc->suite);
		if (asks_client(r))
			check_client_certificate(r);
	}
	check_session_kept(r);
	check_keys(r->name, hc->suite, &s->keys, &c->keys);
	check_exact_read(r->name, s->conn.fd, &s->keys, client_data, sizeof(client_data));
	check_bearssl_reads(r->name, s->conn.fd, &s->keys, server_data, sizeof(server_data),
			    &r->client->end, both_round, r, MAX_ROUNDS);
}

/* ---- Failure ---- */

/* How the run ended, for t12_relay.h's failure checks. */
static struct t12_ending ending(const struct run *r)
{
	return (struct t12_ending){ .name = r->name, .ours = "our server",
				    .error = &r->server->conn.error,
				    .alert_sent = r->server->alert_sent,
				    .alert_protected = r->server->alert_protected,
				    .bearssl = &r->client->end };
}

/* What our server had chosen when it failed, and what its ServerHello said, when the case says. */
static void check_failed_choice(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_outcome *o = &r->server->server.outcome;

	if (hc->group)
		ok(o->group == hc->group, "%s: our server had chosen group 0x%04x, want 0x%04x", r->name,
		   o->group, hc->group);
	if (r->offer && r->hello_seen)
		ok(o->resumed == hc->resumed &&
		   (r->session_id_len == 32 && !memcmp(r->session_id, r->offer->session_id, 32)) ==
		   hc->resumed,
		   "%s: our ServerHello %s the offered session (resumed %d)", r->name,
		   hc->resumed ? "resumes" : "does not resume", o->resumed);
	if (hc->tamper == TAMPER_HELLO_EMS)
		ok(r->server->server.t12.extended_master_secret,
		   "%s: ... it takes the extended master secret the ClientHello offers", r->name);
	if (r->offer && r->client_hello_seen)
		check_offered(r);
	if (r->hello_seen) {
		check_sentinel(r);
		check_server_hello(r, hc->resumed);
	}
	/* Where the case names the suite, our whole flight went out: BearSSL answered it. */
	if (hc->suite && r->hello_seen) {
		check_flight(r, hc->suite);
		if (asks_client(r))
			check_client_certificate(r);
	}
}

static void check_failure(struct run *r)
{
	const struct hs_case *hc = r->hc;
	struct t12_ending x = ending(r);
	int good;

	if (hc->inject)
		check_injected(&x, &r->to_server, hc->inject_count);
	if (hc->fails == SERVER && hc->alert_from_test)
		good = check_test_alert(&x, hc->status, hc->alert, 0);
	else if (hc->fails == SERVER)
		good = check_our_failure(&x, hc->status, hc->alert, hc->alert_protected);
	else
		good = check_bearssl_failure(&x, hc->client_error, hc->status, hc->alert);
	if (hc->what)
		good &= ok(strstr(r->server->conn.error.what, hc->what) != NULL,
			   "%s: our server says why: '%s'", r->name, r->server->conn.error.what);
	if (!good)
		show_errors(r);
	check_failed_choice(r);
}

/* ---- Sessions ---- */

/*
 * The first handshake of a case that resumes: full, with the case's
 * profiles, straight over a socketpair. The session BearSSL then holds
 * goes to @params, and is made to fit the case (expired, EMS).
 */
static int first_handshake(const struct hs_case *hc, br_ssl_session_parameters *params)
{
	char name[160];
	struct run r;
	int good = 0;

	memset(&r, 0, sizeof(r));
	snprintf(name, sizeof(name), "%s, first handshake", hc->name);
	r = (struct run){ .hc = hc, .name = name, .wire = WIRE_DIRECT, .server_lines = hc->server,
			  .client_lines = hc->client, .server_profile = "server", .cache = cache };
	if (run_handshake(&r) == 0 &&
	    ok(!r.server->conn.error.status && r.server->keys_ok && r.client->end.handshake_done &&
	       !r.server->server.outcome.resumed, "%s: full, both ends succeed", name)) {
		check_session_kept(&r);
		br_ssl_engine_get_session_parameters(&r.client->cc.eng, params);
		good = params->session_id_len == 32;
	}
	teardown(&r);
	if (!good)
		return -1;
	switch (hc->resume) {
	case RESUME_EXPIRED:
		/* Saved exactly a lifetime before now: expired (session_cache.h). */
		session_cache_drop(cache, params->session_id);
		session_cache_save(cache, "server", "localhost", params, 0, t13_now_ms() - LIFETIME_MS);
		break;
	case RESUME_EMS:
		session_cache_drop(cache, params->session_id);
		session_cache_save(cache, "server", "localhost", params, 1, t13_now_ms());
		break;
	case RESUME_OTHER_NAME:
		session_cache_drop(cache, params->session_id);
		session_cache_save(cache, "server", "other.example", params, 0, t13_now_ms());
		break;
	default:
		break;
	}
	return 0;
}

/* ---- The cases ---- */

static void run_case(const struct hs_case *hc)
{
	br_ssl_session_parameters params;
	struct run r;

	session_cache_clear(cache, LIFETIME_MS);
	session_cache_clear(fresh_cache, LIFETIME_MS);
	memset(&params, 0, sizeof(params));
	if (hc->resume != RESUME_NONE && first_handshake(hc, &params) < 0)
		goto out;
	memset(&r, 0, sizeof(r));
	r = (struct run){ .hc = hc, .name = hc->name, .wire = hc->wire, .tamper = hc->tamper,
			  .server_lines = hc->server2 ? hc->server2 : hc->server,
			  .client_lines = hc->client2 ? hc->client2 : hc->client,
			  .server_profile = hc->resume == RESUME_OTHER_PROFILE ? "other" : "server",
			  .cache = hc->resume == RESUME_FRESH_CACHE ? fresh_cache : cache,
			  .offer = hc->resume != RESUME_NONE ? &params : NULL };
	if (run_handshake(&r) == 0) {
		if (hc->tamper != TAMPER_NONE)
			ok(r.to_client.tampered || r.to_server.tampered,
			   "%s: the test altered it in transit", hc->name);
		if (hc->fails == NOBODY) {
			if (hc->inject) {
				struct t12_ending x = ending(&r);

				check_injected(&x, &r.to_server, hc->inject_count);
			}
			check_success(&r);
		} else {
			check_failure(&r);
		}
	}
	teardown(&r);
out:
	explicit_bzero(&params, sizeof(params));
}

#define OK(...)		{ .fails = NOBODY, __VA_ARGS__ }
#define OURS(...)	{ .fails = SERVER, .status = EPROTO, __VA_ARGS__ }
#define CIPHERS(x)	"ciphers = " x "\n"
#define ONLY12		"max_version = 1.2\n"
#define CACHE		"session_cache = yes\n"
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Alert records in the clear (RFC 5246 §7.2), level 1 warning, 2 fatal: */
/* unrecognized_name (RFC 6066 §3) as a warning: 15 03 03 00 02 01 70 */
static const uint8_t warning_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_UNRECOGNIZED_NAME
};
/* ChangeCipherSpec (RFC 5246 §7.1): 14 03 03 00 01 01 */
static const uint8_t change_cipher_spec[] = { T13_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };
/* close_notify (RFC 5246 §7.2.1), a warning: 15 03 03 00 02 01 00 */
static const uint8_t warning_close_notify[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_CLOSE_NOTIFY
};
/* unrecognized_name at fatal level: 15 03 03 00 02 02 70 */
static const uint8_t fatal_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 2, T13_ALERT_UNRECOGNIZED_NAME
};
/* @n copies of @rec to our server, before BearSSL's ChangeCipherSpec (or its ClientKeyExchange). */
#define INJECT(rec, n)	\
	.wire = WIRE_RELAY, .inject = (rec), .inject_len = sizeof(rec), .inject_count = (n)

static const struct hs_case cases[] = {
	/* 1. Each suite, with the server key it needs; the server's profile allows TLS 1.3 too. */
	OK(.name = "ECDHE-ECDSA-AES128-GCM-SHA256", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "ECDHE-ECDSA-AES256-GCM-SHA384", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .suite = ECDSA_AES256, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "ECDHE-ECDSA-CHACHA20-POLY1305", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-CHACHA20-POLY1305"), .suite = ECDSA_CHACHA, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "ECDHE-RSA-AES128-GCM-SHA256", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES128-GCM-SHA256"), .suite = RSA_AES128, .group = X25519,
	   .scheme = PKCS1_SHA256),
	OK(.name = "ECDHE-RSA-AES256-GCM-SHA384", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .suite = RSA_AES256, .group = X25519,
	   .scheme = PKCS1_SHA256),
	OK(.name = "ECDHE-RSA-CHACHA20-POLY1305", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .suite = RSA_CHACHA, .group = X25519,
	   .scheme = PKCS1_SHA256),
	/* 2. Each group alone (BearSSL offers P-256, P-384, P-521 and X25519, in that order). */
	OK(.name = "group X25519", .server = SERVER_EC "groups = X25519\n", .client = "",
	   .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "group P-256", .server = SERVER_EC "groups = P-256\n", .client = "",
	   .suite = ECDSA_AES128, .group = P256, .scheme = ECDSA_P256),
	OK(.name = "group P-384", .server = SERVER_RSA "groups = P-384\n", .client = "",
	   .suite = RSA_AES128, .group = P384, .scheme = PKCS1_SHA256),
	/* 3. The server's preference (RFC 5246 §7.4.1.3, RFC 8422 §5.1.1), not the client's order. */
	OK(.name = "our suite order: ChaCha20 first", .server = SERVER_EC
	   CIPHERS("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384"), .client = "",
	   .suite = ECDSA_CHACHA, .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "our suite order, RSA key: the ECDSA suites passed over", .server = SERVER_RSA
	   CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
		   "ECDHE-RSA-AES128-GCM-SHA256"), .client = "",
	   .suite = RSA_AES256, .group = X25519, .scheme = PKCS1_SHA256),
	OK(.name = "our group order: P-384 over the client's first, P-256", .server = SERVER_EC
	   "groups = P-384:X25519:P-256\n", .client = "", .suite = ECDSA_AES128, .group = P384,
	   .scheme = ECDSA_P256),
	/* ALPN (RFC 7301 §3.2: the server's preference). */
	OK(.name = "ALPN", .server = SERVER_EC "alpn = http/1.1,h2\n", .client = "alpn = h2,http/1.1\n",
	   .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256,
	   .alpn = "http/1.1"),
	OK(.name = "ALPN: the client offers none, none is chosen", .server = SERVER_EC "alpn = h2\n",
	   .client = "", .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256),
	OURS(.name = "ALPN: none in common", .server = SERVER_EC "alpn = http/1.1\n",
	     .client = "alpn = h2\n", .alert = T13_ALERT_NO_APPLICATION_PROTOCOL),
	/* 4. The downgrade sentinel, seen in transit. */
	OK(.name = "profile with TLS 1.3: the sentinel", .server = SERVER_EC, .client = "",
	   .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "TLS 1.2-only profile: no sentinel", .server = SERVER_RSA ONLY12, .client = "",
	   .wire = WIRE_RELAY, .suite = RSA_AES128, .group = X25519, .scheme = PKCS1_SHA256),
	/* 5. Sessions (RFC 5246 §7.3, §7.4.1.2). */
	OK(.name = "session_cache = no: no session ID", .server = SERVER_EC "session_cache = no\n",
	   .client = "", .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "resumed", .server = SERVER_EC CACHE, .client = "", .resume = RESUME_SAME,
	   .wire = WIRE_RELAY, .resumed = 1, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "resumed: RSA, ChaCha20, ALPN chosen again, 1-byte writes",
	   .server = SERVER_RSA CACHE ONLY12 "alpn = h2\n",
	   .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305") "alpn = h2\n", .resume = RESUME_SAME,
	   .wire = WIRE_BYTES, .resumed = 1, .suite = RSA_CHACHA, .group = X25519,
	   .scheme = PKCS1_SHA256, .alpn = "h2"),
	OK(.name = "session offered to a server whose cache lacks it: full", .server = SERVER_EC CACHE,
	   .client = "", .resume = RESUME_FRESH_CACHE, .wire = WIRE_RELAY, .suite = ECDSA_AES128,
	   .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "expired session: full", .server = SERVER_EC CACHE, .client = "",
	   .resume = RESUME_EXPIRED, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "another profile's session: full", .server = SERVER_EC CACHE, .client = "",
	   .resume = RESUME_OTHER_PROFILE, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "a session made for another server name: full (RFC 6066 3)", .server = SERVER_EC CACHE,
	   .client = "", .resume = RESUME_OTHER_NAME, .wire = WIRE_RELAY, .suite = ECDSA_AES128,
	   .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "session whose suite the client no longer offers: full", .server = SERVER_EC CACHE,
	   .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"),
	   .client2 = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .resume = RESUME_SAME,
	   .wire = WIRE_RELAY, .suite = ECDSA_AES256, .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "session whose suite the profile no longer allows: full", .server = SERVER_EC CACHE,
	   .server2 = SERVER_EC CACHE CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .client = "",
	   .resume = RESUME_SAME, .wire = WIRE_RELAY, .suite = ECDSA_AES256, .group = X25519,
	   .scheme = ECDSA_P256),
	/* RFC 7627 §5.3: a session made with the extended master secret, offered without it. */
	OURS(.name = "EMS session offered without extended_master_secret", .server = SERVER_EC CACHE,
	     .client = "", .resume = RESUME_EMS, .wire = WIRE_RELAY,
	     .alert = T13_ALERT_HANDSHAKE_FAILURE),
	/* RFC 9155 §4: refused whole, before any session is looked at (it would sign nothing). */
	OURS(.name = "session offered without signature_algorithms: refused, not resumed",
	     .server = SERVER_EC CACHE, .client = "", .resume = RESUME_SAME, .wire = WIRE_RELAY,
	     .tamper = TAMPER_HELLO_DROP_EXT, .from = T13_EXT_SIGNATURE_ALGORITHMS,
	     .alert = T13_ALERT_HANDSHAKE_FAILURE),
	/*
	 * ... and a session made without it, offered with it: a full
	 * handshake, with the extension. BearSSL 0.6, which did not send it
	 * (the test did), refuses our ServerHello's answer. It sends no alert
	 * of its own for that (handshake.c's fail_tls() would): our server
	 * sees the connection end while it waits for the ClientKeyExchange.
	 */
	{ .name = "non-EMS session offered with extended_master_secret: full",
	  .server = SERVER_EC CACHE, .client = "", .resume = RESUME_SAME, .wire = WIRE_RELAY,
	  .tamper = TAMPER_HELLO_EMS, .fails = CLIENT, .client_error = BR_ERR_EXTRA_EXTENSION,
	  .status = ECONNABORTED, .alert = -1, .group = X25519 },
	/* RFC 5246 §7.2.2, §7.4.9 in a resumed handshake: our keys are on, our alert protected. */
	OURS(.name = "resumed: client Finished record altered", .server = SERVER_EC CACHE,
	     .client = "", .resume = RESUME_SAME, .wire = WIRE_RELAY, .resumed = 1,
	     .tamper = TAMPER_FINISHED_RECORD, .alert = T13_ALERT_BAD_RECORD_MAC, .alert_protected = 1),
	OURS(.name = "resumed: client Finished verify_data altered, record sealed again",
	     .server = SERVER_RSA CACHE, .client = CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"),
	     .resume = RESUME_SAME, .wire = WIRE_RELAY, .resumed = 1,
	     .tamper = TAMPER_FINISHED_CONTENT, .alert = T13_ALERT_DECRYPT_ERROR, .alert_protected = 1),
	/* 6. Altered in transit. (a) RFC 5246 §7.2.2, §7.4.9: the client's Finished. */
	OURS(.name = "client Finished record altered, AES-GCM", .server = SERVER_EC,
	     .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_FINISHED_RECORD, .alert = T13_ALERT_BAD_RECORD_MAC),
	OURS(.name = "client Finished record altered, ChaCha20-Poly1305", .server = SERVER_RSA,
	     .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_FINISHED_RECORD, .alert = T13_ALERT_BAD_RECORD_MAC),
	OURS(.name = "client Finished verify_data altered, record sealed again", .server = SERVER_EC,
	     .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_FINISHED_CONTENT, .alert = T13_ALERT_DECRYPT_ERROR),
	/* (b) RFC 8422 §5.7, §5.11: the client's point, whole, on the curve, and no zero secret. */
	OURS(.name = "ClientKeyExchange P-256 point with prefix 05", .server = SERVER_EC "groups = P-256\n",
	     .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_CKE_PREFIX, .patch = 0x05,
	     .alert = T13_ALERT_ILLEGAL_PARAMETER, .group = P256),
	OURS(.name = "ClientKeyExchange P-384 point off the curve", .server = SERVER_RSA "groups = P-384\n",
	     .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_CKE_LAST_BIT,
	     .alert = T13_ALERT_ILLEGAL_PARAMETER, .group = P384),
	OURS(.name = "ClientKeyExchange X25519 point all zero", .server = SERVER_EC, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_CKE_ZERO, .alert = T13_ALERT_ILLEGAL_PARAMETER,
	     .group = X25519),
	OURS(.name = "ClientKeyExchange X25519 point one byte short", .server = SERVER_EC, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_CKE_SHORT, .alert = T13_ALERT_ILLEGAL_PARAMETER,
	     .group = X25519),
	OURS(.name = "ClientKeyExchange with a byte behind its point", .server = SERVER_RSA
	     "groups = P-256\n", .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_CKE_TRAILING,
	     .alert = T13_ALERT_DECODE_ERROR, .group = P256),
	/* (c) The ClientHello (RFC 5246 §7.4.1.2, RFC 8422, RFC 5746, RFC 7507, RFC 9155). */
	OURS(.name = "ClientHello offers no suite we have", .server = SERVER_EC,
	     .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_HELLO_SUITE, .from = ECDSA_AES128, .patch = RSA_KX_AES128,
	     .alert = T13_ALERT_HANDSHAKE_FAILURE),
	OURS(.name = "ClientHello offers no group we have", .server = SERVER_EC "groups = X25519\n",
	     .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_GROUP, .from = X25519,
	     .patch = X448, .alert = T13_ALERT_HANDSHAKE_FAILURE),
	OURS(.name = "ClientHello's groups leave out our ECDSA certificate's curve (RFC 8422 5.1)",
	     .server = SERVER_EC, .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_GROUP,
	     .from = P256, .patch = X448, .alert = T13_ALERT_HANDSHAKE_FAILURE),
	OURS(.name = "ClientHello without supported_groups, P-256 not ours",
	     .server = SERVER_EC "groups = X25519:P-384\n", .client = "", .wire = WIRE_RELAY,
	     .tamper = TAMPER_HELLO_DROP_EXT, .from = T13_EXT_SUPPORTED_GROUPS,
	     .alert = T13_ALERT_HANDSHAKE_FAILURE),
	/* RFC 8422 §4: secp256r1 then; the Finished catches the altered ClientHello. */
	OURS(.name = "ClientHello without supported_groups: P-256, then the Finished differs",
	     .server = SERVER_EC, .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_DROP_EXT,
	     .from = T13_EXT_SUPPORTED_GROUPS, .alert = T13_ALERT_DECRYPT_ERROR, .group = P256),
	OURS(.name = "ClientHello without signature_algorithms", .server = SERVER_RSA, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_DROP_EXT, .from = T13_EXT_SIGNATURE_ALGORITHMS,
	     .alert = T13_ALERT_HANDSHAKE_FAILURE),
	/* RFC 8422 §5.1.2: no list, uncompressed only; ours is not sent unasked. */
	OURS(.name = "ClientHello without ec_point_formats: none answered, then the Finished differs",
	     .server = SERVER_EC, .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_DROP_EXT,
	     .from = T13_EXT_EC_POINT_FORMATS, .alert = T13_ALERT_DECRYPT_ERROR, .group = X25519),
	OURS(.name = "ClientHello compression without null", .server = SERVER_EC, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_COMPRESSION,
	     .alert = T13_ALERT_ILLEGAL_PARAMETER),
	OURS(.name = "ClientHello point formats without uncompressed", .server = SERVER_EC,
	     .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_POINT_FORMATS,
	     .alert = T13_ALERT_ILLEGAL_PARAMETER),
	OURS(.name = "ClientHello renegotiation_info not empty", .server = SERVER_EC, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_RENEG, .alert = T13_ALERT_HANDSHAKE_FAILURE),
	/* RFC 5746 §3.6: the SCSV asks for the extension as the empty extension does. */
	OURS(.name = "renegotiation SCSV instead of the extension: answered, then the Finished differs",
	     .server = SERVER_EC, .client = "", .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_RENEG_SCSV,
	     .alert = T13_ALERT_DECRYPT_ERROR, .group = X25519),
	OURS(.name = "TLS_FALLBACK_SCSV, the profile allows TLS 1.3", .server = SERVER_EC, .client = "",
	     .wire = WIRE_RELAY, .tamper = TAMPER_HELLO_FALLBACK,
	     .alert = T13_ALERT_INAPPROPRIATE_FALLBACK),
	/* RFC 7507 §3: no better version to fall from; the Finished catches the altered ClientHello. */
	OURS(.name = "TLS_FALLBACK_SCSV, TLS 1.2-only profile: taken, then the Finished differs",
	     .server = SERVER_EC ONLY12, .client = "", .wire = WIRE_RELAY,
	     .tamper = TAMPER_HELLO_FALLBACK, .alert = T13_ALERT_DECRYPT_ERROR, .group = X25519),
	/* (d) Ours altered: BearSSL refuses our signature, closes, and our server sees the end. */
	{ .name = "ServerKeyExchange signature altered", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SKE_SIGNATURE, .fails = CLIENT,
	  .client_error = BR_ERR_BAD_SIGNATURE, .status = ECONNABORTED, .alert = -1 },
	/* 7. Every record cut into 1-byte writes, both ways. */
	OK(.name = "1-byte writes, ECDSA", .server = SERVER_EC, .client = "", .wire = WIRE_BYTES,
	   .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256),
	OK(.name = "1-byte writes, RSA, ChaCha20, P-384", .server = SERVER_RSA "groups = P-384\n",
	   .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .wire = WIRE_BYTES, .suite = RSA_CHACHA,
	   .group = P384, .scheme = PKCS1_SHA256),
	/*
	 * 8. Alerts in the clear before the client's ChangeCipherSpec. RFC
	 * 5246 §7.2: on a warning "the connection can normally continue";
	 * record.c skips T13_MAX_DROPPED_RECORDS of them, and ends the
	 * handshake at the next. A close_notify is no warning to skip (§7.2.1:
	 * the peer is done), a fatal alert ends the connection (§7.2.2).
	 */
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " warnings before the client's ChangeCipherSpec: skipped",
	   .server = SERVER_EC, .client = "", INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS),
	   .suite = ECDSA_AES128, .group = X25519, .scheme = ECDSA_P256),
	OURS(.name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " warnings before the client's ChangeCipherSpec: "
	     "the last ends it", .server = SERVER_RSA, .client = "",
	     INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS + 1), .alert_from_test = 1,
	     .alert = T13_ALERT_UNRECOGNIZED_NAME),
	/* Before the ClientKeyExchange, where our server reads handshake messages: the same. */
	OK(.name = "a warning before the ClientKeyExchange: skipped", .server = SERVER_EC, .client = "",
	   INJECT(warning_unrecognized_name, 1), .before_cke = 1, .suite = ECDSA_AES128,
	   .group = X25519, .scheme = ECDSA_P256),
	OURS(.name = "a fatal unrecognized_name before the ClientKeyExchange ends it", .server = SERVER_EC,
	     .client = "", INJECT(fatal_unrecognized_name, 1), .before_cke = 1, .alert_from_test = 1,
	     .alert = T13_ALERT_UNRECOGNIZED_NAME),
	/* RFC 5246 §7.1: a ChangeCipherSpec before the keys exist (CVE-2014-0224's injection). */
	OURS(.name = "a ChangeCipherSpec before the ClientKeyExchange", .server = SERVER_EC, .client = "",
	     INJECT(change_cipher_spec, 1), .before_cke = 1, .alert = T13_ALERT_UNEXPECTED_MESSAGE),
	{ .name = "a warning close_notify before the client's ChangeCipherSpec ends it",
	  .server = SERVER_EC, .client = "", INJECT(warning_close_notify, 1), .fails = SERVER,
	  .alert_from_test = 1, .status = ECONNABORTED, .alert = T13_ALERT_CLOSE_NOTIFY },
	OURS(.name = "a fatal unrecognized_name before the client's ChangeCipherSpec ends it",
	     .server = SERVER_EC, .client = "", INJECT(fatal_unrecognized_name, 1), .alert_from_test = 1,
	     .alert = T13_ALERT_UNRECOGNIZED_NAME),
	/*
	 * 9. Client certificates (RFC 5246 §7.4.4, §7.4.6, §7.4.8), whatever
	 * the server's key. BearSSL signs its CertificateVerify with the first
	 * hash it has (SHA-256, SHA-384, ...) among the schemes we offer, all
	 * of the suite's PRF hash; an RSA key with PKCS#1 v1.5 (BearSSL 0.6
	 * has no PSS in TLS 1.2). In TLS 1.2 the ECDSA scheme's curve is no
	 * constraint: a P-256 key signs with SHA-384 under a SHA-384 PRF.
	 */
	OK(.name = "client certificate (P-256), ECDSA server", .server = SERVER_EC ASK_CLIENT,
	   .client = CLIENT_CERT, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256, .client_scheme = ECDSA_P256, .peer_subject = EC_SUBJECT,
	   .peer_san = EC_SAN),
	OK(.name = "client certificate (P-256), RSA server", .server = SERVER_RSA ASK_CLIENT,
	   .client = CLIENT_CERT, .wire = WIRE_RELAY, .suite = RSA_AES128, .group = X25519,
	   .scheme = PKCS1_SHA256, .client_scheme = ECDSA_P256, .peer_subject = EC_SUBJECT,
	   .peer_san = EC_SAN),
	OK(.name = "client certificate (RSA-2048), ECDSA server", .server = SERVER_EC ASK_CLIENT,
	   .client = CLIENT_RSA_CERT, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256, .client_scheme = PKCS1_SHA256, .peer_subject = RSA_SUBJECT,
	   .peer_san = RSA_SAN),
	OK(.name = "client certificate (RSA-2048), RSA server, ChaCha20", .server = SERVER_RSA ASK_CLIENT,
	   .client = CLIENT_RSA_CERT CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .wire = WIRE_RELAY,
	   .suite = RSA_CHACHA, .group = X25519, .scheme = PKCS1_SHA256, .client_scheme = PKCS1_SHA256,
	   .peer_subject = RSA_SUBJECT, .peer_san = RSA_SAN),
	OK(.name = "client certificate (P-256), ECDHE-ECDSA-AES256-GCM-SHA384",
	   .server = SERVER_EC ASK_CLIENT,
	   .client = CLIENT_CERT CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	   .suite = ECDSA_AES256, .group = X25519, .scheme = ECDSA_P256, .client_scheme = ECDSA_P384,
	   .peer_subject = EC_SUBJECT, .peer_san = EC_SAN),
	OK(.name = "client certificate (RSA-2048), ECDHE-RSA-AES256-GCM-SHA384",
	   .server = SERVER_RSA ASK_CLIENT,
	   .client = CLIENT_RSA_CERT CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	   .suite = RSA_AES256, .group = X25519, .scheme = PKCS1_SHA256, .client_scheme = PKCS1_SHA384,
	   .peer_subject = RSA_SUBJECT, .peer_san = RSA_SAN),
	OK(.name = "client certificate, 1-byte writes", .server = SERVER_EC ASK_CLIENT "groups = P-256\n",
	   .client = CLIENT_CERT, .wire = WIRE_BYTES, .suite = ECDSA_AES128, .group = P256,
	   .scheme = ECDSA_P256, .client_scheme = ECDSA_P256, .peer_subject = EC_SUBJECT,
	   .peer_san = EC_SAN),
	/* verify = optional: an empty Certificate taken (no CertificateVerify), a chain checked if sent. */
	OK(.name = "verify = optional, client certificate", .server = SERVER_EC OFFER_CLIENT,
	   .client = CLIENT_CERT, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256, .client_scheme = ECDSA_P256, .peer_subject = EC_SUBJECT,
	   .peer_san = EC_SAN),
	OK(.name = "verify = optional, no client certificate", .server = SERVER_EC OFFER_CLIENT,
	   .client = "", .wire = WIRE_RELAY, .suite = ECDSA_AES128, .group = X25519,
	   .scheme = ECDSA_P256),
	OK(.name = "verify = optional, client certificate from an untrusted CA: taken, not verified",
	   .server = SERVER_RSA OFFER_CLIENT, .client = ROGUE_CERT, .wire = WIRE_RELAY,
	   .suite = RSA_AES128, .group = X25519, .scheme = PKCS1_SHA256, .client_scheme = ECDSA_P256),
	/*
	 * No session kept (each case above: session_cache = yes is the
	 * default, yet no session ID), none resumed, where client
	 * certificates are asked for (t13_server_start()).
	 */
	OK(.name = "cached session offered to the profile, now asking for client certificates: full",
	   .server = SERVER_EC CACHE, .client = "", .server2 = SERVER_EC CACHE ASK_CLIENT,
	   .client2 = CLIENT_CERT, .resume = RESUME_SAME, .wire = WIRE_RELAY, .suite = ECDSA_AES128,
	   .group = X25519, .scheme = ECDSA_P256, .client_scheme = ECDSA_P256,
	   .peer_subject = EC_SUBJECT, .peer_san = EC_SAN),
	/* verify = required: no certificate (§7.4.6: handshake_failure), or one from a CA not ours. */
	{ .name = "verify = required, client without a certificate", .server = SERVER_EC ASK_CLIENT,
	  .client = "", .wire = WIRE_RELAY, .suite = ECDSA_AES128, .fails = SERVER, .status = ENOKEY,
	  .alert = T13_ALERT_HANDSHAKE_FAILURE,
	  .what = "client sent no usable certificate, one is required" },
	{ .name = "verify = required, SHA-384 PRF, client without a certificate",
	  .server = SERVER_RSA ASK_CLIENT, .client = CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"),
	  .wire = WIRE_RELAY, .suite = RSA_AES256, .fails = SERVER, .status = ENOKEY,
	  .alert = T13_ALERT_HANDSHAKE_FAILURE,
	  .what = "client sent no usable certificate, one is required" },
	{ .name = "verify = required, client certificate from an untrusted CA",
	  .server = SERVER_EC ASK_CLIENT,
	  .client = ROGUE_CERT, .wire = WIRE_RELAY, .suite = ECDSA_AES128, .client_scheme = ECDSA_P256,
	  .fails = SERVER, .status = EKEYREJECTED, .alert = T13_ALERT_UNKNOWN_CA, .what = "unknown CA" },
	/* The client's CertificateVerify altered in transit (§7.4.8, §7.4.1.4.1): signature, scheme. */
	OURS(.name = "client CertificateVerify signature altered, P-256", .server = SERVER_EC ASK_CLIENT,
	     .client = CLIENT_CERT, .wire = WIRE_RELAY, .tamper = TAMPER_CV_SIGNATURE,
	     .suite = ECDSA_AES128, .client_scheme = ECDSA_P256, .alert = T13_ALERT_DECRYPT_ERROR,
	     .what = "CertificateVerify does not verify"),
	OURS(.name = "client CertificateVerify signature altered, RSA-2048, SHA-384",
	     .server = SERVER_RSA ASK_CLIENT,
	     .client = CLIENT_RSA_CERT CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SIGNATURE, .suite = RSA_AES256, .client_scheme = PKCS1_SHA384,
	     .alert = T13_ALERT_DECRYPT_ERROR, .what = "CertificateVerify does not verify"),
	/* ... and spoiled by BearSSL's own signer: its transcript and Finished agree with it (§7.4.8). */
	OURS(.name = "client CertificateVerify signed wrong, Finished right, P-256",
	     .server = SERVER_RSA ASK_CLIENT, .client = CLIENT_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SIGNED_WRONG, .suite = RSA_AES128, .client_scheme = ECDSA_P256,
	     .alert = T13_ALERT_DECRYPT_ERROR, .what = "CertificateVerify does not verify"),
	OURS(.name = "client CertificateVerify signed wrong, Finished right, RSA-2048, SHA-384",
	     .server = SERVER_EC ASK_CLIENT,
	     .client = CLIENT_RSA_CERT CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SIGNED_WRONG, .suite = ECDSA_AES256,
	     .client_scheme = PKCS1_SHA384, .alert = T13_ALERT_DECRYPT_ERROR,
	     .what = "CertificateVerify does not verify"),
	OURS(.name = "client CertificateVerify scheme ecdsa_secp521r1_sha512: not offered",
	     .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SCHEME, .patch = ECDSA_P521, .suite = ECDSA_AES128,
	     .client_scheme = ECDSA_P256, .alert = T13_ALERT_ILLEGAL_PARAMETER, .what = "did not offer"),
	OURS(.name = "client CertificateVerify scheme rsa_pkcs1_sha1: not offered",
	     .server = SERVER_EC ASK_CLIENT, .client = CLIENT_RSA_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SCHEME, .patch = PKCS1_SHA1, .suite = ECDSA_AES128,
	     .client_scheme = PKCS1_SHA256, .alert = T13_ALERT_ILLEGAL_PARAMETER, .what = "did not offer"),
	OURS(.name = "client CertificateVerify scheme of the other PRF hash (SHA-384 under SHA-256)",
	     .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SCHEME, .patch = ECDSA_P384, .suite = ECDSA_AES128,
	     .client_scheme = ECDSA_P256, .alert = T13_ALERT_ILLEGAL_PARAMETER, .what = "did not offer"),
	OURS(.name = "client CertificateVerify scheme offered, not its key's (rsa_pkcs1_sha256, P-256)",
	     .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SCHEME, .patch = PKCS1_SHA256, .suite = ECDSA_AES128,
	     .client_scheme = ECDSA_P256, .alert = T13_ALERT_ILLEGAL_PARAMETER, .what = "did not offer"),
	OURS(.name = "client CertificateVerify names rsa_pss_rsae_sha256 over its PKCS#1 signature",
	     .server = SERVER_RSA ASK_CLIENT, .client = CLIENT_RSA_CERT, .wire = WIRE_RELAY,
	     .tamper = TAMPER_CV_SCHEME, .patch = PSS_SHA256, .suite = RSA_AES128,
	     .client_scheme = PKCS1_SHA256, .alert = T13_ALERT_DECRYPT_ERROR,
	     .what = "CertificateVerify does not verify"),
	/* A certificate without the proof its key is the client's: the ChangeCipherSpec comes instead. */
	OURS(.name = "client Certificate without its CertificateVerify", .server = SERVER_EC ASK_CLIENT,
	     .client = CLIENT_CERT, .wire = WIRE_RELAY, .tamper = TAMPER_CV_DROP, .suite = ECDSA_AES128,
	     .client_scheme = ECDSA_P256, .alert = T13_ALERT_UNEXPECTED_MESSAGE,
	     .what = "unexpected ChangeCipherSpec"),
};

/*
 * Beside env_make_pki()'s: an RSA-2048 client leaf under the same CA,
 * "ktlsd test rsa client", DNS rsa-client.test. 0, or -1 if openssl failed.
 */
static int make_rsa_client(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && exec 2>/dev/null && "
		 "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
		 "subjectAltName=DNS:" RSA_SAN "\\n' >client-rsa.ext && "
		 "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client-rsa.key && "
		 "openssl req -new -key client-rsa.key -subj '/CN=" RSA_SUBJECT "' -out client-rsa.csr && "
		 "openssl x509 -req -in client-rsa.csr -CA ca.crt -CAkey ca.key -set_serial 6 -days 2 "
		 "-extfile client-rsa.ext -out client-rsa.crt", dir);
	return env_sh(cmd);
}

int main(void)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* RESUME_EXPIRED saves a session a lifetime back on CLOCK_MONOTONIC. */
	if (t13_now_ms() <= LIFETIME_MS) {
		ok(0, "CLOCK_MONOTONIC is past %d ms", LIFETIME_MS);
		return done();
	}
	cache = session_cache_create(LIFETIME_MS);
	fresh_cache = session_cache_create(LIFETIME_MS);
	if (!cache || !fresh_cache || !mkdtemp(dir) || env_make_pki(dir) < 0 || make_rsa_client() < 0) {
		ok(0, "the session caches are made, and the test PKI with openssl");
		return done();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	if (env_remove_dir(dir) < 0)
		diag("could not remove %s", dir);
	session_cache_destroy(cache);
	session_cache_destroy(fresh_cache);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%zu cases, %d handshakes in %.2f s", sizeof(cases) / sizeof(cases[0]), handshakes,
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done();
}
