// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "san.h"
#include "verify.h"

static const unsigned char oid_cn[] = { 3, 0x55, 0x04, 0x03 };
static const unsigned char oid_dns[] = { 0, 2 };

static struct verifier *outer(const br_x509_class **ctx)
{
	return (struct verifier *)(void *)ctx;
}

static const br_x509_class **inner(const br_x509_class **ctx)
{
	return &outer(ctx)->minimal->vtable;
}

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct verifier *v = outer(ctx);

	v->chain_seen = 0;
	v->cert_index = 0;
	v->error = 0;
	v->leaf_len = 0;
	v->leaf_too_long = 0;
	(*inner(ctx))->start_chain(inner(ctx), server_name);
}

static void start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct verifier *v = outer(ctx);

	v->chain_seen = 1;
	if (v->cert_index == 0)
		br_x509_decoder_init(&v->leaf, NULL, NULL);
	(*inner(ctx))->start_cert(inner(ctx), length);
}

static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct verifier *v = outer(ctx);

	/*
	 * Not after the decoder failed: BearSSL 0.6's br_x509_decoder_push()
	 * resumes its interpreter past the error and crashes on the next
	 * chunk (later BearSSL returns early when err is set). A peer's
	 * malformed certificate, split over a few chunks, did that (fuzz_hs_client).
	 */
	if (v->cert_index == 0 && v->leaf.err == 0)
		br_x509_decoder_push(&v->leaf, buf, len);
	/* The leaf as received, when its iPAddress names are to be read. */
	if (v->cert_index == 0 && v->ip_len) {
		if (len > sizeof(v->leaf_der) - v->leaf_len) {
			v->leaf_too_long = 1;
		} else {
			memcpy(v->leaf_der + v->leaf_len, buf, len);
			v->leaf_len += len;
		}
	}
	(*inner(ctx))->append(inner(ctx), buf, len);
}

static void end_cert(const br_x509_class **ctx)
{
	outer(ctx)->cert_index++;
	(*inner(ctx))->end_cert(inner(ctx));
}

static unsigned end_chain(const br_x509_class **ctx)
{
	struct verifier *v = outer(ctx);

	v->error = (int)(*inner(ctx))->end_chain(inner(ctx));
	if (!v->chain_seen)
		v->error = BR_ERR_X509_EMPTY_CHAIN;
	/* A chain that verified must also name the address we reached. */
	if (!v->error && v->ip_len &&
	    (v->leaf_too_long || san_has_ip(v->leaf_der, v->leaf_len, v->ip, v->ip_len) != 1))
		v->error = BR_ERR_X509_BAD_SERVER_NAME;
	if (v->error && v->mode != VERIFY_REQUIRED && v->chain_seen &&
	    br_x509_decoder_get_pkey(&v->leaf))
		return 0;
	return (unsigned)v->error;
}

static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct verifier *v = outer((const br_x509_class **)ctx);

	if (!v->error)
		return (*inner((const br_x509_class **)ctx))->get_pkey(
			(const br_x509_class *const *)inner((const br_x509_class **)ctx), usages);
	/* Not validated, accepted by policy: use the leaf's key for anything. */
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&v->leaf);
}

static const br_x509_class verifier_vtable = {
	sizeof(struct verifier),
	start_chain,
	start_cert,
	append,
	end_cert,
	end_chain,
	get_pkey,
};

void verifier_init(struct verifier *v, br_x509_minimal_context *minimal,
		   enum verify_mode mode)
{
	memset(v, 0, sizeof(*v));
	v->vtable = &verifier_vtable;
	v->minimal = minimal;
	v->mode = mode;
	v->names[0].oid = oid_cn;
	v->names[0].buf = v->cn;
	v->names[0].len = sizeof(v->cn);
	v->names[1].oid = oid_dns;
	v->names[1].buf = v->dns;
	v->names[1].len = sizeof(v->dns);
	br_x509_minimal_set_name_elements(minimal, v->names, 2);
}

int verifier_expect_ip(struct verifier *v, const char *literal)
{
	v->ip_len = san_parse_ip(literal, v->ip);
	return v->ip_len ? 0 : -1;
}

int verifier_identity(const struct verifier *v, char *subject, size_t subject_len,
		      char *san, size_t san_len)
{
	subject[0] = san[0] = '\0';
	if (!v->vtable || !v->chain_seen || v->error != 0)
		return 0;
	if (v->names[0].status > 0)
		snprintf(subject, subject_len, "%s", v->cn);
	if (v->names[1].status > 0)
		snprintf(san, san_len, "%s", v->dns);
	return 1;
}
