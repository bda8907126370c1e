/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 for our engine's hot paths: the transcript, HKDF and HMAC, the
 * HMAC-DRBGs, TLS 1.2's PRF, the content a signature covers. BearSSL's
 * class (&br_sha256_vtable) stays the hash's name everywhere (suites,
 * schemes, comparisons); hash_fast() gives the class that computes it:
 *
 *   SHA=nettle (default)  nettle's SHA-256, which picks SHA-NI or its
 *                         assembly when it loads (about 5x BearSSL 0.6's
 *                         portable code on this project's machines), behind
 *                         a br_hash_class of ours;
 *   SHA=bearssl           BearSSL's own.
 *
 * Same digests either way (test_hash checks them against BearSSL's, and
 * HMAC and HKDF through both). BearSSL's own TLS engine keeps BearSSL's.
 */
#ifndef KTLSD_HASH_H
#define KTLSD_HASH_H

#include <bearssl.h>

/* The class to compute @h with: the fast SHA-256 for &br_sha256_vtable, @h itself for any other. */
const br_hash_class *hash_fast(const br_hash_class *h);

/* Which code computes SHA-256, for the logs and status: "nettle" or "BearSSL". */
const char *hash_sha256_impl_name(void);

#endif
