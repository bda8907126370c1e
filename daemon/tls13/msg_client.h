/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.3 handshake messages of the client role (RFC 8446 §4.1-4.6): the
 * ClientHello it writes, and the parsers of what a server sends it that
 * msg.h does not already parse (Certificate, CertificateVerify and
 * Finished are there). Pure functions over byte buffers, on msg.h's bounded
 * reader and sticky writer; every message includes its 4-byte header.
 *
 * The parsers keep pointers into the caller's message and never read past
 * its @len. They return 0 or a negative alert (enum t13_alert):
 * -T13_ALERT_DECODE_ERROR for any length or framing error (trailing bytes
 * included), -T13_ALERT_UNEXPECTED_MESSAGE for a message of another type,
 * -T13_ALERT_ILLEGAL_PARAMETER for a value the RFC forbids and for an
 * extension twice or in a message it has no place in (§4.2), and
 * -T13_ALERT_UNSUPPORTED_EXTENSION for an extension response to something
 * the client did not offer (§4.2). After an error the output may hold part
 * of the message: use none of it.
 *
 * What needs the client's state (the session id echoed, the suite and the
 * groups offered, the ALPN name being one of ours, a second
 * HelloRetryRequest) is the caller's to check; each parser says what it
 * leaves.
 */
#ifndef KTLSD_T13_MSG_CLIENT_H
#define KTLSD_T13_MSG_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/* NewSessionTicket's ticket_lifetime limit: 7 days (§4.6.1). */
#define T13_MAX_TICKET_LIFETIME		604800

/* ---- Which extensions the ClientHello offered ---- */

/*
 * The bit of extension @type in an "offered" set (a uint64_t): types 0..62
 * are bit 1 << type; renegotiation_info (0xff01) takes bit 63, so type 63
 * itself (unassigned) has none. Any other type has no bit (0 is returned):
 * it can never be offered.
 */
uint64_t t13_ext_bit(uint16_t type);

/* ---- ClientHello (§4.1.2) ---- */

/* What the client offers. */
struct t13_client_offer {
	const uint8_t *random;				/* 32 bytes */
	/* 0..32 bytes; 32 random ones for middlebox compatibility (D.4) */
	const uint8_t *session_id; size_t session_id_len;
	const uint16_t *suites; size_t suite_count;	/* TLS 1.3 suites, in preference order */
	const uint16_t *suites12; size_t suite12_count;	/* TLS 1.2 suites: written only with offer_12 */
	int offer_12;					/* supported_versions lists 0x0303 too */
	const uint16_t *groups; size_t group_count;	/* supported_groups: 1 or more */
	struct {
		uint16_t group;
		const uint8_t *pub;
		size_t pub_len;				/* 1 or more bytes */
	} shares[2];
	size_t share_count;				/* 0 (awaiting a HelloRetryRequest), 1 or 2 */
	const uint8_t *sig_algs; size_t sig_algs_len;	/* raw list (t13_sig_our_list), even, 2 or more */
	/* NULL or "": no SNI (so for an IP literal too); else 1..255 bytes */
	const char *server_name;
	const char *const *alpn; size_t alpn_count;	/* each name 1..255 bytes */
	const uint8_t *cookie; size_t cookie_len;	/* echoed from a HelloRetryRequest; NULL: none */
	/*
	 * Send psk_key_exchange_modes even without a ticket to offer. §4.2.9:
	 * servers SHOULD NOT issue a ticket unusable in the modes the client
	 * listed, so a client that listed none gets none; a client that keeps
	 * tickets sets this on its first connection too.
	 */
	int want_tickets;
	/* One PSK (a ticket) to offer, or ticket == NULL: */
	const uint8_t *ticket; size_t ticket_len;	/* 1 or more bytes */
	uint32_t obfuscated_age;
	size_t binder_len;				/* 32 or 48: the hash of the ticket's suite */
};

/*
 * The offered set (see t13_ext_bit()) of the ClientHello that
 * t13_write_client_hello() writes for @o: what t13_parse_server_hello()
 * and t13_parse_encrypted_extensions() take as @offered.
 */
uint64_t t13_client_hello_offered(const struct t13_client_offer *o);

