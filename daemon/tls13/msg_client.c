// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 handshake messages of the client role: the ClientHello, and the
 * parsers of a server's ServerHello/HelloRetryRequest, EncryptedExtensions,
 * CertificateRequest, NewSessionTicket and KeyUpdate (see msg_client.h).
 */
#include <string.h>

#include "msg_client.h"

uint64_t t13_ext_bit(uint16_t type)
{
	if (type < 63)
		return (uint64_t)1 << type;
	if (type == T13_EXT_RENEGOTIATION_INFO)
		return (uint64_t)1 << 63;
	return 0;
}

/* The bit of a type below 63, for the constant sets below. */
#define EXT(t)		((uint64_t)1 << (t))
#define EXT_RENEG	((uint64_t)1 << 63)

/*
 * The extensions this file knows. A known extension in a message it has no
 * place in is illegal_parameter (§4.2); an unknown one is skipped where the
 * RFC says to ignore it, and unsupported_extension where it answers
 * nothing the client offered.
 */
#define KNOWN_EXTS                                                                                        \
	(EXT(T13_EXT_SERVER_NAME) | EXT(T13_EXT_MAX_FRAGMENT_LENGTH) | EXT(T13_EXT_STATUS_REQUEST) |      \
	 EXT(T13_EXT_SUPPORTED_GROUPS) | EXT(T13_EXT_EC_POINT_FORMATS) | EXT(T13_EXT_SIGNATURE_ALGORITHMS) | \
	 EXT(T13_EXT_ALPN) | EXT(T13_EXT_PADDING) | EXT(T13_EXT_EXTENDED_MASTER_SECRET) |                  \
	 EXT(T13_EXT_RECORD_SIZE_LIMIT) | EXT(T13_EXT_PRE_SHARED_KEY) | EXT(T13_EXT_EARLY_DATA) |           \
	 EXT(T13_EXT_SUPPORTED_VERSIONS) | EXT(T13_EXT_COOKIE) | EXT(T13_EXT_PSK_KEY_EXCHANGE_MODES) |      \
	 EXT(T13_EXT_CERTIFICATE_AUTHORITIES) | EXT(T13_EXT_POST_HANDSHAKE_AUTH) |                         \
	 EXT(T13_EXT_SIGNATURE_ALGORITHMS_CERT) | EXT(T13_EXT_KEY_SHARE) | EXT_RENEG)

/* Where each known extension may appear (RFC 8446 §4.2's table; RFC 5246 and its extensions for 1.2). */
#define PLACE_SH13 (EXT(T13_EXT_SUPPORTED_VERSIONS) | EXT(T13_EXT_KEY_SHARE) | EXT(T13_EXT_PRE_SHARED_KEY))
#define PLACE_HRR  (EXT(T13_EXT_SUPPORTED_VERSIONS) | EXT(T13_EXT_KEY_SHARE) | EXT(T13_EXT_COOKIE))
#define PLACE_SH12                                                                                    \
	(EXT(T13_EXT_SERVER_NAME) | EXT(T13_EXT_MAX_FRAGMENT_LENGTH) | EXT(T13_EXT_STATUS_REQUEST) |  \
	 EXT(T13_EXT_EC_POINT_FORMATS) | EXT(T13_EXT_ALPN) | EXT(T13_EXT_EXTENDED_MASTER_SECRET) |    \
	 EXT(T13_EXT_RECORD_SIZE_LIMIT) | EXT_RENEG)
#define PLACE_EE                                                                                      \
	(EXT(T13_EXT_SERVER_NAME) | EXT(T13_EXT_MAX_FRAGMENT_LENGTH) | EXT(T13_EXT_SUPPORTED_GROUPS) | \
	 EXT(T13_EXT_ALPN) | EXT(T13_EXT_RECORD_SIZE_LIMIT) | EXT(T13_EXT_EARLY_DATA))
#define PLACE_CR                                                                                      \
	(EXT(T13_EXT_STATUS_REQUEST) | EXT(T13_EXT_SIGNATURE_ALGORITHMS) |                            \
	 EXT(T13_EXT_CERTIFICATE_AUTHORITIES) | EXT(T13_EXT_SIGNATURE_ALGORITHMS_CERT))
