// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 handshake messages: a bounded reader, a sticky writer, the
 * ClientHello parser and the messages of §4 a server sends (see msg.h).
 */
#include <string.h>

#include "msg.h"

/* ---- Bounded reader ---- */

void t13_rd_init(struct t13_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
}

int t13_rd_bytes(struct t13_reader *r, size_t n, const uint8_t **out)
{
	if (n > r->len)
		return -1;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return 0;
}

/* A big-endian integer of @n (1..4) bytes. */
static int rd_uint(struct t13_reader *r, size_t n, uint32_t *v)
{
	const uint8_t *p;
	uint32_t x = 0;

	if (t13_rd_bytes(r, n, &p))
		return -1;
	for (size_t i = 0; i < n; i++)
		x = x << 8 | p[i];
	*v = x;
	return 0;
}

int t13_rd_u8(struct t13_reader *r, uint8_t *v)
{
	uint32_t x;

	if (rd_uint(r, 1, &x))
		return -1;
	*v = (uint8_t)x;
	return 0;
}

int t13_rd_u16(struct t13_reader *r, uint16_t *v)
{
	uint32_t x;

	if (rd_uint(r, 2, &x))
		return -1;
	*v = (uint16_t)x;
	return 0;
}

int t13_rd_u24(struct t13_reader *r, uint32_t *v)
{
	return rd_uint(r, 3, v);
}

int t13_rd_u32(struct t13_reader *r, uint32_t *v)
{
	return rd_uint(r, 4, v);
}

int t13_rd_vec(struct t13_reader *r, int width, size_t min, size_t max, struct t13_reader *out)
{
	struct t13_reader save = *r;
	const uint8_t *p;
	uint32_t n;

	if (width < 1 || width > 3 || rd_uint(r, (size_t)width, &n))
		return -1;
	if (n < min || n > max || t13_rd_bytes(r, n, &p)) {
		*r = save;
		return -1;
	}
	t13_rd_init(out, p, n);
	return 0;
}

int t13_msg_body(const uint8_t *msg, size_t len, uint8_t type, struct t13_reader *body)
{
	if (len < T13_HS_HEADER)
		return -T13_ALERT_DECODE_ERROR;
	if (msg[0] != type)
		return -T13_ALERT_UNEXPECTED_MESSAGE;
	if (t13_get24(msg + 1) != len - T13_HS_HEADER)
		return -T13_ALERT_DECODE_ERROR;
	t13_rd_init(body, msg + T13_HS_HEADER, len - T13_HS_HEADER);
	return 0;
}

/* ---- Sticky writer ---- */

void t13_buf_init(struct t13_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->overflow = 0;
}

/* Room for @n more bytes, or the overflow (sticky: no room ever again). */
static uint8_t *buf_room(struct t13_buf *b, size_t n)
{
	uint8_t *at;

	if (b->overflow || n > b->cap - b->len) {
		b->overflow = 1;
		return NULL;
	}
	at = b->p + b->len;
	b->len += n;
	return at;
}

static void put_uint(struct t13_buf *b, uint32_t v, size_t n)
{
	uint8_t *at = buf_room(b, n);

	if (!at)
		return;
	for (size_t i = n; i-- > 0; v >>= 8)
		at[i] = (uint8_t)v;
}

void t13_put_u8(struct t13_buf *b, unsigned v)
{
	put_uint(b, v, 1);
}

void t13_put_u16(struct t13_buf *b, unsigned v)
{
	put_uint(b, v, 2);
}

void t13_put_u24(struct t13_buf *b, uint32_t v)
{
	put_uint(b, v, 3);
}

void t13_put_u32(struct t13_buf *b, uint32_t v)
{
	put_uint(b, v, 4);
}

void t13_put_bytes(struct t13_buf *b, const void *p, size_t n)
{
	uint8_t *at = buf_room(b, n);

	/* memcpy from NULL is undefined even for 0 bytes. */
	if (at && n)
		memcpy(at, p, n);
}

static uint32_t vec_max(int width)
{
	return width == 1 ? 0xff : width == 2 ? 0xffff : 0xffffff;
}