/*
 * Append the ClientHello for @o to @b: legacy_version 0x0303, @o's random
 * and session id, the TLS 1.3 suites then (when @o->offer_12) the TLS 1.2
 * ones, compression {0}, and the extensions, in RFC 8448's order:
 * server_name (when @o->server_name is not NULL or ""), renegotiation_info
 * (empty, RFC 5746: for TLS 1.2 servers), supported_groups, when
 * @o->offer_12 ec_point_formats {uncompressed} and extended_master_secret
 * (RFC 8422, RFC 7627: for TLS 1.2 servers), key_share (the shares, maybe
 * none), supported_versions (0x0304, and 0x0303 when @o->offer_12),
 * signature_algorithms, ALPN (when @o->alpn_count), cookie (when
 * @o->cookie), psk_key_exchange_modes {psk_dhe_ke} (when a ticket is
 * offered or @o->want_tickets) and pre_shared_key (when @o->ticket), last
 * (§4.2.11). Never early_data.
 *
 * With a ticket, the binder is written as @o->binder_len zeros:
 * *@binder_at gets the offset of the binder bytes and *@truncated_len the
 * length of the prefix the binder hashes (§4.2.11.2: up to the binders
 * list), both from the first byte of this message (at b->p + the b->len
 * before the call). The caller computes the binder over that prefix and
 * writes it at *@binder_at. Without a ticket, or on overflow, both are 0.
 * @binder_at and @truncated_len may be NULL when no ticket is offered; with
 * one, a NULL is refused like the fields below.
 *
 * Anything the wire cannot carry (a session id over 32 bytes, no suite, no
 * group, more than 2 shares or an empty one, a signature_algorithms list
 * empty or of odd length, a server name over 255 bytes, an ALPN name empty
 * or over 255 bytes, an empty cookie or ticket, a binder_len other than 32
 * or 48) sets b->overflow like a full buffer: check it once afterwards.
 */
void t13_write_client_hello(struct t13_buf *b, const struct t13_client_offer *o, size_t *binder_at,
			    size_t *truncated_len);

/* ---- ServerHello and HelloRetryRequest (§4.1.3, §4.1.4) ---- */

/* ServerHello or HelloRetryRequest (same message type; HRR is told by its random, t13_hrr_random). */
struct t13_server_hello {
	int is_hrr;
	uint16_t legacy_version;		/* recorded; §4.2.1: ignored when supported_versions is there */
	const uint8_t *random;			/* 32 bytes */
	const uint8_t *session_id; size_t session_id_len;	/* 0..32 */
	uint16_t suite;
	uint8_t compression;			/* always 0 after a successful parse */
	uint16_t version;			/* from supported_versions (always 0x0304); 0 when absent (TLS 1.2) */
	uint16_t group;				/* key_share: ServerHello's group; HRR's selected_group; 0 absent */
	const uint8_t *share; size_t share_len;	/* ServerHello's key_exchange, 1 or more bytes; NULL absent */
	int psk_index;				/* pre_shared_key selected_identity, -1 absent */
	const uint8_t *cookie; size_t cookie_len;	/* HRR's cookie, 1 or more bytes; NULL absent */
	/*
	 * TLS 1.2 ServerHello extensions (each only if offered), recorded, not
	 * judged: renegotiation_info (its renegotiated_connection must be
	 * empty), ALPN (the one name), server_name (empty), ec_point_formats
	 * (the raw list), extended_master_secret (empty).
	 */
	int secure_renegotiation;
	const uint8_t *alpn12; size_t alpn12_len;
	int sni_ack12;
	const uint8_t *point_formats; size_t point_formats_len;
	int extended_master_secret;
	int has_extensions;			/* an extensions block was there (TLS 1.2 may leave it out) */
};

/*
 * Parse the ServerHello or HelloRetryRequest @msg (@len bytes, header
 * included) into @sh. @offered is the set of extensions the ClientHello
 * sent (t13_client_hello_offered()).
 *
 * Which message it is: a HelloRetryRequest if its random is
 * t13_hrr_random, else a TLS 1.3 ServerHello if it has supported_versions,
 * else a TLS 1.2 one (version 0; it may have no extensions block at all).
 * Checked here, in the extensions' order: no type twice
 * (-T13_ALERT_ILLEGAL_PARAMETER); each offered, but for HRR's cookie
 * (-T13_ALERT_UNSUPPORTED_EXTENSION); each with a place in this message
 * (-T13_ALERT_ILLEGAL_PARAMETER): a TLS 1.3 ServerHello carries only
 * supported_versions, key_share and pre_shared_key, a HelloRetryRequest
 * only supported_versions, key_share and cookie, a TLS 1.2 ServerHello none
 * of the extensions that TLS 1.3 introduced (41..51) nor supported_groups,
 * signature_algorithms or padding. Then: compression 0 and
 * supported_versions 0x0304 (else -T13_ALERT_ILLEGAL_PARAMETER, §4.1.3 and
 * §4.2.1: 0x0303 there is a version before 1.3); a HelloRetryRequest with
 * supported_versions (else -T13_ALERT_MISSING_EXTENSION, §4.1.4);
 * renegotiation_info with an empty renegotiated_connection (else
 * -T13_ALERT_HANDSHAKE_FAILURE, RFC 5746 §3.4); ALPN of exactly one name
 * and server_name and extended_master_secret empty (else
 * -T13_ALERT_DECODE_ERROR). Extensions a TLS 1.2 ServerHello may carry
 * that are not recorded above are skipped, if offered.
 *
 * Left to the caller: legacy_session_id_echo being the session id sent,
 * the suite being offered (and the HRR's one kept), a TLS 1.3
 * ServerHello's key_share being there and of an offered group (and not the
 * group of a share already sent, for an HRR), selected_identity being in
 * range, a HelloRetryRequest changing the ClientHello, a second one, and,
 * for a TLS 1.2 ServerHello, whether 1.2 was offered, legacy_version and
 * t13_downgrade_sentinel().
 */
