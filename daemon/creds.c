// SPDX-License-Identifier: GPL-2.0-or-later
/* PEM certificates, private keys and trust anchors, decoded with BearSSL. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "creds.h"
#include "ecdsa.h"
#include "rsa.h"

#define MAX_PEM_FILE (1 << 20)

struct buf {
	unsigned char *data;
	size_t len, cap;
	int oom;
};

struct pem_object {
	char name[128];
	struct buf der;
};

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Grow by copying, never realloc(): a key's bytes must not be left behind in
 * a block realloc() gave back without wiping it.
 */
static void buf_append(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;

	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 1024) + len;
		unsigned char *p = malloc(cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		if (b->data) {
			memcpy(p, b->data, b->len);
			explicit_bzero(b->data, b->cap);
			free(b->data);
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void buf_free(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* With read(2), not stdio: no library buffer keeps a copy of a key file. */
static int read_file(const char *path, struct buf *out, char *err, size_t errlen)
{
	unsigned char chunk[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fd < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && !out->oom && out->len <= MAX_PEM_FILE)
		buf_append(out, chunk, (size_t)n);
	explicit_bzero(chunk, sizeof(chunk));
	if (n < 0 || out->oom || out->len > MAX_PEM_FILE) {
		say(err, errlen, "%s: %s", path, out->oom ? "out of memory" :
		    out->len > MAX_PEM_FILE ? "larger than 1 MiB" : strerror(errno));
		close(fd);
		buf_free(out);
		return -1;
	}
	close(fd);
	return 0;
}

static void free_objects(struct pem_object *objs, size_t count)
{
	if (!objs)
		return;
	for (size_t i = 0; i < count; i++)
		buf_free(&objs[i].der);
	free(objs);
}

/* Every PEM object of @path, in order. */
static int read_pem(const char *path, struct pem_object **objs, size_t *count,
		    char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	struct buf file;
	struct pem_object *list = NULL, *cur = NULL;
	size_t n = 0, off = 0;
	int rc = -1;

	if (read_file(path, &file, err, errlen) < 0)
		return -1;
	/* A last line without its newline would leave the object open. */
	buf_append(&file, "\n", 1);
	br_pem_decoder_init(&pc);
	while (off < file.len) {
		off += br_pem_decoder_push(&pc, file.data + off, file.len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ: {
			struct pem_object *grown = realloc(list, (n + 1) * sizeof(*list));

			if (!grown) {
				say(err, errlen, "%s: out of memory", path);
				goto out;
			}
			list = grown;
			cur = &list[n++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", br_pem_decoder_name(&pc));
			br_pem_decoder_setdest(&pc, buf_append, &cur->der);
			break;
		}
		case BR_PEM_END_OBJ:
			if (cur && cur->der.oom) {
				say(err, errlen, "%s: out of memory", path);
				goto out;
			}
			cur = NULL;
			break;
		case BR_PEM_ERROR:
			say(err, errlen, "%s: not valid PEM", path);
			goto out;
		}
	}
	if (cur) {
		say(err, errlen, "%s: PEM object '%s' has no END line", path, cur->name);
		goto out;
	}
	if (n == 0) {
		say(err, errlen, "%s: no PEM object in the file", path);
		goto out;
	}
	*objs = list;
	*count = n;
	list = NULL;
	rc = 0;
out:
	explicit_bzero(&pc, sizeof(pc));	/* it buffers decoded bytes */
	free_objects(list, n);
	buf_free(&file);
	return rc;
}

static int is_certificate(const struct pem_object *o)
{
	return !strcmp(o->name, "CERTIFICATE") || !strcmp(o->name, "X509 CERTIFICATE");
}

int creds_load_chain(struct creds *creds, const char *path, char *err, size_t errlen)
{
	struct pem_object *objs;
	size_t count, certs = 0;

	if (read_pem(path, &objs, &count, err, errlen) < 0)
		return -1;
	creds->chain = calloc(count, sizeof(*creds->chain));
	if (!creds->chain) {
		free_objects(objs, count);
		say(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (!is_certificate(&objs[i]))
			continue;
		/* "BEGIN CERTIFICATE" right above its END: nothing to send. */
		if (!objs[i].der.len) {
			creds->chain_len = certs;
			free_objects(objs, count);
			say(err, errlen, "%s: certificate %zu is empty", path, certs + 1);
			return -1;
		}
		creds->chain[certs].data = objs[i].der.data;
		creds->chain[certs].data_len = objs[i].der.len;
		objs[i].der.data = NULL;
		certs++;
	}
	creds->chain_len = certs;
	free_objects(objs, count);
	if (!certs) {
		say(err, errlen, "%s: no CERTIFICATE in the file", path);
		return -1;
	}
	return 0;
}

/* The public key of a DER certificate, copied into @store. */
struct decoded_cert {
	br_x509_pkey pkey;
	unsigned char store[1024];
	int is_ca;
	struct buf dn;
};

static int decode_cert(struct decoded_cert *out, const unsigned char *der, size_t len)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;

	memset(out, 0, sizeof(*out));
	br_x509_decoder_init(&dc, buf_append, &out->dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || out->dn.oom)
		return br_x509_decoder_last_error(&dc) ? br_x509_decoder_last_error(&dc) : -1;
	out->pkey = *pk;
	out->is_ca = br_x509_decoder_isCA(&dc);
	if (pk->key_type == BR_KEYTYPE_RSA) {
		if (pk->key.rsa.nlen + pk->key.rsa.elen > sizeof(out->store))
			return -1;
		memcpy(out->store, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(out->store + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
		out->pkey.key.rsa.n = out->store;
		out->pkey.key.rsa.e = out->store + pk->key.rsa.nlen;
	} else {
		if (pk->key.ec.qlen > sizeof(out->store))
			return -1;
		memcpy(out->store, pk->key.ec.q, pk->key.ec.qlen);
		out->pkey.key.ec.q = out->store;
	}
	return 0;
}

static int same_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	while (alen && !*a)
		a++, alen--;
	while (blen && !*b)
		b++, blen--;
	return alen == blen && !memcmp(a, b, alen);
}

/*
 * 1 if @sk is the private half of @pk: a value taken through the private
 * operation and back through the public one comes out unchanged. (BearSSL
 * 0.6 cannot compute a 4096-bit key's modulus to compare instead.)
 */
static int rsa_pair(const br_rsa_private_key *sk, const br_rsa_public_key *pk)
{
	unsigned char x[512], y[512];
	size_t len = (sk->n_bitlen + 7) / 8;
	const unsigned char *n = pk->n;
	size_t nlen = pk->nlen;
	int match;

	while (nlen && !*n)
		n++, nlen--;
	if (len > sizeof(x) || nlen != len)
		return 0;
	/* Below the modulus: its top byte, less one, then a pattern. */
	memset(x, 0x5a, len);
	x[0] = n[0] ? n[0] - 1 : 0;
	memcpy(y, x, len);
	match = br_rsa_private_get_default()(y, sk) &&
		br_rsa_public_get_default()(y, len, pk) && !memcmp(x, y, len);
	explicit_bzero(y, sizeof(y));
	return match;
}

static int key_matches_leaf(const struct creds *creds)
{
	struct decoded_cert leaf;
	int match = 0;

	if (decode_cert(&leaf, creds->chain[0].data, creds->chain[0].data_len)) {
		buf_free(&leaf.dn);	/* the subject may be decoded already */
		return 0;
	}
	if (creds->key_type == BR_KEYTYPE_EC && leaf.pkey.key_type == BR_KEYTYPE_EC) {
		unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
		br_ec_public_key pub;

		if (br_ec_compute_pub(br_ec_get_default(), &pub, q, &creds->ec_key))
			match = pub.curve == leaf.pkey.key.ec.curve &&
				same_bytes(pub.q, pub.qlen, leaf.pkey.key.ec.q, leaf.pkey.key.ec.qlen);
	} else if (creds->key_type == BR_KEYTYPE_RSA && leaf.pkey.key_type == BR_KEYTYPE_RSA) {
		match = rsa_pair(&creds->rsa_key, &leaf.pkey.key.rsa);
	}
	buf_free(&leaf.dn);
	return match;
}

/*
 * Private keys live in pages of their own, left out of core dumps (should
 * the process ever be made dumpable again) and wiped before they go.
 */
static void *secret_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_DONTDUMP);
	return p;
}

static void secret_free(void *p, size_t len)
{
	if (!p)
		return;
	explicit_bzero(p, len);
	munmap(p, len);
}

static size_t key_len(const struct creds *creds)
{
	const br_rsa_private_key *k = &creds->rsa_key;

	return creds->key_type == BR_KEYTYPE_EC ? creds->ec_key.xlen :
	       k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
}

static int copy_key(struct creds *creds, const br_skey_decoder_context *dc)
{
	size_t total;
	unsigned char *p;

	if (creds->key_type == BR_KEYTYPE_EC) {
		const br_ec_private_key *k = br_skey_decoder_get_ec(dc);

		creds->key_buf = secret_alloc(k->xlen);
		if (!creds->key_buf)
			return -1;
		memcpy(creds->key_buf, k->x, k->xlen);
		creds->ec_key = *k;
		creds->ec_key.x = creds->key_buf;
		return 0;
	}
	{
		const br_rsa_private_key *k = br_skey_decoder_get_rsa(dc);

		total = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
		creds->key_buf = p = secret_alloc(total);
		if (!p)
			return -1;
		creds->rsa_key = *k;
		memcpy(p, k->p, k->plen), creds->rsa_key.p = p, p += k->plen;
		memcpy(p, k->q, k->qlen), creds->rsa_key.q = p, p += k->qlen;
		memcpy(p, k->dp, k->dplen), creds->rsa_key.dp = p, p += k->dplen;
		memcpy(p, k->dq, k->dqlen), creds->rsa_key.dq = p, p += k->dqlen;
		memcpy(p, k->iq, k->iqlen), creds->rsa_key.iq = p;
		return 0;
	}
}

int creds_load_key(struct creds *creds, const char *path, char *err, size_t errlen)
{
	struct pem_object *objs;
	br_skey_decoder_context dc;
	size_t count, i;
	int rc = -1;

	if (read_pem(path, &objs, &count, err, errlen) < 0)
		return -1;
	for (i = 0; i < count; i++)
		if (strstr(objs[i].name, "PRIVATE KEY"))
			break;
	if (i == count) {
		say(err, errlen, "%s: no PRIVATE KEY in the file", path);
		goto out;
	}
	br_skey_decoder_init(&dc);
	br_skey_decoder_push(&dc, objs[i].der.data, objs[i].der.len);
	creds->key_type = br_skey_decoder_key_type(&dc);
	if (!creds->key_type) {
		say(err, errlen, "%s: cannot decode the %s (BearSSL error %d; encrypted keys are not supported)",
		    path, objs[i].name, br_skey_decoder_last_error(&dc));
		goto out;
	}
	if (creds->key_type == BR_KEYTYPE_EC) {
		int curve = br_skey_decoder_get_ec(&dc)->curve;

		if (curve != BR_EC_secp256r1 && curve != BR_EC_secp384r1 && curve != BR_EC_secp521r1) {
			say(err, errlen, "%s: EC key on an unsupported curve (%d): use P-256 or P-384", path, curve);
			creds->key_type = 0;
			goto out;
		}
	}
	if (copy_key(creds, &dc) < 0) {
		say(err, errlen, "%s: out of memory", path);
		creds->key_type = 0;
		goto out;
	}
	if (creds->chain_len && !key_matches_leaf(creds)) {
		say(err, errlen, "%s: the key does not match the certificate", path);
		goto out;
	}
	if (creds->key_type == BR_KEYTYPE_RSA)
		creds->rsa_fast = rsa_fast_new(&creds->rsa_key);
	else
		creds->ec_fast = ecdsa_fast_new(&creds->ec_key);
	rc = 0;
out:
	explicit_bzero(&dc, sizeof(dc));
	free_objects(objs, count);
	return rc;
}

int creds_load_anchors(struct creds *creds, const char *path, char *err, size_t errlen)
{
	struct pem_object *objs;
	size_t count;
	int rc = -1;

	if (read_pem(path, &objs, &count, err, errlen) < 0)
		return -1;
	creds->anchors = calloc(count, sizeof(*creds->anchors));
	if (!creds->anchors) {
		say(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		br_x509_trust_anchor *ta = &creds->anchors[creds->anchor_count];
		struct decoded_cert dc;
		int derr;
		size_t keylen;

		if (!is_certificate(&objs[i]))
			continue;
		derr = decode_cert(&dc, objs[i].der.data, objs[i].der.len);
		if (derr) {
			say(err, errlen, "%s: certificate %zu cannot be decoded (BearSSL error %d)",
			    path, creds->anchor_count + 1, derr);
			buf_free(&dc.dn);
			goto out;
		}
		ta->dn.data = dc.dn.data;
		ta->dn.len = dc.dn.len;
		ta->flags = dc.is_ca ? BR_X509_TA_CA : 0;
		ta->pkey = dc.pkey;
		keylen = dc.pkey.key_type == BR_KEYTYPE_RSA ?
			 dc.pkey.key.rsa.nlen + dc.pkey.key.rsa.elen : dc.pkey.key.ec.qlen;
		/* The key's bytes move from the stack into their own block. */
		{
			unsigned char *key = malloc(keylen);

			if (!key) {
				buf_free(&dc.dn);
				say(err, errlen, "%s: out of memory", path);
				goto out;
			}
			memcpy(key, dc.store, keylen);
			if (dc.pkey.key_type == BR_KEYTYPE_RSA) {
				ta->pkey.key.rsa.n = key;
				ta->pkey.key.rsa.e = key + dc.pkey.key.rsa.nlen;
			} else {
				ta->pkey.key.ec.q = key;
			}
		}
		creds->anchor_count++;
	}
	if (!creds->anchor_count) {
		say(err, errlen, "%s: no CERTIFICATE in the file", path);
		goto out;
	}
	rc = 0;
out:
	free_objects(objs, count);
	return rc;
}

void creds_forget_key(struct creds *creds)
{
	secret_free(creds->key_buf, key_len(creds));
	creds->key_buf = NULL;
	rsa_fast_free(creds->rsa_fast);
	creds->rsa_fast = NULL;
	ecdsa_fast_free(creds->ec_fast);
	creds->ec_fast = NULL;
	creds->ec_key.x = NULL;
	creds->ec_key.xlen = 0;
	creds->rsa_key.p = creds->rsa_key.q = NULL;
	creds->rsa_key.dp = creds->rsa_key.dq = creds->rsa_key.iq = NULL;
	creds->rsa_key.plen = creds->rsa_key.qlen = 0;
	creds->rsa_key.dplen = creds->rsa_key.dqlen = creds->rsa_key.iqlen = 0;
}

void creds_free(struct creds *creds)
{
	for (size_t i = 0; i < creds->chain_len; i++)
		free(creds->chain[i].data);
	free(creds->chain);
	for (size_t i = 0; i < creds->anchor_count; i++) {
		br_x509_trust_anchor *ta = &creds->anchors[i];

		free(ta->dn.data);
		free(ta->pkey.key_type == BR_KEYTYPE_RSA ?
		     ta->pkey.key.rsa.n : ta->pkey.key.ec.q);
	}
	free(creds->anchors);
	secret_free(creds->key_buf, key_len(creds));
	rsa_fast_free(creds->rsa_fast);
	ecdsa_fast_free(creds->ec_fast);
	memset(creds, 0, sizeof(*creds));
}