#define PLACE_NST  EXT(T13_EXT_EARLY_DATA)

/* ---- ClientHello ---- */

static int offers_sni(const struct t13_client_offer *o)
{
	return o->server_name && o->server_name[0];
}

/* §4.2.9: with a PSK the modes are a MUST; without one they invite tickets. */
static int offers_psk_modes(const struct t13_client_offer *o)
{
	return o->ticket || o->want_tickets;
}

uint64_t t13_client_hello_offered(const struct t13_client_offer *o)
{
	uint64_t set = EXT_RENEG | EXT(T13_EXT_SUPPORTED_GROUPS) | EXT(T13_EXT_KEY_SHARE) |
		       EXT(T13_EXT_SUPPORTED_VERSIONS) | EXT(T13_EXT_SIGNATURE_ALGORITHMS);

	if (offers_sni(o))
		set |= EXT(T13_EXT_SERVER_NAME);
	if (o->alpn_count)
		set |= EXT(T13_EXT_ALPN);
	if (o->cookie)
		set |= EXT(T13_EXT_COOKIE);
	if (offers_psk_modes(o))
		set |= EXT(T13_EXT_PSK_KEY_EXCHANGE_MODES);
	if (o->ticket)
		set |= EXT(T13_EXT_PRE_SHARED_KEY);
	if (o->offer_12)
		set |= EXT(T13_EXT_EC_POINT_FORMATS) | EXT(T13_EXT_EXTENDED_MASTER_SECRET);
	return set;
}

/* 1 if every field of @o fits its place on the wire (see t13_write_client_hello()). */
static int offer_fits(const struct t13_client_offer *o)
{
	size_t suites = o->suite_count + (o->offer_12 ? o->suite12_count : 0);

	if (o->session_id_len > T13_MAX_SESSION_ID || suites == 0 || o->group_count == 0 || o->share_count > 2)
		return 0;
	for (size_t i = 0; i < o->share_count; i++)
		if (o->shares[i].pub_len == 0)
			return 0;
	if (o->sig_algs_len == 0 || o->sig_algs_len % 2)
		return 0;
	if (offers_sni(o) && strlen(o->server_name) > 255)
		return 0;
	for (size_t i = 0; i < o->alpn_count; i++) {
		size_t n = strlen(o->alpn[i]);

		if (n == 0 || n > 255)
			return 0;
	}
	if (o->cookie && o->cookie_len == 0)
		return 0;
	if (o->ticket && (o->ticket_len == 0 || (o->binder_len != 32 && o->binder_len != 48)))
		return 0;
	return 1;
}

/* An extension: its type, then extension_data as a 2-byte vector (closed by t13_vec_close(b, mark, 2)). */
static size_t ext_open(struct t13_buf *b, uint16_t type)
{
	t13_put_u16(b, type);
	return t13_vec_open(b, 2);
}

static void put_u16_list(struct t13_buf *b, int width, const uint16_t *v, size_t n)
{
	size_t list = t13_vec_open(b, width);

	for (size_t i = 0; i < n; i++)
		t13_put_u16(b, v[i]);
	t13_vec_close(b, list, width);
}

static void put_suites(struct t13_buf *b, const struct t13_client_offer *o)
{
	size_t list = t13_vec_open(b, 2);

	for (size_t i = 0; i < o->suite_count; i++)
		t13_put_u16(b, o->suites[i]);
	for (size_t i = 0; o->offer_12 && i < o->suite12_count; i++)
		t13_put_u16(b, o->suites12[i]);
	t13_vec_close(b, list, 2);
}

/* server_name (RFC 6066 §3): a list of one host_name. */
static void put_server_name(struct t13_buf *b, const char *name)
{
	size_t ext = ext_open(b, T13_EXT_SERVER_NAME), list = t13_vec_open(b, 2);

	t13_put_u8(b, 0);
	t13_put_vec(b, 2, name, strlen(name));
	t13_vec_close(b, list, 2);
	t13_vec_close(b, ext, 2);
}

