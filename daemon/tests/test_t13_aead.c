// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 record protection: the protected records of RFC 8448 §3 opened
 * and sealed byte for byte (AES-128-GCM), the primitives against RFC 8439
 * (ChaCha20-Poly1305) and the GCM specification (AES-256-GCM), records of
 * every suite against python3's `cryptography` where it is installed, every
 * BearSSL implementation against the others, and the refusals of §5.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls13/aead.h"
#include "hex.h"
#include "tap.h"

/* Every combination of the portable and the CPU-specific implementations. */
static const unsigned impl_flags[] = {
	0,
	T13_AEAD_PORTABLE_CIPHER,
	T13_AEAD_PORTABLE_MAC,
	T13_AEAD_PORTABLE_CIPHER | T13_AEAD_PORTABLE_MAC,
};
#define N_IMPLS (sizeof(impl_flags) / sizeof(impl_flags[0]))

static void to_hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * len] = '\0';
}

/* ---- RFC 8448 §3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256) ---- */

/* {server} derive write traffic keys for handshake data */
#define S_HS_KEY "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc"
#define S_HS_IV  "5d 31 3e b2 67 12 76 ee 13 00 0b 30"
/* {client} derive write traffic keys for handshake data */
#define C_HS_KEY "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01"
#define C_HS_IV  "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"
/* {server} derive write traffic keys for application data */
#define S_AP_KEY "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56"
#define S_AP_IV  "cf 78 2b 88 dd 83 54 9a ad f1 e9 84"
/* {client} derive write traffic keys for application data */
#define C_AP_KEY "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51"
#define C_AP_IV  "5b 78 92 3d ee 08 57 90 33 e5 23 d9"

/* {server} construct an EncryptedExtensions / Certificate /
 * CertificateVerify / Finished handshake message */
#define EE \
	"08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01" \
	"01 02 01 03 01 04 00 1c 00 02 40 01 00 00 00 00"
#define CERT \
	"0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02" \
	"02 01 02 30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a" \
	"06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 30 37 33 30 30 31 32 33" \
	"35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a" \
	"06 03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01" \
	"01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4 bb 49 8f 82 79 30 3d 98" \
	"08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a 24 61 ea fd 2d" \
	"e4 9a 91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12" \
	"09 98 e1 87 a8 0e e0 cc b0 52 4b 1b 01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2" \
	"2a 5f da 43 08 46 74 80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0" \
	"3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02" \
	"03 01 00 01 a3 1a 30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55" \
	"1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00 03" \
	"81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f" \
	"8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 8c 8f 81 72 f9 31 9c f3" \
	"6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02" \
	"70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb" \
	"2b d5 20 3b 1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8" \
	"f8 96 12 29 ac 91 87 b4 2b 4d e1 00 00"
#define CV \
	"0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7" \
	"21 1f 82 4c d4 84 14 5a b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3" \
	"3a 5c 14 1a 07 86 53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4 f3 94 ca b6" \
	"d3 0b be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c" \
	"9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d a5 04 3e" \
	"06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3"
#define S_FINISHED \
	"14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30" \
	"95 72 cb 7f ff ee 54 54 b7 8f 07 18"
/* {client} construct a Finished handshake message */
#define C_FINISHED \
	"14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94" \
	"fa c6 e9 85 27 b6 42 f2 ed d5 ce 61"
/* {server} construct a NewSessionTicket handshake message */
#define NST \
	"04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59 ee" \
	"5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf" \
	"1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3 a9" \
	"82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27" \
	"db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc" \
	"d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28" \
	"bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07" \
	"27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a" \
	"e4 d3 57 00 08 00 2a 00 04 00 00 04 00"
/* {client|server} send application_data: 50 octets, 00 01 02 ... 31 */
#define APP_DATA \
	"00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17" \
	"18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f" \
	"30 31"
/* {client|server} send alert: close_notify, level warning */
#define CLOSE_NOTIFY "01 00"

/* {server} send handshake record: complete record (679 octets) */
#define FLIGHT_REC \
	"17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f" \
	"45 e4 89 e7 f3 3a f3 5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca" \
	"07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 b1 11 b4 29 ba 91 91 cd" \
	"05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b" \
	"d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e" \
	"f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c" \
	"7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8" \
	"bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92" \
	"8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70" \
	"a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8" \
	"94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea" \
	"52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f" \
	"44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89" \
	"f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3" \
	"6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1" \
	"00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e" \
	"1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84" \
	"c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c" \
	"f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f" \
	"c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be" \
	"5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6" \
	"fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb" \
	"56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10" \
	"dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38" \
	"eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f" \
	"60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78" \
	"40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3" \
	"79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e" \
	"75 0e dc 53 37 0d 2b"
