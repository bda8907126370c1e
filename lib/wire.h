/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hand-off protocol between libktlsd and ktlsd, on a unix SOCK_SEQPACKET
 * connection: one request (with exactly one fd, SCM_RIGHTS), one reply, then
 * the daemon closes; or, for a request of version KTLSD_WIRE_VERSION_CHANNEL
 * (ktlsd_channel), the connection stays open after an answer for the next
 * request, one at a time: a request sent before the answer cancels the
 * hand-off in flight. An idle channel is closed by the daemon unread (a
 * worker retiring, the daemon stopping), never answered unasked. Fixed-size
 * messages with NUL-terminated strings, so a receiver checks one length and
 * bounds every string before using it.
 * Private to this project: the public contract is ktlsd.h.
 */
#ifndef KTLSD_WIRE_H
#define KTLSD_WIRE_H

#include <stdint.h>

#include "ktlsd.h"

#define KTLSD_WIRE_MAGIC	0x534c544bu	/* "KTLS" little-endian */
#define KTLSD_WIRE_VERSION	2	/* replies; requests on a one-shot connection */
#define KTLSD_WIRE_VERSION_CHANNEL 3	/* the same request, on a connection kept for the next */

struct ktlsd_wire_request {
	uint32_t magic;
	uint16_t version;
	uint16_t role;			/* enum ktlsd_role */
	char profile[KTLSD_PROFILE_MAX];
	char server_name[KTLSD_SERVER_NAME_MAX];
	char alpn[KTLSD_ALPN_MAX];
};

struct ktlsd_wire_reply {
	uint32_t magic;
	uint16_t version;
	uint16_t tls_version;
	int32_t status;
	int32_t tls_error;
	int16_t alert_sent;
	int16_t alert_received;
	uint16_t cipher_suite;
	uint8_t tx_mode;
	uint8_t rx_mode;
	uint8_t peer_verified;
	uint8_t resumed;
	uint8_t reserved[2];
	uint16_t group;
	uint16_t sig_scheme;
	char tls_error_name[48];
	char message[192];
	char cipher_name[64];
	char alpn[64];
	char server_name[KTLSD_SERVER_NAME_MAX];
	char peer_subject[256];
	char peer_san[256];
};

/* 1 if @s has a NUL within its @size bytes. */
static inline int ktlsd_wire_bounded(const char *s, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (!s[i])
			return 1;
	return 0;
}

#endif