/* renegotiation_info (RFC 5746 §3.2): an empty renegotiated_connection, on an initial handshake. */
static void put_renegotiation_info(struct t13_buf *b)
{
	size_t ext = ext_open(b, T13_EXT_RENEGOTIATION_INFO);

	t13_put_vec(b, 1, NULL, 0);
	t13_vec_close(b, ext, 2);
}

static void put_vec_ext(struct t13_buf *b, uint16_t type, int width, const void *p, size_t n);

/*
 * For a TLS 1.2 server: ec_point_formats {uncompressed} (RFC 8422 §5.1.2,
 * for servers that still want it) and extended_master_secret (RFC 7627:
 * the master secret bound to the whole handshake).
 */
static void put_tls12_extensions(struct t13_buf *b)
{
	static const uint8_t uncompressed = 0;
	size_t ext;

	put_vec_ext(b, T13_EXT_EC_POINT_FORMATS, 1, &uncompressed, 1);
	ext = ext_open(b, T13_EXT_EXTENDED_MASTER_SECRET);
	t13_vec_close(b, ext, 2);
}

static void put_key_share(struct t13_buf *b, const struct t13_client_offer *o)
{
	size_t ext = ext_open(b, T13_EXT_KEY_SHARE), list = t13_vec_open(b, 2);

	for (size_t i = 0; i < o->share_count; i++) {
		t13_put_u16(b, o->shares[i].group);
		t13_put_vec(b, 2, o->shares[i].pub, o->shares[i].pub_len);
	}
	t13_vec_close(b, list, 2);
	t13_vec_close(b, ext, 2);
}

static void put_supported_versions(struct t13_buf *b, int offer_12)
{
	static const uint16_t both[] = { T13_VERSION, T12_VERSION };
	size_t ext = ext_open(b, T13_EXT_SUPPORTED_VERSIONS);

	put_u16_list(b, 1, both, offer_12 ? 2 : 1);
	t13_vec_close(b, ext, 2);
}

static void put_alpn(struct t13_buf *b, const char *const *names, size_t n)
{
	size_t ext = ext_open(b, T13_EXT_ALPN), list = t13_vec_open(b, 2);

	for (size_t i = 0; i < n; i++)
		t13_put_vec(b, 1, names[i], strlen(names[i]));
	t13_vec_close(b, list, 2);
	t13_vec_close(b, ext, 2);
}

/* One extension whose extension_data is a single vector of @width-byte length. */
static void put_vec_ext(struct t13_buf *b, uint16_t type, int width, const void *p, size_t n)
{
	size_t ext = ext_open(b, type);

	t13_put_vec(b, width, p, n);
	t13_vec_close(b, ext, 2);
}

/*
 * pre_shared_key (§4.2.11): one identity, then one binder of zeros. Returns
 * the offset in @b where the binders list starts: the end of what the
 * binder hashes.
 */
static size_t put_pre_shared_key(struct t13_buf *b, const struct t13_client_offer *o)
{
	static const uint8_t zeros[T13_MAX_HASH];
	size_t ext = ext_open(b, T13_EXT_PRE_SHARED_KEY), list, binders;

	list = t13_vec_open(b, 2);
	t13_put_vec(b, 2, o->ticket, o->ticket_len);
	t13_put_u32(b, o->obfuscated_age);
	t13_vec_close(b, list, 2);
	binders = t13_vec_open(b, 2);
	t13_put_vec(b, 1, zeros, o->binder_len);
	t13_vec_close(b, binders, 2);
	t13_vec_close(b, ext, 2);
	return binders;
}

