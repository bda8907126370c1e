// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_creds: PEM files of certificates, private keys and trust anchors,
 * through creds_load_chain(), creds_load_key() and creds_load_anchors().
 *
 * Input: one byte of mode, then the file.
 *   bits 0-2  what loads the file (taken modulo 5):
 *             0 chain; 1 key alone; 2 key after a real chain (the match
 *             check); 3 trust anchors; 4 chain, then a real key for it
 *   bit 3     the file is DER: the harness wraps it in PEM (base64), so the
 *             mutations land on the ASN.1 and not on the armour
 *   bits 4-5  PEM label for a wrapped key: PRIVATE KEY, EC PRIVATE KEY,
 *             RSA PRIVATE KEY, or CERTIFICATE
 *   bit 6     the real chain or key is RSA (server-rsa) instead of EC
 * The file goes into a memfd, opened as /proc/self/fd/N.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum op { OP_CHAIN, OP_KEY, OP_KEY_FOR_CHAIN, OP_ANCHORS, OP_CHAIN_THEN_KEY, OP_COUNT };

static const char *const key_labels[] = {
	"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "CERTIFICATE",
};

/* @der as a PEM object named @label, 64 base64 characters a line. */
static char *pem_wrap(const uint8_t *der, size_t len, const char *label, size_t *out_len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = 2 * strlen(label) + 64 + (len + 2) / 3 * 4 + (len / 48 + 1) * 1;
	char *out = malloc(cap), *o;
	size_t col = 0;

	FUZZ_CHECK(out);
	o = out + sprintf(out, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)der[i + 1] << 8;
		if (n > 2)
			v |= der[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = n > 1 ? b64[v >> 6 & 63] : '=';
		*o++ = n > 2 ? b64[v & 63] : '=';
		if ((col += 4) == 64) {
			*o++ = '\n';
			col = 0;
		}
	}
	if (col)
		*o++ = '\n';
	o += sprintf(o, "-----END %s-----\n", label);
	FUZZ_CHECK((size_t)(o - out) < cap);
	*out_len = (size_t)(o - out);
	return out;
}

static void check_loaded(const struct creds *c)
{
	for (size_t i = 0; i < c->chain_len; i++)
		FUZZ_CHECK(c->chain[i].data && c->chain[i].data_len);
	for (size_t i = 0; i < c->anchor_count; i++) {
		const br_x509_trust_anchor *ta = &c->anchors[i];

		FUZZ_CHECK(ta->pkey.key_type == BR_KEYTYPE_RSA || ta->pkey.key_type == BR_KEYTYPE_EC);
		if (ta->pkey.key_type == BR_KEYTYPE_RSA)
			FUZZ_CHECK(ta->pkey.key.rsa.n && ta->pkey.key.rsa.nlen);
		else
			FUZZ_CHECK(ta->pkey.key.ec.q && ta->pkey.key.ec.qlen);
	}
	if (c->key_type == BR_KEYTYPE_EC)
		FUZZ_CHECK(c->ec_key.x == c->key_buf && c->ec_key.xlen);
	else if (c->key_type == BR_KEYTYPE_RSA)
		FUZZ_CHECK(c->rsa_key.p == c->key_buf && c->rsa_key.n_bitlen);
	else
		FUZZ_CHECK(c->key_type == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct creds c;
	char path[64], err[512];
	enum op op;
	const char *kind;
	const uint8_t *file;
	char *wrapped = NULL;
	size_t len;
	int fd, rc;

	if (size < 1)
		return 0;
	op = (enum op)((data[0] & 7) % OP_COUNT);
	kind = data[0] & 0x40 ? "server-rsa" : "server-ec";
	file = data + 1;
	len = size - 1;
	if (data[0] & 8) {
		const char *label = op == OP_KEY || op == OP_KEY_FOR_CHAIN ?
				    key_labels[data[0] >> 4 & 3] : "CERTIFICATE";

		wrapped = pem_wrap(file, len, label, &len);
		file = (const uint8_t *)wrapped;
	}
	fd = fuzz_memfd(file, len, path, sizeof(path));
	free(wrapped);

	memset(&c, 0, sizeof(c));
	err[0] = 0;
	switch (op) {
	case OP_CHAIN:
		rc = creds_load_chain(&c, path, err, sizeof(err));
		FUZZ_CHECK(rc < 0 || c.chain_len > 0);
		break;
	case OP_KEY:
		rc = creds_load_key(&c, path, err, sizeof(err));
		FUZZ_CHECK(rc < 0 || c.key_type);
		break;
	case OP_KEY_FOR_CHAIN: {
		char real[64];

		snprintf(real, sizeof(real), "%s.crt", kind);
		FUZZ_CHECK(creds_load_chain(&c, fuzz_data_path(real), err, sizeof(err)) == 0);
		rc = creds_load_key(&c, path, err, sizeof(err));
		break;
	}
	case OP_ANCHORS:
		rc = creds_load_anchors(&c, path, err, sizeof(err));
		FUZZ_CHECK(rc < 0 || c.anchor_count > 0);
		break;
	case OP_CHAIN_THEN_KEY:
	default: {
		char real[64];

		rc = creds_load_chain(&c, path, err, sizeof(err));
		if (rc == 0) {
			snprintf(real, sizeof(real), "%s.key", kind);
			rc = creds_load_key(&c, fuzz_data_path(real), err, sizeof(err));
		}
		break;
	}
	}
	FUZZ_CHECK(fuzz_bounded(err, sizeof(err)));
	FUZZ_CHECK(rc == 0 || (rc == -1 && err[0]));
	check_loaded(&c);
	creds_free(&c);
	close(fd);
	return 0;
}