int t13_parse_server_hello(struct t13_server_hello *sh, const uint8_t *msg, size_t len, uint64_t offered);

/*
 * 1 if @random (a ServerHello's, 32 bytes) ends with the §4.1.3 downgrade
 * sentinel for TLS 1.2 ("DOWNGRD" 01) or for 1.1 and below ("DOWNGRD" 00),
 * else 0. A client that offered 1.3 and got a lower version aborts on 1
 * with illegal_parameter.
 */
int t13_downgrade_sentinel(const uint8_t random[32]);

/* ---- EncryptedExtensions (§4.3.1) ---- */

struct t13_encrypted_extensions {
	const uint8_t *alpn; size_t alpn_len;	/* the selected ALPN name, 1..255 bytes; NULL absent */
	int sni_ack;				/* an empty server_name */
};

/*
 * Parse EncryptedExtensions @msg into @ee. @offered as for
 * t13_parse_server_hello(). ALPN must hold exactly one name and server_name
 * be empty (else -T13_ALERT_DECODE_ERROR); supported_groups is checked for
 * its framing and ignored; max_fragment_length and record_size_limit are
 * skipped if offered. early_data is -T13_ALERT_UNSUPPORTED_EXTENSION
 * whatever @offered says (we never offer 0-RTT), as is anything not
 * offered; an extension twice or one that has no place here (key_share,
 * pre_shared_key, supported_versions, cookie, signature_algorithms,
 * renegotiation_info...) is -T13_ALERT_ILLEGAL_PARAMETER.
 * Left to the caller: the ALPN name being one it offered.
 */
int t13_parse_encrypted_extensions(struct t13_encrypted_extensions *ee, const uint8_t *msg, size_t len,
				   uint64_t offered);

/* ---- CertificateRequest (§4.3.2) ---- */

struct t13_certificate_request {
	const uint8_t *context; size_t context_len;	/* 0..255 bytes */
	const uint8_t *sig_algs; size_t sig_algs_len;	/* raw list of 2-byte schemes, even, 2 or more */
};

/*
 * Parse CertificateRequest @msg into @cr: its context and the
 * signature_algorithms list, which must be there
 * (-T13_ALERT_MISSING_EXTENSION). Unrecognized extensions are skipped
 * (§4.3.2), as are status_request, certificate_authorities and
 * signature_algorithms_cert; an extension twice, or a known one that has
 * no place here, is -T13_ALERT_ILLEGAL_PARAMETER. Left to the caller: an
 * empty context during the handshake (§4.3.2), a post-handshake request
 * without post_handshake_auth offered.
 */
int t13_parse_certificate_request(struct t13_certificate_request *cr, const uint8_t *msg, size_t len);

/* ---- NewSessionTicket (§4.6.1) ---- */

struct t13_new_session_ticket {
	uint32_t lifetime, age_add;
	const uint8_t *nonce; size_t nonce_len;		/* 0..255 bytes */
	const uint8_t *ticket; size_t ticket_len;	/* 1 or more bytes */
	uint32_t max_early_data;			/* early_data's max_early_data_size; 0 absent */
};

/*
 * Parse NewSessionTicket @msg into @t (for the client role, and for
 * libktlsd after the hand-off). A lifetime over 7 days is
 * -T13_ALERT_ILLEGAL_PARAMETER; an empty ticket -T13_ALERT_DECODE_ERROR.
 * early_data's size is recorded (we never send early data); unrecognized
 * extensions are skipped, an extension twice or a known one other than
 * early_data is -T13_ALERT_ILLEGAL_PARAMETER. A lifetime of 0 parses: it
 * means "do not keep" (§4.6.1), the caller's to honour.
 */
int t13_parse_new_session_ticket(struct t13_new_session_ticket *t, const uint8_t *msg, size_t len);

/* ---- KeyUpdate (§4.6.3) ---- */

/*
 * Parse KeyUpdate @msg: *@request_update gets 0 (update_not_requested) or 1
 * (update_requested). Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another
 * type; -T13_ALERT_DECODE_ERROR if the body is not exactly 1 byte;
 * -T13_ALERT_ILLEGAL_PARAMETER for another value.
 */
int t13_parse_key_update(const uint8_t *msg, size_t len, int *request_update);

#endif