size_t t13_vec_open(struct t13_buf *b, int width)
{
	size_t mark = b->len;

	if (width < 1 || width > 3) {
		b->overflow = 1;
		return mark;
	}
	put_uint(b, 0, (size_t)width);
	return mark;
}

void t13_vec_close(struct t13_buf *b, size_t mark, int width)
{
	size_t n;

	if (b->overflow)
		return;
	if (width < 1 || width > 3 || mark > b->len || b->len - mark < (size_t)width) {
		b->overflow = 1;
		return;
	}
	n = b->len - mark - (size_t)width;
	if (n > vec_max(width)) {
		b->overflow = 1;
		return;
	}
	for (int i = width; i-- > 0; n >>= 8)
		b->p[mark + (size_t)i] = (uint8_t)n;
}

void t13_put_vec(struct t13_buf *b, int width, const void *p, size_t n)
{
	size_t mark = t13_vec_open(b, width);

	t13_put_bytes(b, p, n);
	t13_vec_close(b, mark, width);
}

size_t t13_hs_open(struct t13_buf *b, uint8_t type)
{
	t13_put_u8(b, type);
	return t13_vec_open(b, 3);
}

void t13_hs_close(struct t13_buf *b, size_t mark)
{
	t13_vec_close(b, mark, 3);
}

/* An extension: its type, then extension_data as a 2-byte vector. */
static size_t ext_open(struct t13_buf *b, uint16_t type)
{
	t13_put_u16(b, type);
	return t13_vec_open(b, 2);
}

static void ext_close(struct t13_buf *b, size_t mark)
{
	t13_vec_close(b, mark, 2);
}

/* ---- ClientHello ---- */

int t13_u16_set_add(struct t13_u16_set *s, uint16_t v)
{
	uint64_t bit = (uint64_t)1 << (v % 64);
	int had = !!(s->bits[v / 64] & bit);

	s->bits[v / 64] |= bit;
	return had;
}

/* A list of 2-byte ids in a @width-byte vector of @min..@max bytes, of even length. */
static int rd_id_list(struct t13_reader *r, int width, size_t min, size_t max, const uint8_t **list,
		      size_t *len)
{
	struct t13_reader v;

	if (t13_rd_vec(r, width, min, max, &v) || v.len % 2)
		return -T13_ALERT_DECODE_ERROR;
	*list = v.p;
	*len = v.len;
	return 0;
}

/* LDH labels separated by single dots: what a DNS host name may be (RFC 6066 §3, RFC 1123). */
static int valid_host_name(const uint8_t *name, size_t len)
{
	size_t label = 0;

	if (len < 1 || len > 255)
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		/* '_' too: no hostname has one, but names in use do, and clients send them. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_'))
			return 0;
		label++;
	}
	/* No trailing dot either: RFC 6066 sends the name without one. */
	return label > 0;
}

