/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a TLS 1.3 server picks from a ClientHello, by the profile's order of
 * preference: the cipher suite, the key exchange group (and whether the
 * client's shares hold it, or a HelloRetryRequest must ask for it), the
 * application protocol.
 */
#ifndef KTLSD_T13_CHOOSE_H
#define KTLSD_T13_CHOOSE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "../config.h"

/* The first of @p's TLS 1.3 suites that @ch offers, or 0. */
uint16_t t13_choose_suite(const struct profile *p, const struct t13_client_hello *ch);

/*
 * The first of @p's groups that @ch supports, or 0; *@share gets the
 * client's key_exchange for it, or NULL when it sent none (then a
 * HelloRetryRequest asks for it).
 */
uint16_t t13_choose_group(const struct profile *p, const struct t13_client_hello *ch,
			  const uint8_t **share, size_t *share_len);

/*
 * ALPN (RFC 7301): the first of @p's protocols (comma-separated) that the
 * client lists, into @out. Returns 1 if one was chosen, 0 if there is
 * nothing to choose (the profile or the client names none), or -1 if both
 * name protocols and none is shared (no_application_protocol).
 */
int t13_choose_alpn(const struct profile *p, const struct t13_client_hello *ch, char *out,
		    size_t outlen);

#endif
