// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_reply: libktlsd's decoding of the daemon's reply (lib/handoff.c,
 * through lib/reply.h's ktlsd_reply_decode()).
 *
 * Input: the reply's bytes. ktlsd_handoff_finish() refuses any message that
 * is not exactly one struct ktlsd_wire_reply before decoding; so that every
 * mutation reaches the decoder, a shorter input is padded with zeros and a
 * longer one cut.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SAME_STR(res_field, wire_field) \
	(fuzz_bounded(res_field, sizeof(res_field)) && !strcmp(res_field, wire_field))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktlsd_wire_reply w;
	struct ktlsd_result res;

	memset(&w, 0, sizeof(w));
	memcpy(&w, data, size < sizeof(w) ? size : sizeof(w));
	memset(&res, 0xa5, sizeof(res));
	if (ktlsd_reply_decode(&w, &res) < 0)
		return 0;
	/* Accepted: every field as sent, and every string terminated. */
	FUZZ_CHECK(w.magic == KTLSD_WIRE_MAGIC && w.version == KTLSD_WIRE_VERSION);
	FUZZ_CHECK(res.status == w.status && res.status >= 0);
	FUZZ_CHECK(res.tls_error == w.tls_error);
	FUZZ_CHECK(res.alert_sent == w.alert_sent && res.alert_received == w.alert_received);
	FUZZ_CHECK(res.version == w.tls_version && res.cipher_suite == w.cipher_suite);
	FUZZ_CHECK(res.tx_mode <= KTLSD_MODE_HW_RECORD && res.rx_mode <= KTLSD_MODE_HW_RECORD);
	FUZZ_CHECK((unsigned)res.tx_mode == w.tx_mode && (unsigned)res.rx_mode == w.rx_mode);
	FUZZ_CHECK(res.peer_verified == (w.peer_verified != 0));
	FUZZ_CHECK(SAME_STR(res.tls_error_name, w.tls_error_name));
	FUZZ_CHECK(SAME_STR(res.message, w.message));
	FUZZ_CHECK(SAME_STR(res.cipher_name, w.cipher_name));
	FUZZ_CHECK(SAME_STR(res.alpn, w.alpn));
	FUZZ_CHECK(SAME_STR(res.server_name, w.server_name));
	FUZZ_CHECK(SAME_STR(res.peer_subject, w.peer_subject));
	FUZZ_CHECK(SAME_STR(res.peer_san, w.peer_san));
	ktlsd_mode_name(res.tx_mode);
	ktlsd_alert_name(res.alert_received);
	return 0;
}