static int parse_server_name(struct t13_client_hello *ch, struct t13_reader d)
{
	struct t13_reader list, name;
	uint8_t type;

	if (t13_rd_vec(&d, 2, 1, 0xffff, &list) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	while (list.len) {
		if (t13_rd_u8(&list, &type) || t13_rd_vec(&list, 2, 1, 0xffff, &name))
			return -T13_ALERT_DECODE_ERROR;
		/* Other name types are assumed to share host_name's layout, and skipped. */
		if (type != 0)
			continue;
		/* RFC 6066 §3: no two names of the same type. */
		if (ch->has_server_name || !valid_host_name(name.p, name.len))
			return -T13_ALERT_ILLEGAL_PARAMETER;
		memcpy(ch->server_name, name.p, name.len);
		ch->server_name[name.len] = '\0';
		ch->has_server_name = 1;
	}
	return 0;
}

static int parse_alpn(struct t13_client_hello *ch, struct t13_reader d)
{
	struct t13_reader list, names, name;

	if (t13_rd_vec(&d, 2, 2, 0xffff, &list) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	/* RFC 7301 §3.1: ProtocolName<1..2^8-1>, so no empty name. */
	for (names = list; names.len;)
		if (t13_rd_vec(&names, 1, 1, 0xff, &name))
			return -T13_ALERT_DECODE_ERROR;
	ch->alpn = list.p;
	ch->alpn_len = list.len;
	return 0;
}

/*
 * pre_shared_key (§4.2.11): identities<7..2^16-1> of { identity<1..2^16-1>,
 * uint32 age }, then binders<33..2^16-1> of binder<32..255>, as many.
 */
static int parse_psk(struct t13_client_hello *ch, const uint8_t *msg, struct t13_reader d)
{
	struct t13_reader ids, binders, it, one;
	size_t n_ids = 0, n_binders = 0, offset;
	uint32_t age;

	if (t13_rd_vec(&d, 2, 7, 0xffff, &ids))
		return -T13_ALERT_DECODE_ERROR;
	for (it = ids; it.len; n_ids++)
		if (t13_rd_vec(&it, 2, 1, 0xffff, &one) || t13_rd_u32(&it, &age))
			return -T13_ALERT_DECODE_ERROR;
	offset = (size_t)(d.p - msg);
	if (t13_rd_vec(&d, 2, 33, 0xffff, &binders) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	for (it = binders; it.len; n_binders++)
		if (t13_rd_vec(&it, 1, 32, 0xff, &one))
			return -T13_ALERT_DECODE_ERROR;
	if (n_ids != n_binders)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	ch->psk_identities = ids.p;
	ch->psk_identities_len = ids.len;
	ch->psk_binders = binders.p;
	ch->psk_binders_len = binders.len;
	ch->binders_offset = offset;
	return 0;
}

/*
 * key_share (§4.2.8): client_shares<0..2^16-1> of { group, key_exchange<1..2^16-1> };
 * a group twice is a MAY-check we make, so that a look-up by group is unambiguous.
 * @seen is scratch, cleared here: the extension types' set, once they are all read.
 */
static int parse_key_share(struct t13_client_hello *ch, struct t13_reader d, struct t13_u16_set *seen)
{
	struct t13_reader list, it, key;
	uint16_t group;

	if (t13_rd_vec(&d, 2, 0, 0xffff, &list) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	memset(seen, 0, sizeof(*seen));
	for (it = list; it.len;) {
		if (t13_rd_u16(&it, &group) || t13_rd_vec(&it, 2, 1, 0xffff, &key))
			return -T13_ALERT_DECODE_ERROR;
		if (t13_u16_set_add(seen, group))
			return -T13_ALERT_ILLEGAL_PARAMETER;
	}
	ch->key_shares = list.p;
	ch->key_shares_len = list.len;
	return 0;
}

/* An opaque vector of @min..@max bytes that is the whole extension_data. */
static int rd_whole_vec(struct t13_reader d, int width, size_t min, size_t max, const uint8_t **p, size_t *len)
{
	struct t13_reader v;

	if (t13_rd_vec(&d, width, min, max, &v) || d.len)
		return -T13_ALERT_DECODE_ERROR;
	*p = v.p;
	*len = v.len;
	return 0;
}

/* A list of 2-byte ids, of even length, that is the whole extension_data. */
static int rd_whole_id_list(struct t13_reader d, int width, size_t min, size_t max, const uint8_t **p,
			    size_t *len)
{
	int rc = rd_whole_vec(d, width, min, max, p, len);

	if (rc)
		return rc;
	return *len % 2 ? -T13_ALERT_DECODE_ERROR : 0;
}

/* Empty extension_data, as a flag. */
static int rd_empty(struct t13_reader d, int *flag)
{
	if (d.len)
		return -T13_ALERT_DECODE_ERROR;
	*flag = 1;
	return 0;
}

/* One extension's data; key_share's is only kept in @key_share, for later. */
static int parse_extension(struct t13_client_hello *ch, const uint8_t *msg, uint16_t type, struct t13_reader d,
			   struct t13_reader *key_share)
{
	switch (type) {
	case T13_EXT_SERVER_NAME:
		return parse_server_name(ch, d);
	case T13_EXT_SUPPORTED_GROUPS:
		return rd_whole_id_list(d, 2, 2, 0xffff, &ch->groups, &ch->groups_len);
	case T13_EXT_SIGNATURE_ALGORITHMS:
		return rd_whole_id_list(d, 2, 2, 0xfffe, &ch->sig_algs, &ch->sig_algs_len);
	case T13_EXT_SIGNATURE_ALGORITHMS_CERT:
		return rd_whole_id_list(d, 2, 2, 0xfffe, &ch->sig_algs_cert, &ch->sig_algs_cert_len);
	case T13_EXT_SUPPORTED_VERSIONS:
		return rd_whole_id_list(d, 1, 2, 254, &ch->versions, &ch->versions_len);
	case T13_EXT_ALPN:
		return parse_alpn(ch, d);
	case T13_EXT_KEY_SHARE:
		*key_share = d;
		return 0;
	case T13_EXT_PRE_SHARED_KEY:
		return parse_psk(ch, msg, d);
	case T13_EXT_PSK_KEY_EXCHANGE_MODES:
		return rd_whole_vec(d, 1, 1, 0xff, &ch->psk_modes, &ch->psk_modes_len);
	case T13_EXT_COOKIE:
		return rd_whole_vec(d, 2, 1, 0xffff, &ch->cookie, &ch->cookie_len);
	case T13_EXT_EARLY_DATA:
		return rd_empty(d, &ch->early_data);
	case T13_EXT_POST_HANDSHAKE_AUTH:
		return rd_empty(d, &ch->post_handshake_auth);
	case T13_EXT_EC_POINT_FORMATS:
		return rd_whole_vec(d, 1, 1, 0xff, &ch->point_formats, &ch->point_formats_len);
	case T13_EXT_RENEGOTIATION_INFO:
		return rd_whole_vec(d, 1, 0, 0xff, &ch->reneg_info, &ch->reneg_info_len);
	case T13_EXT_EXTENDED_MASTER_SECRET:
		return rd_empty(d, &ch->extended_master_secret);
	default:
		return 0;
	}
}

/*
 * The extensions block <0..2^16-1> (TLS 1.2 allows it empty), which ends the
 * message. key_share is parsed last, reusing the set of types for its groups.
 */
static int parse_extensions(struct t13_client_hello *ch, const uint8_t *msg, struct t13_reader r)
{
	struct t13_reader exts, data, key_share = { NULL, 0 };
	struct t13_u16_set seen;
	uint16_t type;
	int rc, psk_seen = 0;

	if (t13_rd_vec(&r, 2, 0, 0xffff, &exts) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	memset(&seen, 0, sizeof(seen));
	while (exts.len) {
		if (t13_rd_u16(&exts, &type) || t13_rd_vec(&exts, 2, 0, 0xffff, &data))
			return -T13_ALERT_DECODE_ERROR;
		/* §4.2: no type twice; §4.2.11: pre_shared_key last. */
		if (t13_u16_set_add(&seen, type) || psk_seen)
			return -T13_ALERT_ILLEGAL_PARAMETER;
		psk_seen = type == T13_EXT_PRE_SHARED_KEY;
		rc = parse_extension(ch, msg, type, data, &key_share);
		if (rc)
			return rc;
	}
	return key_share.p ? parse_key_share(ch, key_share, &seen) : 0;
}

int t13_parse_client_hello(struct t13_client_hello *ch, const uint8_t *msg, size_t len)
{
	struct t13_reader r, v;
	int rc;

	memset(ch, 0, sizeof(*ch));
	rc = t13_msg_body(msg, len, T13_HS_CLIENT_HELLO, &r);
	if (rc)
		return rc;
	ch->msg_len = len;
	if (t13_rd_u16(&r, &ch->legacy_version) || t13_rd_bytes(&r, T13_RANDOM_LEN, &ch->random))
		return -T13_ALERT_DECODE_ERROR;
	if (t13_rd_vec(&r, 1, 0, T13_MAX_SESSION_ID, &v))
		return -T13_ALERT_DECODE_ERROR;
	ch->session_id = v.p;
	ch->session_id_len = v.len;
	if (rd_id_list(&r, 2, 2, 0xfffe, &ch->suites, &ch->suites_len))
		return -T13_ALERT_DECODE_ERROR;
	if (t13_rd_vec(&r, 1, 1, 0xff, &v))
		return -T13_ALERT_DECODE_ERROR;
	ch->compression = v.p;
	ch->compression_len = v.len;
	/* §4.1.2: a ClientHello of an earlier version may end here. */
	if (r.len == 0)
		return 0;
	ch->has_extensions = 1;
	return parse_extensions(ch, msg, r);
}

int t13_list_has(const uint8_t *list, size_t len, uint16_t v)
{
	if (!list)
		return 0;
	for (size_t i = 0; i + 2 <= len; i += 2)
		if (t13_get16(list + i) == v)
			return 1;
	return 0;
}

const uint8_t *t13_find_key_share(const struct t13_client_hello *ch, uint16_t group, size_t *len)
{
	struct t13_reader it, key;
	uint16_t g;

	*len = 0;
	if (!ch->key_shares)
		return NULL;
	t13_rd_init(&it, ch->key_shares, ch->key_shares_len);
	while (it.len) {
		if (t13_rd_u16(&it, &g) || t13_rd_vec(&it, 2, 1, 0xffff, &key))
			return NULL;
		if (g == group) {
			*len = key.len;
			return key.p;
		}
	}
	return NULL;
}

int t13_psk_identity(const struct t13_client_hello *ch, size_t i, const uint8_t **id, size_t *id_len,
		     uint32_t *obf_age, const uint8_t **binder, size_t *binder_len)
{
	struct t13_reader ids, binders, one_id, one_binder;
	uint32_t age;

	if (!ch->psk_identities || !ch->psk_binders)
		return -1;
	t13_rd_init(&ids, ch->psk_identities, ch->psk_identities_len);
	t13_rd_init(&binders, ch->psk_binders, ch->psk_binders_len);
	for (size_t k = 0;; k++) {
		if (t13_rd_vec(&ids, 2, 1, 0xffff, &one_id) || t13_rd_u32(&ids, &age) ||
		    t13_rd_vec(&binders, 1, 32, 0xff, &one_binder))
			return -1;
		if (k == i)
			break;
	}
	*id = one_id.p;
	*id_len = one_id.len;
	*obf_age = age;
	*binder = one_binder.p;
	*binder_len = one_binder.len;
	return 0;
}

int t13_client_hello_offers_13(const struct t13_client_hello *ch)
{
	return t13_list_has(ch->versions, ch->versions_len, T13_VERSION);
}

/* ---- Writers ---- */

const uint8_t t13_hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

void t13_put_server_hello_head(struct t13_buf *b, const uint8_t *random, const uint8_t *sid,
			       size_t sid_len, uint16_t suite)
{
	if (sid_len > T13_MAX_SESSION_ID)
		b->overflow = 1;
	t13_put_u16(b, T13_LEGACY_VERSION);
	t13_put_bytes(b, random, T13_RANDOM_LEN);
	t13_put_vec(b, 1, sid, sid_len);
	t13_put_u16(b, suite);
	t13_put_u8(b, 0);
}

static void put_supported_versions(struct t13_buf *b)
{
	size_t ext = ext_open(b, T13_EXT_SUPPORTED_VERSIONS);

	t13_put_u16(b, T13_VERSION);
	ext_close(b, ext);
}

void t13_write_server_hello(struct t13_buf *b, const uint8_t random[32], const uint8_t *sid, size_t sid_len,
			    uint16_t suite, uint16_t group, const uint8_t *pub, size_t pub_len, int psk_index)
{
	size_t msg = t13_hs_open(b, T13_HS_SERVER_HELLO), exts, ext;

	t13_put_server_hello_head(b, random, sid, sid_len, suite);
	exts = t13_vec_open(b, 2);
	if (psk_index > 0xffff)
		b->overflow = 1;
	if (psk_index >= 0) {
		ext = ext_open(b, T13_EXT_PRE_SHARED_KEY);
		t13_put_u16(b, (unsigned)psk_index);
		ext_close(b, ext);
	}
	ext = ext_open(b, T13_EXT_KEY_SHARE);
	t13_put_u16(b, group);
	t13_put_vec(b, 2, pub, pub_len);
	ext_close(b, ext);
	put_supported_versions(b);
	t13_vec_close(b, exts, 2);
	t13_hs_close(b, msg);
}

void t13_write_hello_retry_request(struct t13_buf *b, const uint8_t *sid, size_t sid_len, uint16_t suite,
				   uint16_t group, const uint8_t *cookie, size_t cookie_len)
{
	size_t msg = t13_hs_open(b, T13_HS_SERVER_HELLO), exts, ext;

	t13_put_server_hello_head(b, t13_hrr_random, sid, sid_len, suite);
	exts = t13_vec_open(b, 2);
	ext = ext_open(b, T13_EXT_KEY_SHARE);
	t13_put_u16(b, group);
	ext_close(b, ext);
	if (cookie) {
		if (cookie_len == 0)
			b->overflow = 1;
		ext = ext_open(b, T13_EXT_COOKIE);
		t13_put_vec(b, 2, cookie, cookie_len);
		ext_close(b, ext);
	}
	put_supported_versions(b);
	t13_vec_close(b, exts, 2);
	t13_hs_close(b, msg);
}

void t13_write_encrypted_extensions_params(struct t13_buf *b, const struct t13_ee_params *p)
{
	size_t msg = t13_hs_open(b, T13_HS_ENCRYPTED_EXTENSIONS), exts, ext, list;

	exts = t13_vec_open(b, 2);
	if (p->groups) {
		ext = ext_open(b, T13_EXT_SUPPORTED_GROUPS);
		t13_put_vec(b, 2, p->groups, p->groups_len);
		ext_close(b, ext);
	}
	if (p->record_size_limit) {
		ext = ext_open(b, T13_EXT_RECORD_SIZE_LIMIT);
		t13_put_u16(b, p->record_size_limit);
		ext_close(b, ext);
	}
	if (p->sni_ack) {
		ext = ext_open(b, T13_EXT_SERVER_NAME);
		ext_close(b, ext);
	}
	if (p->alpn) {
		size_t n = strlen(p->alpn);

		/* RFC 7301 §3.1: exactly one ProtocolName<1..2^8-1>. */
		if (n == 0)
			b->overflow = 1;
		ext = ext_open(b, T13_EXT_ALPN);
		list = t13_vec_open(b, 2);
		t13_put_vec(b, 1, p->alpn, n);
		t13_vec_close(b, list, 2);
		ext_close(b, ext);
	}
	t13_vec_close(b, exts, 2);
	t13_hs_close(b, msg);
}

void t13_write_encrypted_extensions(struct t13_buf *b, const char *alpn, int sni_ack, const uint8_t *groups,
				    size_t groups_len)
{
	const struct t13_ee_params p = {
		.alpn = alpn,
		.sni_ack = sni_ack,
		.groups = groups,
		.groups_len = groups_len,
	};

	t13_write_encrypted_extensions_params(b, &p);
}

void t13_write_certificate_request(struct t13_buf *b, const uint8_t *sig_algs, size_t sig_algs_len)
{
	size_t msg = t13_hs_open(b, T13_HS_CERTIFICATE_REQUEST), exts, ext;

	t13_put_vec(b, 1, NULL, 0);
	exts = t13_vec_open(b, 2);
	ext = ext_open(b, T13_EXT_SIGNATURE_ALGORITHMS);
	t13_put_vec(b, 2, sig_algs, sig_algs_len);
	ext_close(b, ext);
	t13_vec_close(b, exts, 2);
	t13_hs_close(b, msg);
}

void t13_write_certificate(struct t13_buf *b, const uint8_t *context, size_t context_len,
			   const br_x509_certificate *chain, size_t n)
{
	size_t msg = t13_hs_open(b, T13_HS_CERTIFICATE), list;

	t13_put_vec(b, 1, context, context_len);
	list = t13_vec_open(b, 3);
	for (size_t i = 0; i < n; i++) {
		/* cert_data<1..2^24-1>: an empty certificate cannot be sent. */
		if (chain[i].data_len == 0)
			b->overflow = 1;
		t13_put_vec(b, 3, chain[i].data, chain[i].data_len);
		t13_put_u16(b, 0);
	}
	t13_vec_close(b, list, 3);
	t13_hs_close(b, msg);
}

void t13_write_certificate_verify(struct t13_buf *b, uint16_t scheme, const uint8_t *sig, size_t sig_len)
{
	size_t msg = t13_hs_open(b, T13_HS_CERTIFICATE_VERIFY);

	t13_put_u16(b, scheme);
	t13_put_vec(b, 2, sig, sig_len);
	t13_hs_close(b, msg);
}

void t13_write_finished(struct t13_buf *b, const uint8_t *verify_data, size_t len)
{
	size_t msg = t13_hs_open(b, T13_HS_FINISHED);

	t13_put_bytes(b, verify_data, len);
	t13_hs_close(b, msg);
}

void t13_write_new_session_ticket(struct t13_buf *b, uint32_t lifetime, uint32_t age_add, const uint8_t *nonce,
				  size_t nonce_len, const uint8_t *ticket, size_t ticket_len)
{
	size_t msg = t13_hs_open(b, T13_HS_NEW_SESSION_TICKET);

	if (ticket_len == 0)
		b->overflow = 1;
	t13_put_u32(b, lifetime);
	t13_put_u32(b, age_add);
	t13_put_vec(b, 1, nonce, nonce_len);
	t13_put_vec(b, 2, ticket, ticket_len);
	t13_put_u16(b, 0);
	t13_hs_close(b, msg);
}

/* ---- Parsers of messages both roles receive ---- */

/* An extension list whose entries are skipped: only its framing is checked. */
static int skip_extensions(struct t13_reader exts)
{
	struct t13_reader data;
	uint16_t type;

	while (exts.len)
		if (t13_rd_u16(&exts, &type) || t13_rd_vec(&exts, 2, 0, 0xffff, &data))
			return -1;
	return 0;
}

int t13_parse_certificate(const uint8_t *msg, size_t len, const uint8_t **context, size_t *context_len,
			  struct t13_cert_entry *entries, size_t max, size_t *n)
{
	struct t13_reader r, ctx, list, der, exts;
	size_t count = 0;
	int rc;

	*n = 0;
	rc = t13_msg_body(msg, len, T13_HS_CERTIFICATE, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 1, 0, 0xff, &ctx) || t13_rd_vec(&r, 3, 0, 0xffffff, &list) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	while (list.len) {
		if (t13_rd_vec(&list, 3, 1, 0xffffff, &der) || t13_rd_vec(&list, 2, 0, 0xffff, &exts) ||
		    skip_extensions(exts))
			return -T13_ALERT_DECODE_ERROR;
		if (count < max) {
			entries[count].der = der.p;
			entries[count].len = der.len;
		}
		count++;
	}
	if (count > max)
		return -T13_ALERT_BAD_CERTIFICATE;
	*context = ctx.p;
	*context_len = ctx.len;
	*n = count;
	return 0;
}

int t13_parse_certificate_verify(const uint8_t *msg, size_t len, uint16_t *scheme, const uint8_t **sig,
				 size_t *sig_len)
{
	struct t13_reader r, s;
	int rc;

	rc = t13_msg_body(msg, len, T13_HS_CERTIFICATE_VERIFY, &r);
	if (rc)
		return rc;
	if (t13_rd_u16(&r, scheme) || t13_rd_vec(&r, 2, 0, 0xffff, &s) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	*sig = s.p;
	*sig_len = s.len;
	return 0;
}

int t13_parse_finished(const uint8_t *msg, size_t len, size_t hash_len, const uint8_t **verify_data)
{
	struct t13_reader r;
	int rc;

	rc = t13_msg_body(msg, len, T13_HS_FINISHED, &r);
	if (rc)
		return rc;
	if (r.len != hash_len)
		return -T13_ALERT_DECODE_ERROR;
	*verify_data = r.p;
	return 0;
}
