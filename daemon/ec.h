/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The elliptic-curve code every handshake uses, chosen once at build time:
 * nettle's (ec_nettle.h: X25519, P-256 and P-384 several times faster than
 * BearSSL 0.6's portable code) with `make EC=nettle`, the default, or
 * BearSSL's own with `make EC=bearssl`. BearSSL's TLS 1.2 engine, its X.509
 * validator, and our TLS 1.3 engine all take them from here, so the choice
 * is made in one place.
 */
#ifndef KTLSD_EC_H
#define KTLSD_EC_H

#include <bearssl.h>

/* The br_ec_impl for ECDHE, key shares and ECDSA's curve arithmetic. */
const br_ec_impl *ec_impl(void);

/* The ECDSA signer (DER output) to use with ec_impl(). */
br_ecdsa_sign ec_ecdsa_sign(void);

/* The ECDSA verifier (DER input) to use with ec_impl(). */
br_ecdsa_vrfy ec_ecdsa_vrfy(void);

/* Make @eng's ECDHE and ECDSA verification use ec_impl(). */
void ec_use_in_engine(br_ssl_engine_context *eng);

/* Make @x509's certificate signature checks use ec_impl(), after its init. */
void ec_use_in_x509(br_x509_minimal_context *x509);

/* What runs, for the log and `ktlsctl daemon status`: a constant string. */
const char *ec_impl_name(void);

/*
 * Once, at start, before any other thread: with nettle, make GMP's
 * allocator wipe every block it frees or moves (nettle keeps scratch that
 * holds secrets there and frees it unwiped); with libsodium's X25519,
 * initialise libsodium. Nothing with BearSSL's code. Returns 0, or -1 if
 * libsodium could not start (sodium_init()).
 */
int ec_init(void);

#endif