/* {client} send handshake record: complete record (58 octets) */
#define C_FINISHED_REC \
	"17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0" \
	"51 7f e9 b9 3c 7a 4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c" \
	"ae ac ab 68 67 d7 26 c4 05 46"
/* {server} send handshake record: complete record (227 octets) */
#define NST_REC \
	"17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24" \
	"0e 6c ff ac 11 6e 95 d4 1d 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a" \
	"01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 8e fb cf 57 53 ad 8e f1" \
	"70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0" \
	"9c 30 ba 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15" \
	"13 98 91 d5 e4 c5 b4 06 f1 6e 3f c1 81 a7 7c a4 75 84 00 25 db 2f 0a 77" \
	"f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 9d 86 cb ee ac 87 aa c3" \
	"47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74" \
	"bc 26 97 68 7e 24 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b" \
	"3b 6c 67 79 b3 7b f1 59 85 68 4f"
/* {client} send application_data record: complete record (72 octets) */
#define C_APP_REC \
	"17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea" \
	"42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b" \
	"62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4"
/* {server} send application_data record: complete record (72 octets) */
#define S_APP_REC \
	"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc" \
	"32 25 d0 5f 82 aa 1b 36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8" \
	"fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0 32 e1 67 c2 95 5d"
/* {client} send alert record: complete record (24 octets) */
#define C_ALERT_REC "17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3"
/* {server} send alert record: complete record (24 octets) */
#define S_ALERT_REC "17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9"

struct trace_record {
	const char *what;
	uint8_t type;
	const char *plain;
	const char *record;
};

/* One direction under one key: its records in the order they were sent,
 * so the n-th record is sealed and opened with sequence number n. */
struct trace_stream {
	const char *key, *iv;
	struct trace_record recs[3];
	size_t n;
};

static const struct trace_stream trace[] = {
	{ S_HS_KEY, S_HS_IV, {
		{ "server EE/Certificate/CertificateVerify/Finished", T13_CT_HANDSHAKE,
		  EE CERT CV S_FINISHED, FLIGHT_REC },
	}, 1 },
	{ C_HS_KEY, C_HS_IV, {
		{ "client Finished", T13_CT_HANDSHAKE, C_FINISHED, C_FINISHED_REC },
	}, 1 },
	{ S_AP_KEY, S_AP_IV, {
		{ "server NewSessionTicket", T13_CT_HANDSHAKE, NST, NST_REC },
		{ "server application_data (seq 1)", T13_CT_APPLICATION_DATA, APP_DATA, S_APP_REC },
		{ "server close_notify (seq 2)", T13_CT_ALERT, CLOSE_NOTIFY, S_ALERT_REC },
	}, 3 },
	{ C_AP_KEY, C_AP_IV, {
		{ "client application_data", T13_CT_APPLICATION_DATA, APP_DATA, C_APP_REC },
		{ "client close_notify (seq 1)", T13_CT_ALERT, CLOSE_NOTIFY, C_ALERT_REC },
	}, 2 },
};
#define N_STREAMS (sizeof(trace) / sizeof(trace[0]))

static void trace_key(const struct trace_stream *s, struct t13_aead *a, unsigned flags)
{
	uint8_t key[16], iv[12];

	hex_decode(s->key, key, sizeof(key));
	hex_decode(s->iv, iv, sizeof(iv));
	if (t13_aead_init_impl(a, T13_AES_128_GCM_SHA256, key, iv, flags))
		abort();
}

static void test_trace_open(unsigned flags)
{
	static uint8_t rec[1024], plain[1024];

	for (size_t i = 0; i < N_STREAMS; i++) {
		const struct trace_stream *s = &trace[i];
		struct t13_aead a;

		trace_key(s, &a, flags);
		for (size_t j = 0; j < s->n; j++) {
			const struct trace_record *r = &s->recs[j];
			size_t rec_len = hex_decode(r->record, rec, sizeof(rec));
			size_t plain_len = hex_decode(r->plain, plain, sizeof(plain));
			size_t len = 0;
			uint8_t type = 0;
			int err = t13_aead_open(&a, rec, rec_len, &type, &len);

			ok(!err && type == r->type && len == plain_len &&
			   !memcmp(rec + T13_RECORD_HEADER, plain, len) && a.seq == j + 1,
			   "impl %u: RFC 8448 §3 %s opens to the trace's plaintext "
			   "(err %d, type %u, %zu bytes)", flags, r->what, err, type, len);
		}
		t13_aead_wipe(&a);
	}
}

