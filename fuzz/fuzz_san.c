// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_san: the iPAddress look-up in a peer's leaf certificate (daemon/san.c),
 * which walks DER a peer sent before anything has verified it.
 *
 * Input: one byte choosing the address length (even: 4, odd: 16), 16 bytes
 * of address (the first 4 used for IPv4), then the certificate's DER.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "san.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ip[16];
	size_t ip_len;
	int rc;

	if (size < 17)
		return 0;
	ip_len = data[0] & 1 ? 16 : 4;
	memcpy(ip, data + 1, sizeof(ip));
	rc = san_has_ip(data + 17, size - 17, ip, ip_len);
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	/* A match is the address's bytes, somewhere in what was given. */
	FUZZ_CHECK(rc != 1 || memmem(data + 17, size - 17, ip, ip_len));
	return 0;
}
