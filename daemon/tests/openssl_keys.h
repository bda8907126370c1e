/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keys and self-signed certificates made with OpenSSL's command line in a
 * mkdtemp folder and loaded the way the daemon loads them (creds.h), with
 * OpenSSL's dgst to sign and verify against: shared by the signature tests
 * (test_t13_sig, test_t12_sig). Each test program is one process: the
 * folder's name and the helpers may be static. The includer defines
 * _GNU_SOURCE before any header (mkdtemp, explicit_bzero).
 */
#ifndef KTLSD_TESTS_OPENSSL_KEYS_H
#define KTLSD_TESTS_OPENSSL_KEYS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bearssl.h>

#include "creds.h"
#include "tap.h"
#include "tls13/sig.h"

extern char **environ;

/* The folder every file goes to, made by keys_dir_make(): short, so that paths in it fit PATH_MAX. */
static char keys_dir[64];

struct test_key {
	char name[16];
	char algorithm[4];		/* genpkey -algorithm */
	char option[32];		/* genpkey -pkeyopt */
	char key[PATH_MAX], pub[PATH_MAX], cert[PATH_MAX];
	struct creds creds;
	br_x509_decoder_context dc;	/* holds the leaf key's bytes */
	const br_x509_pkey *pkey;
};

/* Run a command with no shell and no output; 1 if it exited 0. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define RUN(...) run((char *const[]){ __VA_ARGS__, NULL })

/* Make /tmp/@tag.XXXXXX as keys_dir; 0, or -1 with errno set. */
static int keys_dir_make(const char *tag)
{
	snprintf(keys_dir, sizeof(keys_dir), "/tmp/%s.XXXXXX", tag);
	return mkdtemp(keys_dir) ? 0 : -1;
}

/* Remove keys_dir and everything in it; 0, or -1. */
static int keys_dir_remove(void)
{
	return RUN("rm", "-rf", keys_dir) ? 0 : -1;
}

/* @name's path in keys_dir, into @buf (PATH_MAX bytes); returns @buf. */
static char *in_dir(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", keys_dir, name);
	return buf;
}

/* 0, or -1 if @path could not be written whole. */
static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len)
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc;
}

/* The whole file into @buf; its length, or 0 if it is missing or too large. */
static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	if (fgetc(f) != EOF)
		n = 0;
	fclose(f);
	return n;
}

/* Hash(@data) with @h into @out; returns the hash's length. */
static size_t hash_of(const br_hash_class *h, const void *data, size_t len, uint8_t *out)
{
	br_hash_compat_context ctx;

	h->init(&ctx.vtable);
	h->update(&ctx.vtable, data, len);
	h->out(&ctx.vtable, out);
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static void ignore_dn(void *ctx, const void *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
}

/* The leaf certificate's public key into @k->pkey (kept in @k->dc); 0 or -1. */
static int decode_leaf(struct test_key *k)
{
	br_x509_decoder_init(&k->dc, ignore_dn, NULL);
	br_x509_decoder_push(&k->dc, k->creds.chain[0].data, k->creds.chain[0].data_len);
	k->pkey = br_x509_decoder_get_pkey(&k->dc);
	return k->pkey ? 0 : -1;
}

/* The key, its public half, a self-signed certificate; loaded as the daemon does. 0 or -1. */
static int make_key(struct test_key *k)
{
	char name[64], err[256];

	snprintf(name, sizeof(name), "%s.key", k->name);
	in_dir(k->key, name);
	snprintf(name, sizeof(name), "%s.pub", k->name);
	in_dir(k->pub, name);
	snprintf(name, sizeof(name), "%s.crt", k->name);
	in_dir(k->cert, name);
	if (!RUN("openssl", "genpkey", "-algorithm", k->algorithm, "-pkeyopt", k->option, "-out", k->key) ||
	    !RUN("openssl", "pkey", "-in", k->key, "-pubout", "-out", k->pub) ||
	    !RUN("openssl", "req", "-x509", "-new", "-key", k->key, "-subj", "/CN=ktlsd-sig-test",
		 "-days", "1", "-out", k->cert))
		return -1;
	/*
	 * The key before its chain: creds_load_key() checks a key against a
	 * loaded leaf with br_rsa_compute_modulus(), which fails for RSA-4096.
	 */
	if (creds_load_key(&k->creds, k->key, err, sizeof(err)) < 0 ||
	    creds_load_chain(&k->creds, k->cert, err, sizeof(err)) < 0) {
		diag("%s", err);
		return -1;
	}
	return decode_leaf(k);
}

/*
 * Whether OpenSSL's dgst with @md ("sha256"...) verifies @sig over
 * content.bin under @k: ECDSA for an EC key; for an RSA key PSS (salt as
 * long as the hash), or PKCS#1 v1.5 if @pkcs1.
 */
static int openssl_dgst_verify(struct test_key *k, const char *md, int pkcs1, const uint8_t *sig,
			       size_t len)
{
	char content_file[PATH_MAX], sig_file[PATH_MAX], md_opt[16];

	in_dir(content_file, "content.bin");
	in_dir(sig_file, "ours.bin");
	snprintf(md_opt, sizeof(md_opt), "-%s", md);
	if (write_file(sig_file, sig, len) < 0)
		return 0;
	if (k->creds.key_type == BR_KEYTYPE_RSA && !pkcs1)
		return RUN("openssl", "dgst", md_opt, "-sigopt", "rsa_padding_mode:pss",
			   "-sigopt", "rsa_pss_saltlen:digest", "-verify", k->pub, "-signature", sig_file,
			   content_file);
	return RUN("openssl", "dgst", md_opt, "-verify", k->pub, "-signature", sig_file, content_file);
}

/*
 * OpenSSL's dgst signature of content.bin with @md under @k (for an RSA key
 * PSS, or PKCS#1 v1.5 if @pkcs1) into @sig (T13_MAX_SIGNATURE bytes); its
 * length, or 0.
 */
static inline size_t openssl_dgst_sign(struct test_key *k, const char *md, int pkcs1, uint8_t *sig)
{
	char content_file[PATH_MAX], sig_file[PATH_MAX], md_opt[16];
	int done;

	in_dir(content_file, "content.bin");
	in_dir(sig_file, "theirs.bin");
	snprintf(md_opt, sizeof(md_opt), "-%s", md);
	unlink(sig_file);
	if (k->creds.key_type == BR_KEYTYPE_RSA && !pkcs1)
		done = RUN("openssl", "dgst", md_opt, "-sigopt", "rsa_padding_mode:pss",
			   "-sigopt", "rsa_pss_saltlen:digest", "-sign", k->key, "-out", sig_file,
			   content_file);
	else
		done = RUN("openssl", "dgst", md_opt, "-sign", k->key, "-out", sig_file, content_file);
	return done ? read_file(sig_file, sig, T13_MAX_SIGNATURE) : 0;
}

#endif