static void test_trace_seal(unsigned flags)
{
	static uint8_t want[1024], plain[1024], out[1024];

	for (size_t i = 0; i < N_STREAMS; i++) {
		const struct trace_stream *s = &trace[i];
		struct t13_aead a;

		trace_key(s, &a, flags);
		for (size_t j = 0; j < s->n; j++) {
			const struct trace_record *r = &s->recs[j];
			size_t want_len = hex_decode(r->record, want, sizeof(want));
			size_t plain_len = hex_decode(r->plain, plain, sizeof(plain));
			size_t n = t13_aead_seal(&a, r->type, plain, plain_len, 0, out);

			ok(n == want_len && !memcmp(out, want, n),
			   "impl %u: sealing RFC 8448 §3 %s gives the trace's record byte for byte",
			   flags, r->what);
		}
		t13_aead_wipe(&a);
	}
}

/* ---- the primitives' published vectors, through the bare AEAD ---- */

struct aead_vector {
	const char *what;
	uint16_t suite;
	const char *key, *nonce, *aad, *plain, *cipher, *tag;
};

static const struct aead_vector vectors[] = {
	{ "RFC 8439 §2.8.2 ChaCha20-Poly1305", T13_CHACHA20_POLY1305_SHA256,
	  "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f"
	  "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f",
	  "07 00 00 00 40 41 42 43 44 45 46 47",
	  "50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7",
	  /* "Ladies and Gentlemen of the class of '99: If I could offer you
	   * only one tip for the future, sunscreen would be it." */
	  "4c 61 64 69 65 73 20 61 6e 64 20 47 65 6e 74 6c 65 6d 65 6e 20 6f 66 20"
	  "74 68 65 20 63 6c 61 73 73 20 6f 66 20 27 39 39 3a 20 49 66 20 49 20 63"
	  "6f 75 6c 64 20 6f 66 66 65 72 20 79 6f 75 20 6f 6e 6c 79 20 6f 6e 65 20"
	  "74 69 70 20 66 6f 72 20 74 68 65 20 66 75 74 75 72 65 2c 20 73 75 6e 73"
	  "63 72 65 65 6e 20 77 6f 75 6c 64 20 62 65 20 69 74 2e",
	  "d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe"
	  "a9 e2 b5 a7 36 ee 62 d6 3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b"
	  "1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36 92 dd bd 7f 2d 77 8b 8c"
	  "98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc"
	  "3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16",
	  "1a e1 0b 59 4f 09 e2 6a 7e 90 2e cb d0 60 06 91" },
	/* McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)",
	 * Appendix B, Test Case 16 (256-bit key, 60-byte plaintext, AAD). */
	{ "GCM spec Test Case 16 AES-256-GCM", T13_AES_256_GCM_SHA384,
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	/* The same document, Test Case 4 (128-bit key, AAD, a partial block). */
	{ "GCM spec Test Case 4 AES-128-GCM", T13_AES_128_GCM_SHA256,
	  "feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

static void test_vector(const struct aead_vector *v, unsigned flags)
{
	uint8_t key[32], nonce[12], aad[32], plain[128], cipher[128], tag[16];
	uint8_t buf[128], got_tag[16], iv[12] = { 0 };
	size_t aad_len, plain_len;
	struct t13_aead a;

	hex_decode(v->key, key, t13_aead_key_len(v->suite));
	hex_decode(v->nonce, nonce, sizeof(nonce));
	aad_len = hex_decode(v->aad, aad, sizeof(aad));
	plain_len = hex_decode(v->plain, plain, sizeof(plain));
	hex_decode(v->cipher, cipher, sizeof(cipher));
	hex_decode(v->tag, tag, sizeof(tag));
	t13_aead_init_impl(&a, v->suite, key, iv, flags);

	memcpy(buf, plain, plain_len);
	t13_aead_encrypt(&a, nonce, aad, aad_len, buf, plain_len, got_tag);
	ok(!memcmp(buf, cipher, plain_len) && !memcmp(got_tag, tag, 16),
	   "impl %u: %s encrypts to the published ciphertext and tag", flags, v->what);
	ok(t13_aead_decrypt(&a, nonce, aad, aad_len, buf, plain_len, tag) == 0 &&
	   !memcmp(buf, plain, plain_len),
	   "impl %u: %s decrypts back", flags, v->what);
	memcpy(buf, cipher, plain_len);
	aad[0] ^= 1;
	ok(t13_aead_decrypt(&a, nonce, aad, aad_len, buf, plain_len, tag) == -1 &&
	   memcmp(buf, plain, plain_len),
	   "impl %u: %s with a changed AAD byte is refused, no plaintext left", flags, v->what);
	t13_aead_wipe(&a);
}

/* ---- records of every suite: implementations and python3 agree ---- */

struct record_case {
	uint16_t suite;
	uint64_t seq;
	uint8_t type;
	size_t len, pad;
};

static const struct record_case cases[] = {
	{ T13_AES_128_GCM_SHA256, 0, T13_CT_APPLICATION_DATA, 0, 0 },
	{ T13_AES_128_GCM_SHA256, 0x0102030405060708ull, T13_CT_HANDSHAKE, 1000, 37 },
	{ T13_AES_256_GCM_SHA384, 0, T13_CT_APPLICATION_DATA, 50, 0 },
	{ T13_AES_256_GCM_SHA384, 7, T13_CT_ALERT, 2, 200 },
	{ T13_AES_256_GCM_SHA384, 0xfedcba9876543210ull, T13_CT_APPLICATION_DATA, 16384, 0 },
	{ T13_CHACHA20_POLY1305_SHA256, 0, T13_CT_APPLICATION_DATA, 0, 0 },
	{ T13_CHACHA20_POLY1305_SHA256, 1, T13_CT_HANDSHAKE, 63, 1 },
	{ T13_CHACHA20_POLY1305_SHA256, 0x8000000000000001ull, T13_CT_APPLICATION_DATA, 4097, 100 },
	{ T13_CHACHA20_POLY1305_SHA256, 42, T13_CT_APPLICATION_DATA, 16000, 384 },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))
#define MAX_RECORD (T13_RECORD_HEADER + T13_MAX_CIPHERTEXT + 64)

/* A chosen key, IV and content for case @i: arbitrary, but not all alike. */
static void case_inputs(size_t i, uint8_t key[32], uint8_t iv[12], uint8_t *data, size_t len)
{
	for (size_t k = 0; k < 32; k++)
		key[k] = (uint8_t)(0x80 + 7 * k + i);
	for (size_t k = 0; k < 12; k++)
		iv[k] = (uint8_t)(0xa5 ^ (13 * k + i));
	for (size_t k = 0; k < len; k++)
		data[k] = (uint8_t)(k * 31 + i + 1);
}

static size_t seal_case(size_t i, unsigned flags, uint8_t *out)
{
	static uint8_t data[T13_MAX_PLAINTEXT];
	const struct record_case *c = &cases[i];
	uint8_t key[32], iv[12];
	struct t13_aead a;
	size_t n;

	case_inputs(i, key, iv, data, c->len);
	t13_aead_init_impl(&a, c->suite, key, iv, flags);
	a.seq = c->seq;
	n = t13_aead_seal(&a, c->type, data, c->len, c->pad, out);
	t13_aead_wipe(&a);
	return n;
}

static int open_case(size_t i, unsigned flags, uint8_t *rec, size_t rec_len)
{
	static uint8_t data[T13_MAX_PLAINTEXT];
	const struct record_case *c = &cases[i];
	uint8_t key[32], iv[12], type = 0;
	struct t13_aead a;
	size_t len = 0;
	int err;

	case_inputs(i, key, iv, data, c->len);
	t13_aead_init_impl(&a, c->suite, key, iv, flags);
	a.seq = c->seq;
	err = t13_aead_open(&a, rec, rec_len, &type, &len);
	t13_aead_wipe(&a);
	return !err && type == c->type && len == c->len &&
	       !memcmp(rec + T13_RECORD_HEADER, data, len);
}

static void test_impls_agree(void)
{
	static uint8_t first[MAX_RECORD], other[MAX_RECORD];

	for (size_t i = 0; i < N_CASES; i++) {
		size_t n = seal_case(i, 0, first);
		int same = n == T13_RECORD_HEADER + cases[i].len + 1 + cases[i].pad + T13_AEAD_TAG;
		int opens = 1;

		for (size_t f = 1; f < N_IMPLS; f++) {
			size_t m = seal_case(i, impl_flags[f], other);

			same &= m == n && !memcmp(first, other, n);
		}
		for (size_t f = 0; f < N_IMPLS; f++) {
			memcpy(other, first, n);
			opens &= open_case(i, impl_flags[f], other, n);
		}
		ok(same, "case %zu (suite %04x, seq %016llx, %zu + pad %zu): the %zu "
		   "implementations seal the same record", i, cases[i].suite,
		   (unsigned long long)cases[i].seq, cases[i].len, cases[i].pad, N_IMPLS);
		ok(opens, "case %zu: every implementation opens it to the content and type", i);
	}
}

/*
 * Our own reading of §5.2-5.4 in Python with the `cryptography` package's
 * AEADs: the nonce, the header, the inner plaintext built independently.
 */
static const char python_check[] =
	"import sys\n"
	"from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305\n"
	"for line in open(sys.argv[1]):\n"
	"    suite, key, iv, seq, typ, data, pad = line.split()\n"
	"    data = bytes.fromhex(data) if data != '-' else b''\n"
	"    aead = (ChaCha20Poly1305 if suite == '1303' else AESGCM)(bytes.fromhex(key))\n"
	"    seqb = int(seq, 16).to_bytes(12, 'big')\n"
	"    nonce = bytes(x ^ y for x, y in zip(bytes.fromhex(iv), seqb))\n"
	"    inner = data + bytes([int(typ)]) + bytes(int(pad))\n"
	"    header = bytes([23, 3, 3]) + (len(inner) + 16).to_bytes(2, 'big')\n"
	"    print((header + aead.encrypt(nonce, inner, header)).hex())\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) || ret ? -1 : 0;
}

static int write_cases(const char *path)
{
	static uint8_t data[T13_MAX_PLAINTEXT];
	static char data_hex[2 * T13_MAX_PLAINTEXT + 1];
	char key_hex[65], iv_hex[25];
	uint8_t key[32], iv[12];
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct record_case *c = &cases[i];

		case_inputs(i, key, iv, data, c->len);
		to_hex(key, t13_aead_key_len(c->suite), key_hex);
		to_hex(iv, 12, iv_hex);
		to_hex(data, c->len, data_hex);
		fprintf(f, "%04x %s %s %016llx %u %s %zu\n", c->suite, key_hex, iv_hex,
			(unsigned long long)c->seq, c->type, c->len ? data_hex : "-", c->pad);
	}
	return fclose(f) ? -1 : 0;
}