static void put_extensions(struct t13_buf *b, const struct t13_client_offer *o, size_t *binders)
{
	static const uint8_t psk_dhe_ke = T13_PSK_DHE_KE;
	size_t exts = t13_vec_open(b, 2), ext;

	if (offers_sni(o))
		put_server_name(b, o->server_name);
	put_renegotiation_info(b);
	ext = ext_open(b, T13_EXT_SUPPORTED_GROUPS);
	put_u16_list(b, 2, o->groups, o->group_count);
	t13_vec_close(b, ext, 2);
	if (o->offer_12)
		put_tls12_extensions(b);
	put_key_share(b, o);
	put_supported_versions(b, o->offer_12);
	put_vec_ext(b, T13_EXT_SIGNATURE_ALGORITHMS, 2, o->sig_algs, o->sig_algs_len);
	if (o->alpn_count)
		put_alpn(b, o->alpn, o->alpn_count);
	if (o->cookie)
		put_vec_ext(b, T13_EXT_COOKIE, 2, o->cookie, o->cookie_len);
	if (offers_psk_modes(o))
		put_vec_ext(b, T13_EXT_PSK_KEY_EXCHANGE_MODES, 1, &psk_dhe_ke, 1);
	if (o->ticket)
		*binders = put_pre_shared_key(b, o);
	t13_vec_close(b, exts, 2);
}

void t13_write_client_hello(struct t13_buf *b, const struct t13_client_offer *o, size_t *binder_at,
			    size_t *truncated_len)
{
	static const uint8_t null_compression = 0;
	size_t start = b->len, msg, binders = 0;

	if (binder_at)
		*binder_at = 0;
	if (truncated_len)
		*truncated_len = 0;
	/*
	 * Refused whole, without walking a field that does not fit (3 shares
	 * in room for 2); and with a ticket, a binder the caller could not find.
	 */
	if (!offer_fits(o) || (o->ticket && (!binder_at || !truncated_len))) {
		b->overflow = 1;
		return;
	}
	msg = t13_hs_open(b, T13_HS_CLIENT_HELLO);
	t13_put_u16(b, T13_LEGACY_VERSION);
	t13_put_bytes(b, o->random, T13_RANDOM_LEN);
	t13_put_vec(b, 1, o->session_id, o->session_id_len);
	put_suites(b, o);
	t13_put_vec(b, 1, &null_compression, 1);
	put_extensions(b, o, &binders);
	t13_hs_close(b, msg);
	if (b->overflow || !o->ticket)
		return;
	/* The binders list: its 2-byte length, one binder's 1-byte length, the binder. */
	*truncated_len = binders - start;
	*binder_at = binders - start + 3;
}

/* ---- Extension blocks ---- */

/* How a message's extensions are judged (§4.2). */
struct ext_rules {
	uint64_t place;		/* the known extensions this message may carry */
	int responses;		/* they answer the ClientHello's: each must have been offered */
	uint64_t offered;	/* ... in this set (t13_ext_bit()) */
};

/* A walk over one extensions block. */
struct ext_walk {
	struct t13_reader exts;
	const struct ext_rules *rules;
	struct t13_u16_set seen;
};

static void walk_init(struct ext_walk *w, struct t13_reader exts, const struct ext_rules *rules)
{
	w->exts = exts;
	w->rules = rules;
	memset(&w->seen, 0, sizeof(w->seen));
}

/*
 * The next extension: its type in *@type and its extension_data in @data.
 * Returns 1 with one, 0 at the end of the block, or a negative alert: for
 * its framing, a type seen before, one not offered in a response, a known
 * one with no place in this message. An unknown type that passes is for
 * the caller to skip.
 */
static int walk_next(struct ext_walk *w, uint16_t *type, struct t13_reader *data)
{
	uint64_t bit;

	if (w->exts.len == 0)
		return 0;
	if (t13_rd_u16(&w->exts, type) || t13_rd_vec(&w->exts, 2, 0, 0xffff, data))
		return -T13_ALERT_DECODE_ERROR;
	if (t13_u16_set_add(&w->seen, *type))
		return -T13_ALERT_ILLEGAL_PARAMETER;
	bit = t13_ext_bit(*type);
	if (w->rules->responses && !(w->rules->offered & bit))
		return -T13_ALERT_UNSUPPORTED_EXTENSION;
	if ((bit & KNOWN_EXTS) && !(bit & w->rules->place))
		return -T13_ALERT_ILLEGAL_PARAMETER;
	return 1;
}

