// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_request: the hand-off request, as daemon/server.c receives it.
 *
 * Input: one byte of envelope, then the datagram's bytes.
 *   byte 0, bits 0-3: number of descriptors the message carried (0..15)
 *   byte 0, bit 7:    MSG_CTRUNC (descriptors were cut off)
 * The bytes are copied into a buffer one byte larger than a request, the way
 * recvmsg() fills the daemon's, while the length passed on is the real one
 * (MSG_TRUNC): longer inputs are cut, as the kernel would cut them.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "request.h"

#define MAX_FDS 15

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Nothing that reaches the log may carry control bytes. */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[sizeof(struct ktlsd_wire_request) + 1] = { 0 };
	struct ktlsd_wire_request out;
	char err[256] = "";
	int fds[MAX_FDS];
	struct request_in in = { .data = buf, .fds = fds };
	int rc;

	if (size < 1)
		return 0;
	for (size_t i = 0; i < MAX_FDS; i++)
		fds[i] = 100 + (int)i;	/* never used as descriptors */
	in.fd_count = data[0] & 0x0f;
	in.truncated_fds = !!(data[0] & 0x80);
	data++, size--;
	memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
	in.len = size;
	memset(&out, 0xa5, sizeof(out));

	rc = request_parse(&in, &out, err, sizeof(err));
	FUZZ_CHECK(rc >= 0);
	FUZZ_CHECK(fuzz_bounded(err, sizeof(err)));
	if (rc) {
		FUZZ_CHECK(err[0]);
		FUZZ_CHECK(rc == EMSGSIZE || rc == EBADMSG || rc == EPROTONOSUPPORT ||
			   rc == EBADF || rc == EINVAL || rc == EMFILE);
		return 0;
	}
	/* What the daemon then relies on without checking again. */
	FUZZ_CHECK(in.fd_count == 1 && !in.truncated_fds);
	FUZZ_CHECK(size == sizeof(out) && !memcmp(&out, data, sizeof(out)));
	FUZZ_CHECK(out.magic == KTLSD_WIRE_MAGIC &&
		   (out.version == KTLSD_WIRE_VERSION || out.version == KTLSD_WIRE_VERSION_CHANNEL));
	FUZZ_CHECK(out.role == KTLSD_ROLE_CLIENT || out.role == KTLSD_ROLE_SERVER);
	FUZZ_CHECK(fuzz_bounded(out.profile, sizeof(out.profile)) && out.profile[0]);
	FUZZ_CHECK(fuzz_bounded(out.server_name, sizeof(out.server_name)));
	FUZZ_CHECK(fuzz_bounded(out.alpn, sizeof(out.alpn)));
	FUZZ_CHECK(printable(out.profile) && printable(out.server_name) && printable(out.alpn));
	return 0;
}
