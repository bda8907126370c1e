// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ec.h"

#ifdef KTLSD_EC_NETTLE
#include <gmp.h>

#include "ec_nettle.h"
#ifdef KTLSD_X25519_SODIUM
#include <sodium.h>
#endif

const br_ec_impl *ec_impl(void)
{
	return ec_nettle_impl();
}

br_ecdsa_sign ec_ecdsa_sign(void)
{
	return ec_nettle_ecdsa_sign_asn1;
}

const char *ec_impl_name(void)
{
#ifdef KTLSD_X25519_SODIUM
	return "libsodium (X25519), nettle (P-256, P-384), BearSSL (P-521)";
#else
	return "nettle (X25519, P-256, P-384), BearSSL (P-521)";
#endif
}

/* GMP's allocator hooks: the same as its defaults, but nothing leaves unwiped. */
static void *gmp_alloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();	/* as GMP's own allocator does */
	return p;
}

static void gmp_free(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
	free(p);
}

static void *gmp_realloc(void *old, size_t old_n, size_t new_n)
{
	void *p = gmp_alloc(new_n);

	memcpy(p, old, old_n < new_n ? old_n : new_n);
	gmp_free(old, old_n);
	return p;
}

int ec_init(void)
{
	mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
#ifdef KTLSD_X25519_SODIUM
	/* Picks the fastest X25519 code for this CPU; -1 only if it cannot start. */
	if (sodium_init() < 0)
		return -1;
#endif
	return 0;
}
#else
const br_ec_impl *ec_impl(void)
{
	return br_ec_get_default();
}

br_ecdsa_sign ec_ecdsa_sign(void)
{
	return br_ecdsa_sign_asn1_get_default();
}

const char *ec_impl_name(void)
{
	return "BearSSL";
}

int ec_init(void)
{
	return 0;
}
#endif

br_ecdsa_vrfy ec_ecdsa_vrfy(void)
{
	/* BearSSL's verifier does its arithmetic through the impl it is given. */
	return br_ecdsa_vrfy_asn1_get_default();
}

void ec_use_in_engine(br_ssl_engine_context *eng)
{
	br_ssl_engine_set_ec(eng, ec_impl());
	br_ssl_engine_set_ecdsa(eng, ec_ecdsa_vrfy());
}

void ec_use_in_x509(br_x509_minimal_context *x509)
{
	br_x509_minimal_set_ecdsa(x509, ec_impl(), ec_ecdsa_vrfy());
}