/* extension_data that must be empty, as a flag. */
static int rd_empty(struct t13_reader d, int *flag)
{
	if (d.len)
		return -T13_ALERT_DECODE_ERROR;
	*flag = 1;
	return 0;
}

/* extension_data that is exactly one u16. */
static int rd_only_u16(struct t13_reader d, uint16_t *v)
{
	if (t13_rd_u16(&d, v) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	return 0;
}

/* extension_data that is one vector of @width-byte length holding @min..@max bytes. */
static int rd_only_vec(struct t13_reader d, int width, size_t min, size_t max, const uint8_t **p, size_t *len)
{
	struct t13_reader v;

	if (t13_rd_vec(&d, width, min, max, &v) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	*p = v.p;
	*len = v.len;
	return 0;
}

/* A server's ALPN (RFC 7301 §3.1): a protocol_name_list of exactly one name. */
static int rd_alpn_one(struct t13_reader d, const uint8_t **name, size_t *len)
{
	struct t13_reader list, one;

	if (t13_rd_vec(&d, 2, 2, 0xffff, &list) || d.len || t13_rd_vec(&list, 1, 1, 0xff, &one) || list.len)
		return -T13_ALERT_DECODE_ERROR;
	*name = one.p;
	*len = one.len;
	return 0;
}

/* ---- ServerHello and HelloRetryRequest ---- */

/* Whether the extensions block holds supported_versions: what tells 1.3 from 1.2, wherever it is. */
static int find_supported_versions(struct t13_reader exts, int *found)
{
	struct t13_reader data;
	uint16_t type;

	*found = 0;
	while (exts.len) {
		if (t13_rd_u16(&exts, &type) || t13_rd_vec(&exts, 2, 0, 0xffff, &data))
			return -T13_ALERT_DECODE_ERROR;
		if (type == T13_EXT_SUPPORTED_VERSIONS)
			*found = 1;
	}
	return 0;
}

/* key_share (§4.2.8): an HRR's selected_group, or a ServerHello's one KeyShareEntry. */
static int sh_key_share(struct t13_server_hello *sh, struct t13_reader d)
{
	struct t13_reader key;

	if (sh->is_hrr)
		return rd_only_u16(d, &sh->group);
	if (t13_rd_u16(&d, &sh->group) || t13_rd_vec(&d, 2, 1, 0xffff, &key) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	sh->share = key.p;
	sh->share_len = key.len;
	return 0;
}

/* renegotiation_info (RFC 5746 §3.4): on an initial handshake, an empty renegotiated_connection. */
static int sh_renegotiation_info(struct t13_server_hello *sh, struct t13_reader d)
{
	struct t13_reader v;

	if (t13_rd_vec(&d, 1, 0, 0xff, &v) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	if (v.len)
		return -T13_ALERT_HANDSHAKE_FAILURE;
	sh->secure_renegotiation = 1;
	return 0;
}

/* One extension walk_next() let through; the place rules already kept out what this message may not carry. */
static int sh_extension(struct t13_server_hello *sh, uint16_t type, struct t13_reader d)
{
	uint16_t index;
	int rc;

	switch (type) {
	case T13_EXT_SUPPORTED_VERSIONS:
		rc = rd_only_u16(d, &sh->version);
		/* §4.2.1: a version before 1.3 there (or one not offered) is illegal. */
		return rc ? rc : sh->version == T13_VERSION ? 0 : -T13_ALERT_ILLEGAL_PARAMETER;
	case T13_EXT_KEY_SHARE:
		return sh_key_share(sh, d);
	case T13_EXT_PRE_SHARED_KEY:
		rc = rd_only_u16(d, &index);
		if (rc == 0)
			sh->psk_index = index;
		return rc;
	case T13_EXT_COOKIE:
		return rd_only_vec(d, 2, 1, 0xffff, &sh->cookie, &sh->cookie_len);
	case T13_EXT_RENEGOTIATION_INFO:
		return sh_renegotiation_info(sh, d);
	case T13_EXT_ALPN:
		return rd_alpn_one(d, &sh->alpn12, &sh->alpn12_len);
	case T13_EXT_SERVER_NAME:
		return rd_empty(d, &sh->sni_ack12);
	case T13_EXT_EC_POINT_FORMATS:
		return rd_only_vec(d, 1, 1, 0xff, &sh->point_formats, &sh->point_formats_len);
	case T13_EXT_EXTENDED_MASTER_SECRET:
		return rd_empty(d, &sh->extended_master_secret);
	default:
		return 0;
	}
}

static int sh_extensions(struct t13_server_hello *sh, struct t13_reader exts, uint64_t offered)
{
	struct ext_rules rules = { .responses = 1, .offered = offered };
	struct ext_walk w;
	struct t13_reader data;
	uint16_t type;
	int rc, tls13;

	rc = find_supported_versions(exts, &tls13);
	if (rc)
		return rc;
	if (sh->is_hrr) {
		rules.place = PLACE_HRR;
		/* §4.1.4: the cookie is the one extension an HRR may send unasked. */
		rules.offered |= EXT(T13_EXT_COOKIE);
	} else {
		rules.place = tls13 ? PLACE_SH13 : PLACE_SH12;
	}
	walk_init(&w, exts, &rules);
	while ((rc = walk_next(&w, &type, &data)) > 0) {
		rc = sh_extension(sh, type, data);
		if (rc)
			return rc;
	}
	return rc;
}

int t13_parse_server_hello(struct t13_server_hello *sh, const uint8_t *msg, size_t len, uint64_t offered)
{
	struct t13_reader r, sid, exts;
	int rc;

	memset(sh, 0, sizeof(*sh));
	sh->psk_index = -1;
	rc = t13_msg_body(msg, len, T13_HS_SERVER_HELLO, &r);
	if (rc)
		return rc;
	if (t13_rd_u16(&r, &sh->legacy_version) || t13_rd_bytes(&r, T13_RANDOM_LEN, &sh->random) ||
	    t13_rd_vec(&r, 1, 0, T13_MAX_SESSION_ID, &sid) || t13_rd_u16(&r, &sh->suite) ||
	    t13_rd_u8(&r, &sh->compression))
		return -T13_ALERT_DECODE_ERROR;
	sh->session_id = sid.p;
	sh->session_id_len = sid.len;
	sh->is_hrr = !memcmp(sh->random, t13_hrr_random, T13_RANDOM_LEN);
	/* §4.1.3: legacy_compression_method MUST be 0; we never offer another. */
	if (sh->compression != 0)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	/* A TLS 1.2 ServerHello may end here (RFC 5246 §7.4.1.3). */
	if (r.len) {
		if (t13_rd_vec(&r, 2, 0, 0xffff, &exts) || r.len)
			return -T13_ALERT_DECODE_ERROR;
		sh->has_extensions = 1;
		rc = sh_extensions(sh, exts, offered);
		if (rc)
			return rc;
	}
	/* §4.1.4: an HRR MUST carry supported_versions. */
	if (sh->is_hrr && !sh->version)
		return -T13_ALERT_MISSING_EXTENSION;
	return 0;
}

int t13_downgrade_sentinel(const uint8_t random[32])
{
	static const uint8_t downgrd[7] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D' };

	return !memcmp(random + 24, downgrd, sizeof(downgrd)) && random[31] <= 1;
}

/* ---- EncryptedExtensions ---- */

static int ee_extension(struct t13_encrypted_extensions *ee, uint16_t type, struct t13_reader d)
{
	const uint8_t *groups;
	size_t groups_len;
	int rc;

	switch (type) {
	case T13_EXT_ALPN:
		return rd_alpn_one(d, &ee->alpn, &ee->alpn_len);
	case T13_EXT_SERVER_NAME:
		return rd_empty(d, &ee->sni_ack);
	case T13_EXT_SUPPORTED_GROUPS:
		/* The server's preference, for a later connection (§4.2.7); we do not keep it. */
		rc = rd_only_vec(d, 2, 2, 0xffff, &groups, &groups_len);
		return rc ? rc : groups_len % 2 ? -T13_ALERT_DECODE_ERROR : 0;
	default:
		return 0;
	}
}

int t13_parse_encrypted_extensions(struct t13_encrypted_extensions *ee, const uint8_t *msg, size_t len,
				   uint64_t offered)
{
	/* No 0-RTT here: early_data can answer nothing we sent. */
	const struct ext_rules rules = {
		.place = PLACE_EE,
		.responses = 1,
		.offered = offered & ~EXT(T13_EXT_EARLY_DATA),
	};
	struct t13_reader r, exts, data;
	struct ext_walk w;
	uint16_t type;
	int rc;

	memset(ee, 0, sizeof(*ee));
	rc = t13_msg_body(msg, len, T13_HS_ENCRYPTED_EXTENSIONS, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 2, 0, 0xffff, &exts) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	walk_init(&w, exts, &rules);
	while ((rc = walk_next(&w, &type, &data)) > 0) {
		rc = ee_extension(ee, type, data);
		if (rc)
			return rc;
	}
	return rc;
}

/* ---- CertificateRequest ---- */

int t13_parse_certificate_request(struct t13_certificate_request *cr, const uint8_t *msg, size_t len)
{
	/* §4.3.2: requests, not responses; "clients MUST ignore unrecognized extensions". */
	static const struct ext_rules rules = { .place = PLACE_CR };
	struct t13_reader r, ctx, exts, data;
	struct ext_walk w;
	uint16_t type;
	int rc;

	memset(cr, 0, sizeof(*cr));
	rc = t13_msg_body(msg, len, T13_HS_CERTIFICATE_REQUEST, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 1, 0, 0xff, &ctx) || t13_rd_vec(&r, 2, 2, 0xffff, &exts) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	cr->context = ctx.p;
	cr->context_len = ctx.len;
	walk_init(&w, exts, &rules);
	while ((rc = walk_next(&w, &type, &data)) > 0) {
		if (type != T13_EXT_SIGNATURE_ALGORITHMS)
			continue;
		rc = rd_only_vec(data, 2, 2, 0xfffe, &cr->sig_algs, &cr->sig_algs_len);
		if (rc == 0 && cr->sig_algs_len % 2)
			rc = -T13_ALERT_DECODE_ERROR;
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	return cr->sig_algs ? 0 : -T13_ALERT_MISSING_EXTENSION;
}

/* ---- NewSessionTicket ---- */

int t13_parse_new_session_ticket(struct t13_new_session_ticket *t, const uint8_t *msg, size_t len)
{
	static const struct ext_rules rules = { .place = PLACE_NST };
	struct t13_reader r, nonce, ticket, exts, data;
	struct ext_walk w;
	uint16_t type;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = t13_msg_body(msg, len, T13_HS_NEW_SESSION_TICKET, &r);
	if (rc)
		return rc;
	if (t13_rd_u32(&r, &t->lifetime) || t13_rd_u32(&r, &t->age_add) || t13_rd_vec(&r, 1, 0, 0xff, &nonce) ||
	    t13_rd_vec(&r, 2, 1, 0xffff, &ticket) || t13_rd_vec(&r, 2, 0, 0xfffe, &exts) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	/* §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds". */
	if (t->lifetime > T13_MAX_TICKET_LIFETIME)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	t->nonce = nonce.p;
	t->nonce_len = nonce.len;
	t->ticket = ticket.p;
	t->ticket_len = ticket.len;
	walk_init(&w, exts, &rules);
	while ((rc = walk_next(&w, &type, &data)) > 0) {
		if (type != T13_EXT_EARLY_DATA)
			continue;
		if (t13_rd_u32(&data, &t->max_early_data) || data.len)
			return -T13_ALERT_DECODE_ERROR;
	}
	return rc;
}

/* ---- KeyUpdate ---- */

int t13_parse_key_update(const uint8_t *msg, size_t len, int *request_update)
{
	struct t13_reader r;
	uint8_t v;
	int rc;

	rc = t13_msg_body(msg, len, T13_HS_KEY_UPDATE, &r);
	if (rc)
		return rc;
	if (t13_rd_u8(&r, &v) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	/* §4.6.3: update_not_requested(0), update_requested(1). */
	if (v > 1)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	*request_update = v;
	return 0;
}