static void compare_with_python(FILE *p)
{
	static char line[2 * MAX_RECORD + 2];
	static uint8_t want[MAX_RECORD], ours[MAX_RECORD];

	for (size_t i = 0; i < N_CASES; i++) {
		size_t want_len = 0, n = seal_case(i, 0, ours);

		/* python3's output, not a vector of ours: a bad line fails this check only. */
		if (!fgets(line, sizeof(line), p) || hex_parse(line, want, sizeof(want), &want_len))
			want_len = 0;
		ok(want_len && n == want_len && !memcmp(ours, want, n),
		   "case %zu (suite %04x): our record is the one python3 cryptography seals",
		   i, cases[i].suite);
	}
}

static void test_python(void)
{
	char dir[] = "/tmp/t13-aead-XXXXXX", script[64], input[64], cmd[256];
	FILE *p;

	if (system("python3 -c 'import cryptography' >/dev/null 2>&1") != 0) {
		ok(1, "records against python3 cryptography # SKIP python3 cryptography not installed");
		return;
	}
	if (!mkdtemp(dir)) {
		ok(0, "a temporary folder for the python3 check");
		return;
	}
	snprintf(script, sizeof(script), "%s/check.py", dir);
	snprintf(input, sizeof(input), "%s/cases.txt", dir);
	snprintf(cmd, sizeof(cmd), "python3 %s %s", script, input);
	if (write_file(script, python_check) || write_cases(input) || !(p = popen(cmd, "r"))) {
		ok(0, "the python3 check is written and started");
	} else {
		compare_with_python(p);
		ok(pclose(p) == 0, "python3 check exits cleanly");
	}
	unlink(script);
	unlink(input);
	rmdir(dir);
}

