// SPDX-License-Identifier: GPL-2.0-or-later
/* A DER walk just deep enough for one extension: every length bounded. */
#include <arpa/inet.h>
#include <string.h>

#include "san.h"

#define DER_SEQUENCE	0x30
#define DER_OID		0x06
#define DER_BOOLEAN	0x01
#define DER_OCTETS	0x04
#define DER_EXTENSIONS	0xa3	/* [3] EXPLICIT, in TBSCertificate */
#define DER_SAN_IP	0x87	/* [7] IMPLICIT OCTET STRING, in GeneralName */

struct der {
	const uint8_t *p;
	size_t len;
};

/* The next TLV of @d: its tag and contents; 0, or -1 if malformed. */
static int der_next(struct der *d, uint8_t *tag, struct der *out)
{
	size_t len, head = 2;

	if (d->len < 2 || (d->p[0] & 0x1f) == 0x1f)
		return -1;
	*tag = d->p[0];
	len = d->p[1];
	if (len & 0x80) {
		size_t n = len & 0x7f;

		/* No indefinite lengths in DER; nothing here is 16 MiB long. */
		if (n == 0 || n > 3 || d->len < 2 + n)
			return -1;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | d->p[2 + i];
		head += n;
	}
	if (len > d->len - head)
		return -1;
	out->p = d->p + head;
	out->len = len;
	d->p += head + len;
	d->len -= head + len;
	return 0;
}

/* The extensions of @cert: 1 found, 0 none, -1 malformed. */
static int find_extensions(const uint8_t *cert, size_t len, struct der *exts)
{
	struct der d = { cert, len }, c, tbs, field;
	uint8_t tag;

	if (der_next(&d, &tag, &c) < 0 || tag != DER_SEQUENCE ||
	    der_next(&c, &tag, &tbs) < 0 || tag != DER_SEQUENCE)
		return -1;
	while (tbs.len) {
		if (der_next(&tbs, &tag, &field) < 0)
			return -1;
		if (tag == DER_EXTENSIONS)
			return der_next(&field, &tag, exts) < 0 || tag != DER_SEQUENCE ? -1 : 1;
	}
	return 0;
}

static int names_have_ip(struct der names, const uint8_t *ip, size_t ip_len)
{
	struct der name;
	uint8_t tag;

	while (names.len) {
		if (der_next(&names, &tag, &name) < 0)
			return -1;
		if (tag == DER_SAN_IP && name.len == ip_len && !memcmp(name.p, ip, ip_len))
			return 1;
	}
	return 0;
}

int san_has_ip(const uint8_t *cert, size_t len, const uint8_t *ip, size_t ip_len)
{
	static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };	/* 2.5.29.17 */
	struct der exts, ext, oid, value, names;
	uint8_t tag;
	int rc = find_extensions(cert, len, &exts);

	if (rc <= 0)
		return rc;
	while (exts.len) {
		if (der_next(&exts, &tag, &ext) < 0 || tag != DER_SEQUENCE ||
		    der_next(&ext, &tag, &oid) < 0 || tag != DER_OID ||
		    der_next(&ext, &tag, &value) < 0)
			return -1;
		if (tag == DER_BOOLEAN && der_next(&ext, &tag, &value) < 0)
			return -1;
		if (tag != DER_OCTETS)
			return -1;
		if (oid.len != sizeof(oid_san) || memcmp(oid.p, oid_san, sizeof(oid_san)))
			continue;
		if (der_next(&value, &tag, &names) < 0 || tag != DER_SEQUENCE)
			return -1;
		return names_have_ip(names, ip, ip_len);
	}
	return 0;
}

size_t san_parse_ip(const char *text, uint8_t *ip)
{
	if (inet_pton(AF_INET, text, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, ip) == 1)
		return 16;
	return 0;
}
