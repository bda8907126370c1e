/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iPAddress entries of a certificate's subjectAltName. BearSSL matches
 * server names against dNSName entries only; a server reached by address is
 * verified here (RFC 5280 §4.2.1.6: 4 bytes for IPv4, 16 for IPv6).
 */
#ifndef KTLSD_SAN_H
#define KTLSD_SAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Look in the DER certificate @cert for a subjectAltName iPAddress equal to
 * @ip (@ip_len 4 or 16 bytes). Returns 1 if there is one, 0 if not, -1 if
 * the certificate cannot be parsed (the caller fails closed).
 */
int san_has_ip(const uint8_t *cert, size_t len, const uint8_t *ip, size_t ip_len);

/*
 * Parse @text as an IPv4 or IPv6 literal into @ip (16 bytes of room).
 * Returns its length, 4 or 16, or 0 if @text is not an address.
 */
size_t san_parse_ip(const char *text, uint8_t *ip);

#endif