/* ---- refusals and edge cases (§5.2-5.4) ---- */

static void key_client_app(struct t13_aead *a)
{
	trace_key(&trace[3], a, 0);
}

/* An independent nonce for crafting records: IV xor the left-padded seq. */
static void craft_nonce(const struct t13_aead *a, uint64_t seq, uint8_t nonce[12])
{
	memcpy(nonce, a->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

/* A record whose TLSInnerPlaintext is @inner (@inner_len bytes), whatever
 * seal would allow, protected under @a at @seq. Returns its length. */
static size_t craft(const struct t13_aead *a, uint64_t seq, const uint8_t *inner,
		    size_t inner_len, uint8_t *out)
{
	uint8_t nonce[12];

	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	t13_put16(out + 3, (unsigned)(inner_len + 16));
	memcpy(out + 5, inner, inner_len);
	craft_nonce(a, seq, nonce);
	t13_aead_encrypt(a, nonce, out, 5, out + 5, inner_len, out + 5 + inner_len);
	return 5 + inner_len + 16;
}

static int open_at(struct t13_aead *a, const uint8_t *rec, size_t rec_len, uint64_t seq)
{
	static uint8_t copy[MAX_RECORD];
	uint8_t type;
	size_t len;

	a->seq = seq;
	memcpy(copy, rec, rec_len);
	return t13_aead_open(a, copy, rec_len, &type, &len);
}

static void test_tampering(uint16_t suite)
{
	static uint8_t rec[256], bad[256];
	uint8_t key[32] = { 1, 2, 3 }, iv[12] = { 4, 5, 6 }, type;
	const char msg[] = "tamper with me";
	struct t13_aead a;
	size_t n, len;

	t13_aead_init(&a, suite, key, iv);
	n = t13_aead_seal(&a, T13_CT_APPLICATION_DATA, (const uint8_t *)msg, sizeof(msg), 3, rec);
	ok(open_at(&a, rec, n, 0) == 0, "%04x: the untouched record opens", suite);

	memcpy(bad, rec, n);
	bad[n - 1] ^= 0x01;
	ok(open_at(&a, bad, n, 0) == -T13_ALERT_BAD_RECORD_MAC && a.seq == 0,
	   "%04x: a flipped tag bit is bad_record_mac, seq unchanged", suite);
	memcpy(bad, rec, n);
	bad[T13_RECORD_HEADER + 2] ^= 0x80;
	ok(open_at(&a, bad, n, 0) == -T13_ALERT_BAD_RECORD_MAC,
	   "%04x: a flipped ciphertext bit is bad_record_mac", suite);
	memcpy(bad, rec, n);
	bad[2] ^= 0x01;
	ok(open_at(&a, bad, n, 0) == -T13_ALERT_BAD_RECORD_MAC,
	   "%04x: a changed legacy_record_version (AAD) is bad_record_mac", suite);
	memcpy(bad, rec, n);
	bad[0] = T13_CT_HANDSHAKE;
	ok(open_at(&a, bad, n, 0) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "%04x: an outer type other than application_data is unexpected_message", suite);
	memcpy(bad, rec, n);
	t13_put16(bad + 3, (unsigned)(n - T13_RECORD_HEADER - 1));
	ok(open_at(&a, bad, n - 1, 0) == -T13_ALERT_BAD_RECORD_MAC,
	   "%04x: the record cut by a byte (header to match) is bad_record_mac", suite);
	ok(open_at(&a, rec, n - 1, 0) == -T13_ALERT_DECODE_ERROR,
	   "%04x: a header length that is not the record's is decode_error", suite);
	ok(open_at(&a, rec, 4, 0) == -T13_ALERT_DECODE_ERROR,
	   "%04x: a record shorter than its header is decode_error", suite);
	memcpy(bad, rec, T13_RECORD_HEADER + 15);
	t13_put16(bad + 3, 15);
	ok(open_at(&a, bad, T13_RECORD_HEADER + 15, 0) == -T13_ALERT_BAD_RECORD_MAC,
	   "%04x: a ciphertext shorter than the tag is bad_record_mac", suite);

	a.seq = 0;
	memcpy(bad, rec, n);
	ok(t13_aead_open(&a, bad, n, &type, &len) == 0 && a.seq == 1 &&
	   type == T13_CT_APPLICATION_DATA && len == sizeof(msg) &&
	   !memcmp(bad + T13_RECORD_HEADER, msg, len),
	   "%04x: after all that the record still opens at seq 0, padding removed", suite);
	t13_aead_wipe(&a);
}

static void test_inner_plaintext(void)
{
	static uint8_t inner[T13_MAX_PLAINTEXT + 2], rec[MAX_RECORD], data[T13_MAX_PLAINTEXT];
	const uint8_t trailing_zeros[] = { 0xab, 0x00, 0x00 };
	struct t13_aead a;
	uint8_t type;
	size_t n, len;

	key_client_app(&a);
	memset(inner, 0, 20);
	n = craft(&a, 0, inner, 20, rec);
	a.seq = 0;
	ok(t13_aead_open(&a, rec, n, &type, &len) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "an all-zero TLSInnerPlaintext (no content type) is unexpected_message");
	n = craft(&a, 0, inner, 0, rec);
	a.seq = 0;
	ok(t13_aead_open(&a, rec, n, &type, &len) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "an empty TLSInnerPlaintext is unexpected_message");

	a.seq = 0;
	n = t13_aead_seal(&a, T13_CT_HANDSHAKE, trailing_zeros, sizeof(trailing_zeros), 5, rec);
	a.seq = 0;
	ok(n == 5 + 3 + 1 + 5 + 16 && t13_aead_open(&a, rec, n, &type, &len) == 0 &&
	   type == T13_CT_HANDSHAKE && len == 3 && !memcmp(rec + 5, trailing_zeros, 3),
	   "padding is removed up to the type byte; the content's own zeros stay");

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	a.seq = 0;
	n = t13_aead_seal(&a, T13_CT_APPLICATION_DATA, data, T13_MAX_PLAINTEXT, 0, rec);
	a.seq = 0;
	ok(n == 5 + 16385 + 16 && t13_aead_open(&a, rec, n, &type, &len) == 0 &&
	   len == T13_MAX_PLAINTEXT && !memcmp(rec + 5, data, len),
	   "2^14 bytes of content (TLSInnerPlaintext 2^14 + 1) seal and open");
	a.seq = 0;
	n = t13_aead_seal(&a, T13_CT_APPLICATION_DATA, data, 100, 16284, rec);
	a.seq = 0;
	ok(n == 5 + 16385 + 16 && t13_aead_open(&a, rec, n, &type, &len) == 0 && len == 100,
	   "100 bytes padded to 2^14 + 1 seal and open");

	memcpy(inner, data, T13_MAX_PLAINTEXT);
	inner[T13_MAX_PLAINTEXT] = 0x42;
	inner[T13_MAX_PLAINTEXT + 1] = T13_CT_APPLICATION_DATA;
	n = craft(&a, 0, inner, T13_MAX_PLAINTEXT + 2, rec);
	a.seq = 0;
	ok(t13_aead_open(&a, rec, n, &type, &len) == -T13_ALERT_RECORD_OVERFLOW,
	   "2^14 + 1 bytes of content (a valid tag) is record_overflow");
	memset(inner + 100, 0, T13_MAX_PLAINTEXT + 2 - 100);
	inner[99] = T13_CT_APPLICATION_DATA;
	n = craft(&a, 0, inner, T13_MAX_PLAINTEXT + 2, rec);
	a.seq = 0;
	ok(t13_aead_open(&a, rec, n, &type, &len) == -T13_ALERT_RECORD_OVERFLOW,
	   "padding past TLSInnerPlaintext's 2^14 + 1 is record_overflow");

	memset(rec, 0x33, T13_RECORD_HEADER + T13_MAX_CIPHERTEXT + 1);
	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	t13_put16(rec + 3, T13_MAX_CIPHERTEXT + 1);
	a.seq = 0;
	ok(t13_aead_open(&a, rec, T13_RECORD_HEADER + T13_MAX_CIPHERTEXT + 1, &type, &len) ==
	   -T13_ALERT_RECORD_OVERFLOW, "a 2^14 + 257-byte ciphertext is record_overflow");

	a.seq = 0;
	ok(t13_aead_seal(&a, 23, data, T13_MAX_PLAINTEXT + 1, 0, rec) == 0 &&
	   t13_aead_seal(&a, 23, data, T13_MAX_PLAINTEXT, 1, rec) == 0 &&
	   t13_aead_seal(&a, 23, data, 100, 16285, rec) == 0 &&
	   t13_aead_seal(&a, 23, data, 100, (size_t)-1, rec) == 0 && a.seq == 0,
	   "seal refuses content or padding past 2^14 + 1, seq unchanged");
	t13_aead_wipe(&a);
}

static void test_sequence(void)
{
	static uint8_t r0[128], r1[128], buf[128];
	const uint8_t one[] = "first", two[] = "second";
	struct t13_aead tx, rx;
	size_t n0, n1, len;
	uint8_t type;

	key_client_app(&tx);
	key_client_app(&rx);
	n0 = t13_aead_seal(&tx, 23, one, sizeof(one), 0, r0);
	n1 = t13_aead_seal(&tx, 23, two, sizeof(two), 0, r1);
	ok(tx.seq == 2, "sealing advances the sequence number");
	memcpy(buf, r1, n1);
	ok(t13_aead_open(&rx, buf, n1, &type, &len) == -T13_ALERT_BAD_RECORD_MAC && rx.seq == 0,
	   "the second record does not open with the first's sequence number");
	memcpy(buf, r0, n0);
	ok(t13_aead_open(&rx, buf, n0, &type, &len) == 0 && rx.seq == 1,
	   "the first record opens at seq 0");
	memcpy(buf, r1, n1);
	ok(t13_aead_open(&rx, buf, n1, &type, &len) == 0 && rx.seq == 2 &&
	   !memcmp(buf + 5, two, sizeof(two)), "the second opens at seq 1");
	memcpy(buf, r1, n1);
	ok(t13_aead_open(&rx, buf, n1, &type, &len) == -T13_ALERT_BAD_RECORD_MAC,
	   "a replayed record does not open");

	tx.seq = UINT64_MAX - 1;
	ok(t13_aead_seal(&tx, 23, one, sizeof(one), 0, r0) != 0 && tx.seq == UINT64_MAX,
	   "seq 2^64 - 2 is still used");
	ok(t13_aead_seal(&tx, 23, one, sizeof(one), 0, r0) == 0 && tx.seq == UINT64_MAX,
	   "seal refuses once the sequence number would wrap");
	rx.seq = UINT64_MAX;
	ok(t13_aead_open(&rx, r1, n1, &type, &len) == -T13_ALERT_INTERNAL_ERROR,
	   "open refuses once the sequence number would wrap");
	t13_aead_wipe(&tx);
	t13_aead_wipe(&rx);
}

static void test_api(void)
{
	static const uint8_t zero[sizeof(struct t13_aead)];
	static uint8_t buf[128], other[128];
	uint8_t key[32] = { 9 }, iv[12] = { 8 }, type;
	const uint8_t msg[] = "in place";
	struct t13_aead a;
	size_t n, len;

	ok(t13_aead_key_len(T13_AES_128_GCM_SHA256) == 16 &&
	   t13_aead_key_len(T13_AES_256_GCM_SHA384) == 32 &&
	   t13_aead_key_len(T13_CHACHA20_POLY1305_SHA256) == 32 &&
	   t13_aead_key_len(0x1304) == 0 && t13_aead_key_len(0) == 0,
	   "key lengths of the three suites, 0 for others");
	ok(t13_aead_init(&a, 0x1304, key, iv) == -1 && !memcmp(&a, zero, sizeof(a)),
	   "an unknown suite is refused, the context zeroed");
	ok(t13_aead_seal(&a, 23, msg, sizeof(msg), 0, buf) == 0 &&
	   t13_aead_open(&a, buf, 5 + 16 + 1, &type, &len) != 0,
	   "an unkeyed context seals and opens nothing");

	t13_aead_init(&a, T13_CHACHA20_POLY1305_SHA256, key, iv);
	n = t13_aead_seal(&a, 23, msg, sizeof(msg), 2, other);
	a.seq = 0;
	memcpy(buf + 5, msg, sizeof(msg));
	ok(t13_aead_seal(&a, 23, buf + 5, sizeof(msg), 2, buf) == n && !memcmp(buf, other, n),
	   "sealing in place (data at out + 5) gives the same record");
	t13_aead_wipe(&a);
	ok(!memcmp(&a, zero, sizeof(a)), "wipe leaves nothing of the key");

	t13_aead_init(&a, T13_AES_128_GCM_SHA256, key, iv);
	diag("implementations here: AES %s, GHASH %s, ChaCha20 %s, Poly1305 %s",
	     a.u.gcm.aes.vtable == &br_aes_ct64_ctr_vtable ? "ct64" : "x86ni",
	     a.u.gcm.ghash == &br_ghash_ctmul64 ? "ctmul64" : "pclmul",
	     br_chacha20_sse2_get() ? "sse2" : "ct",
	     br_poly1305_ctmulq_get() ? "ctmulq" : "ctmul");
	t13_aead_wipe(&a);
}

int main(void)
{
	test_api();
	for (size_t f = 0; f < N_IMPLS; f++) {
		test_trace_open(impl_flags[f]);
		test_trace_seal(impl_flags[f]);
		for (size_t v = 0; v < N_VECTORS; v++)
			test_vector(&vectors[v], impl_flags[f]);
	}
	test_impls_agree();
	test_python();
	test_tampering(T13_AES_128_GCM_SHA256);
	test_tampering(T13_AES_256_GCM_SHA384);
	test_tampering(T13_CHACHA20_POLY1305_SHA256);
	test_inner_plaintext();
	test_sequence();
	return done();
}
