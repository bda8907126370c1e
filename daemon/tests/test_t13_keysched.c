// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 key schedule and transcript hash against RFC 8448's traces:
 * the handshake messages the traces print go through the transcript code,
 * and every secret, key, IV and verify_data the traces print must come out.
 * Every hex string here and in rfc8448.h is copied from the RFC 8448
 * section named next to it; nothing else is a hard-coded result.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls13/keysched.h"
#include "hex.h"
#include "rfc8448.h"
#include "tap.h"

#define MAX_MSG 600

/* A handshake message from a trace, with its length checked against its header. */
struct msg {
	uint8_t b[MAX_MSG];
	size_t len;
};

static void load_msg(struct msg *m, const char *name, const char *hex)
{
	m->len = hex_decode(hex, m->b, sizeof(m->b));
	ok(m->len >= 4 && m->len == 4 + t13_get24(m->b + 1),
	   "%s: %zu bytes, as its header says", name, m->len);
}

/* Whether @got (@len bytes) is the vector @want_hex; prints both when not. */
static int same(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[MAX_MSG];
	size_t want_len = hex_decode(want_hex, want, sizeof(want));

	if (want_len == len && !memcmp(got, want, len))
		return 1;
	printf("#   got:  ");
	for (size_t i = 0; i < len; i++)
		printf("%02x", got[i]);
	printf("\n#   want: %s\n", want_hex);
	return 0;
}

/* RFC 8448 §3, "Simple 1-RTT Handshake": its messages, as rfc8448.h gives them. */
struct rfc8448_3 {
	struct msg ch, sh, ee, cert, cv, sf, cf, nst;
};

/* RFC 8448 §3 also gives the resumption secret §4 starts from. */
static void test_simple_1rtt(uint8_t resumption_psk[32])
{
	struct rfc8448_3 m;
	struct t13_transcript t;
	struct t13_schedule ks;
	uint8_t th[T13_MAX_HASH], dhe[32], mac[T13_MAX_HASH], key[16], iv[12];
	size_t nonce_len;

	load_msg(&m.ch, "§3 ClientHello", RFC8448_S3_CLIENT_HELLO);
	load_msg(&m.sh, "§3 ServerHello", RFC8448_S3_SERVER_HELLO);
	load_msg(&m.ee, "§3 EncryptedExtensions", RFC8448_S3_ENCRYPTED_EXTENSIONS);
	load_msg(&m.cert, "§3 Certificate", RFC8448_S3_CERTIFICATE);
	load_msg(&m.cv, "§3 CertificateVerify", RFC8448_S3_CERTIFICATE_VERIFY);
	load_msg(&m.sf, "§3 server Finished", RFC8448_S3_SERVER_FINISHED);
	load_msg(&m.cf, "§3 client Finished", RFC8448_S3_CLIENT_FINISHED);
	load_msg(&m.nst, "§3 NewSessionTicket", RFC8448_S3_NEW_SESSION_TICKET);
	hex_decode(RFC8448_S3_ECDHE, dhe, sizeof(dhe));

	/* A client: both hashes run until ServerHello names TLS_AES_128_GCM_SHA256. */
	t13_transcript_init(&t);
	t13_transcript_update(&t, m.ch.b, m.ch.len);
	t13_transcript_update(&t, m.sh.b, m.sh.len);
	ok(t13_transcript_hash(&t, th) == 0, "§3: no transcript hash before select");
	t13_transcript_select(&t, &br_sha256_vtable);
	ok(t13_transcript_hash(&t, th) == 32 &&
	   same(th, 32, "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed"
			"d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8"),
	   "§3: Hash(ClientHello..ServerHello)");

	t13_schedule_init(&ks, &br_sha256_vtable, NULL, 0);
	ok(ks.hash_len == 32 &&
	   same(ks.secret, 32, "33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c"
			       "e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a"),
	   "§3: early secret");
	t13_schedule_handshake(&ks, dhe, sizeof(dhe), th);
	ok(same(ks.secret, 32, "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b"
			       "01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac"),
	   "§3: handshake secret");
	ok(same(ks.client_hs, 32, "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e"
				  "2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21"),
	   "§3: client_handshake_traffic_secret");
	ok(same(ks.server_hs, 32, "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d"
				  "37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38"),
	   "§3: server_handshake_traffic_secret");

	t13_traffic_keys(ks.hash, ks.server_hs, sizeof(key), key, iv);
	ok(same(key, 16, "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc") &&
	   same(iv, 12, "5d 31 3e b2 67 12 76 ee 13 00 0b 30"),
	   "§3: server handshake write key and IV");
	t13_traffic_keys(ks.hash, ks.client_hs, sizeof(key), key, iv);
	ok(same(key, 16, "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01") &&
	   same(iv, 12, "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"),
	   "§3: client handshake write key and IV");

	t13_transcript_update(&t, m.ee.b, m.ee.len);
	t13_transcript_update(&t, m.cert.b, m.cert.len);
	t13_transcript_update(&t, m.cv.b, m.cv.len);
	t13_transcript_hash(&t, th);
	t13_finished_mac(ks.hash, ks.server_hs, th, mac);
	ok(same(mac, 32, "9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4"
			 "de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f 07 18") &&
	   t13_finished_equal(mac, m.sf.b + 4, 32),
	   "§3: server Finished verify_data, as in the Finished message");

	t13_transcript_update(&t, m.sf.b, m.sf.len);
	t13_transcript_hash(&t, th);
	ok(same(th, 32, "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a"
			"00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13"),
	   "§3: Hash(ClientHello..server Finished)");
	t13_schedule_application(&ks, th);
	ok(same(ks.secret, 32, "18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a"
			       "47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19"),
	   "§3: master secret");
	ok(same(ks.client_ap, 32, "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce"
				  "65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5"),
	   "§3: client_application_traffic_secret_0");
	ok(same(ks.server_ap, 32, "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9"
				  "50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43"),
	   "§3: server_application_traffic_secret_0");
	ok(same(ks.exporter, 32, "fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67"
				 "92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50"),
	   "§3: exporter_master_secret");
	t13_traffic_keys(ks.hash, ks.server_ap, sizeof(key), key, iv);
	ok(same(key, 16, "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56") &&
	   same(iv, 12, "cf 78 2b 88 dd 83 54 9a ad f1 e9 84"),
	   "§3: server application write key and IV");
	t13_traffic_keys(ks.hash, ks.client_ap, sizeof(key), key, iv);
	ok(same(key, 16, "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51") &&
	   same(iv, 12, "5b 78 92 3d ee 08 57 90 33 e5 23 d9"),
	   "§3: client application write key and IV");

	/* The client's Finished covers the same transcript as the master's. */
	t13_finished_mac(ks.hash, ks.client_hs, th, mac);
	ok(same(mac, 32, "a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1"
			 "1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61") &&
	   t13_finished_equal(mac, m.cf.b + 4, 32),
	   "§3: client Finished verify_data, as in the Finished message");
	ok(!t13_finished_equal(mac, m.sf.b + 4, 32), "§3: client and server verify_data differ");

	t13_transcript_update(&t, m.cf.b, m.cf.len);
	t13_transcript_hash(&t, th);
	ok(same(th, 32, "20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26"
			"84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d"),
	   "§3: Hash(ClientHello..client Finished)");
	t13_schedule_resumption(&ks, th);
	ok(same(ks.resumption, 32, "7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41"
				   "b0 bf da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c"),
	   "§3: resumption_master_secret");

	/* NewSessionTicket: type, length(3), lifetime(4), age_add(4), nonce<0..255>. */
	nonce_len = m.nst.b[12];
	ok(13 + nonce_len <= m.nst.len, "§3: NewSessionTicket nonce within the message");
	t13_resumption_psk(ks.hash, ks.resumption, m.nst.b + 13, nonce_len, resumption_psk);
	ok(same(resumption_psk, 32, "4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c"
				    "a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3"),
	   "§3: PSK of the ticket (\"tls13 resumption\")");

	t13_schedule_wipe(&ks);
	t13_transcript_wipe(&t);
	ok(ks.hash == NULL && ks.secret[0] == 0 && ks.resumption[31] == 0,
	   "t13_schedule_wipe clears the schedule");
}

/* RFC 8448 §3: the single steps of §7.1 on their own. */
static void test_primitives(void)
{
	uint8_t early[32], derived[32], empty[32], dhe[32], hs[32], out[32];
	br_sha256_context sha;

	hex_decode("33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c"
	      "e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a", early, sizeof(early));
	hex_decode(RFC8448_S3_ECDHE, dhe, sizeof(dhe));
	br_sha256_init(&sha);
	br_sha256_out(&sha, empty);

	t13_derive_secret(&br_sha256_vtable, early, "derived", empty, derived);
	ok(same(derived, 32, "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba"
			     "b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba"),
	   "§3: Derive-Secret(early, \"derived\", \"\")");
	t13_hkdf_extract(&br_sha256_vtable, derived, sizeof(derived), dhe, sizeof(dhe), hs);
	ok(same(hs, 32, "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b"
			"01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac"),
	   "§3: HKDF-Extract(derived, DHE)");

	/* A NULL salt and an explicit all-zero one are the same (§7.1's "0"). */
	memset(out, 0, sizeof(out));
	t13_hkdf_extract(&br_sha256_vtable, NULL, 0, out, sizeof(out), out);
	ok(!memcmp(out, early, 32), "§3: HKDF-Extract(0, 0) is the early secret");

	/* KeyUpdate: next secret = Expand-Label(secret, "traffic upd", "", 32), in place too. */
	t13_hkdf_expand_label(&br_sha256_vtable, hs, "traffic upd", NULL, 0, out, sizeof(out));
	t13_next_traffic_secret(&br_sha256_vtable, hs, hs);
	ok(!memcmp(hs, out, 32), "traffic upd: in place, as HKDF-Expand-Label says");
}

/* RFC 5869 A.1, "Basic test case with SHA-256": Extract, and an Expand of two blocks. */
static void test_rfc5869(void)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];

	hex_decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", ikm, sizeof(ikm));
	hex_decode("000102030405060708090a0b0c", salt, sizeof(salt));
	hex_decode("f0f1f2f3f4f5f6f7f8f9", info, sizeof(info));
	t13_hkdf_extract(&br_sha256_vtable, salt, sizeof(salt), ikm, sizeof(ikm), prk);
	ok(same(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"),
	   "RFC 5869 A.1: PRK");
	ok(t13_hkdf_expand(&br_sha256_vtable, prk, info, sizeof(info), okm, sizeof(okm)) == 0 &&
	   same(okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
			 "34007208d5b887185865"),
	   "RFC 5869 A.1: OKM (42 bytes, two blocks)");
}

/* HkdfLabel's bounds (RFC 8446 §7.1): label<7..255> with "tls13 ", context<0..255>. */
static void test_expand_label_limits(void)
{
	static uint8_t out[255 * 48 + 1];
	uint8_t secret[48] = { 1 }, context[256] = { 2 };
	char label[252];

	memset(label, 'a', sizeof(label));
	label[249] = '\0';
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, label, NULL, 0, out, 32) == 0,
	   "expand_label takes a 249-byte label");
	label[249] = 'a';
	label[250] = '\0';
	memset(out, 0xa5, 32);
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, label, NULL, 0, out, 32) == -1 &&
	   out[0] == 0xa5 && out[31] == 0xa5,
	   "expand_label refuses a 250-byte label and writes nothing");
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, "", NULL, 0, out, 32) == -1,
	   "expand_label refuses an empty label");
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, "x", context, 255, out, 32) == 0,
	   "expand_label takes a 255-byte context");
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, "x", context, 256, out, 32) == -1,
	   "expand_label refuses a 256-byte context");
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, "x", NULL, 0, out, 255 * 32) == 0,
	   "expand_label gives 255 * 32 bytes with SHA-256");
	ok(t13_hkdf_expand_label(&br_sha256_vtable, secret, "x", NULL, 0, out, 255 * 32 + 1) == -1,
	   "expand_label refuses 255 * 32 + 1 bytes with SHA-256");
	ok(t13_hkdf_expand_label(&br_sha384_vtable, secret, "x", NULL, 0, out, 255 * 48) == 0 &&
	   t13_hkdf_expand_label(&br_sha384_vtable, secret, "x", NULL, 0, out, 255 * 48 + 1) == -1,
	   "expand_label's limit with SHA-384 is 255 * 48 bytes");
}

/* A transcript running both hashes, then select(SHA-384), is SHA-384 alone. */
static void test_transcript_select(void)
{
	static const char *const msgs[] = {
		RFC8448_S3_CLIENT_HELLO, RFC8448_S3_SERVER_HELLO, RFC8448_S3_ENCRYPTED_EXTENSIONS,
		RFC8448_S3_CERTIFICATE, RFC8448_S3_CERTIFICATE_VERIFY,
	};
	uint8_t got[T13_MAX_HASH], early[T13_MAX_HASH], want[T13_MAX_HASH];
	struct t13_transcript t;
	br_sha384_context alone;
	struct msg m;
	size_t i;

	t13_transcript_init(&t);
	br_sha384_init(&alone);
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		m.len = hex_decode(msgs[i], m.b, sizeof(m.b));
		t13_transcript_update(&t, m.b, m.len);
		br_sha384_update(&alone, m.b, m.len);
		if (i == 1) {
			ok(t13_transcript_hash_as(&t, &br_sha384_vtable, early) == 48,
			   "hash_as(SHA-384) before select");
			t13_transcript_select(&t, &br_sha384_vtable);
			ok(t13_transcript_hash(&t, got) == 48 && !memcmp(got, early, 48),
			   "select keeps what SHA-384 had hashed");
		}
	}
	br_sha384_out(&alone, want);
	ok(t13_transcript_hash(&t, got) == 48 && !memcmp(got, want, 48),
	   "both hashes, then select(SHA-384): the same as SHA-384 alone");
	ok(t13_transcript_hash_as(&t, &br_sha256_vtable, got) == 0,
	   "after select(SHA-384), SHA-256 is gone");
	t13_transcript_update(&t, "x", 1);
	ok(t13_transcript_hash(&t, got) == 48 && memcmp(got, want, 48),
	   "the transcript goes on after a hash was taken");
	t13_transcript_select(&t, &br_md5_vtable);
	ok(t13_transcript_hash(&t, got) == 0, "a transcript of an unknown hash gives no hash");
}

/* The binder list at the end: uint16 length 0x21, one binder<32..255> of 32. */
#define RFC8448_4_BINDERS_LEN	(2 + 1 + 32)

static void test_resumed_0rtt(const uint8_t psk[32])
{
	uint8_t binder_key[32], ext_key[32], th[T13_MAX_HASH], binder[32];
	struct t13_transcript t;
	struct t13_schedule ks;
	struct msg ch;
	size_t prefix;

	load_msg(&ch, "§4 ClientHello", RFC8448_S4_CLIENT_HELLO);
	prefix = ch.len - RFC8448_4_BINDERS_LEN;
	ok(prefix == 477, "§4: the ClientHello prefix is 477 bytes, as the trace says");

	t13_schedule_init(&ks, &br_sha256_vtable, psk, 32);
	ok(same(ks.secret, 32, "9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20"
			       "bb 41 91 50 00 f6 78 aa 83 9c bb 79 7c b7 d8 33 2c"),
	   "§4: early secret from the resumption PSK");
	t13_schedule_binder_key(&ks, 0, binder_key);
	ok(same(binder_key, 32, "69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b"
				"9d 81 07 72 6a 13 d0 74 e3 89 db c8 a4 e4 72 56"),
	   "§4: binder key (\"res binder\")");
	t13_schedule_binder_key(&ks, 1, ext_key);
	ok(memcmp(ext_key, binder_key, 32), "§4: an external PSK's binder key differs");

	/* The client still runs both hashes: the binder takes the ticket's one. */
	t13_transcript_init(&t);
	t13_transcript_update(&t, ch.b, prefix);
	ok(t13_transcript_hash_as(&t, &br_sha256_vtable, th) == 32 &&
	   same(th, 32, "63 22 4b 2e 45 73 f2 d3 45 4c a8 4b 9d"
			"00 9a 04 f6 be 9e 05 71 1a 83 96 47 3a ef a0 1e 92 4a 14"),
	   "§4: binder hash over the truncated ClientHello");
	t13_finished_mac(ks.hash, binder_key, th, binder);
	ok(same(binder, 32, "3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e"
			    "f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d") &&
	   t13_finished_equal(binder, ch.b + prefix + 3, 32),
	   "§4: PSK binder, as in the ClientHello");
	t13_schedule_wipe(&ks);
	t13_transcript_wipe(&t);
}

/* RFC 8448 §5, "HelloRetryRequest": the messages after the second ClientHello. */
static const char rfc8448_5_server_hello[] =
	"02 00 00 77 03 03 bb 34 1d 84 7f d7 89 c4 7c 38"
	"71 72 dc 0c 9b f1 47 fc ca cb 50 43 d8 6c a4 c5"
	"98 d3 ff 57 1b 98 00 13 01 00 00 4f 00 33 00 45"
	"00 17 00 41 04 58 3e 05 4b 7a 66 67 2a e0 20 ad"
	"9d 26 86 fc c8 5b 5a d4 1a 13 4a 0f 03 ee 72 b8"
	"93 05 2b d8 5b 4c 8d e6 77 6f 5b 04 ac 07 d8 35"
	"40 ea b3 e3 d9 c5 47 bc 65 28 c4 31 7d 29 46 86"
	"09 3a 6c ad 7d 00 2b 00 02 03 04";
static const char rfc8448_5_encrypted_extensions[] =
	"08 00 00 18 00 16 00 0a 00 08 00 06 00 17 00 18"
	"00 1d 00 1c 00 02 40 01 00 00 00 00";
static const char rfc8448_5_certificate_verify[] =
	"0f 00 00 84 08 04 00 80 33 ab 13 d4 46 27 07 23"
	"1b 5d ca e6 c8 19 0b 63 d1 da bc 74 f2 8c 39 53"
	"70 da 0b 07 e5 b8 30 66 d0 24 6a 31 ac d9 5d f4"
	"75 bf d7 99 a4 a7 0d 33 ad 93 d3 a3 17 a9 b2 c0"
	"d2 37 a5 68 5b 21 9e 77 41 12 e3 91 a2 47 60 7d"
	"1a ef f1 bb d0 a3 9f 38 2e e1 a5 fe 88 ae 99 ec"
	"59 22 8e 64 97 e4 5d 48 ce 27 5a 6d 5e f4 0d 16"
	"9f b6 f9 d3 3b 05 2e d3 dc dd 6b 5a 48 ba af ff"
	"bc b2 90 12 84 15 bd 38";
static const char rfc8448_5_server_finished[] =
	"14 00 00 20 88 63 e6 bf b0 42 0a 92 7f a2 7f 34"
	"33 6a 70 ae 42 6e 96 8e 3e b8 84 94 5b 96 85 6d"
	"ba 39 76 d1";
static const char rfc8448_5_client_finished[] =
	"14 00 00 20 23 f5 2f db 07 09 a5 5b d7 f7 9b 99"
	"1f 25 48 40 87 bc fd 4d 43 80 b1 23 26 a5 2a 28"
	"b2 e3 68 e1";
/* RFC 8448 §5: the secp256r1 shared secret (the IKM of "extract secret handshake"). */
static const char rfc8448_5_dhe[] =
	"c1 42 ce 13 ca 11 b5 c2 23 36 52 e6 3a d3 d9 78"
	"44 f1 62 1f bf b9 de 69 d5 47 dc 8f ed ea be b4";

struct rfc8448_5 {
	struct msg ch1, hrr, ch2, sh, ee, cert, cv, sf, cf;
};

/*
 * The transcript up to ServerHello after an HRR, with select() before or
 * after the restart (a server knows its suite first, a client learns it
 * from the HRR; restarting with both hashes must come to the same).
 */
static void hrr_transcript(struct t13_transcript *t, const struct rfc8448_5 *m,
			   int select_first)
{
	t13_transcript_init(t);
	t13_transcript_update(t, m->ch1.b, m->ch1.len);
	if (select_first)
		t13_transcript_select(t, &br_sha256_vtable);
	t13_transcript_restart_after_hrr(t);
	if (!select_first)
		t13_transcript_select(t, &br_sha256_vtable);
	t13_transcript_update(t, m->hrr.b, m->hrr.len);
	t13_transcript_update(t, m->ch2.b, m->ch2.len);
	t13_transcript_update(t, m->sh.b, m->sh.len);
}

static void test_hello_retry_request(void)
{
	uint8_t th[T13_MAX_HASH], th_late[T13_MAX_HASH], dhe[32], mac[32], key[16], iv[12];
	uint8_t want[16];
	struct t13_transcript t, late;
	struct t13_schedule ks;
	struct rfc8448_5 m;

	load_msg(&m.ch1, "§5 ClientHello1", RFC8448_S5_CLIENT_HELLO_1);
	load_msg(&m.hrr, "§5 HelloRetryRequest", RFC8448_S5_HELLO_RETRY_REQUEST);
	load_msg(&m.ch2, "§5 ClientHello2", RFC8448_S5_CLIENT_HELLO_2);
	load_msg(&m.sh, "§5 ServerHello", rfc8448_5_server_hello);
	load_msg(&m.ee, "§5 EncryptedExtensions", rfc8448_5_encrypted_extensions);
	load_msg(&m.cert, "§5 Certificate", RFC8448_S3_CERTIFICATE);
	load_msg(&m.cv, "§5 CertificateVerify", rfc8448_5_certificate_verify);
	load_msg(&m.sf, "§5 server Finished", rfc8448_5_server_finished);
	load_msg(&m.cf, "§5 client Finished", rfc8448_5_client_finished);
	hex_decode(rfc8448_5_dhe, dhe, sizeof(dhe));

	hrr_transcript(&t, &m, 1);
	hrr_transcript(&late, &m, 0);
	ok(t13_transcript_hash(&t, th) == 32 && t13_transcript_hash(&late, th_late) == 32 &&
	   !memcmp(th, th_late, 32),
	   "§5: restarting before select gives the same transcript as after");
	t13_transcript_wipe(&late);

	t13_schedule_init(&ks, &br_sha256_vtable, NULL, 0);
	t13_schedule_handshake(&ks, dhe, sizeof(dhe), th);
	t13_traffic_keys(ks.hash, ks.server_hs, sizeof(key), key, iv);
	ok(same(key, 16, "46 46 bf ac 17 12 c4 26 cd 78 d8 a2 4a 8a 6f 6b") &&
	   same(iv, 12, "c7 d3 95 c0 8d 62 f2 97 d1 37 68 ea"),
	   "§5: server handshake write key and IV after the HRR");
	t13_traffic_keys(ks.hash, ks.client_hs, sizeof(key), key, iv);
	ok(same(key, 16, "2f 1f 91 86 63 d5 90 e7 42 11 49 a2 9d 94 b0 b6") &&
	   same(iv, 12, "41 4d 54 85 23 5e 1a 68 87 93 bd 74"),
	   "§5: client handshake write key and IV after the HRR");

	t13_transcript_update(&t, m.ee.b, m.ee.len);
	t13_transcript_update(&t, m.cert.b, m.cert.len);
	t13_transcript_update(&t, m.cv.b, m.cv.len);
	t13_transcript_hash(&t, th);
	t13_finished_mac(ks.hash, ks.server_hs, th, mac);
	ok(t13_finished_equal(mac, m.sf.b + 4, 32),
	   "§5: server Finished verify_data over message_hash(ClientHello1)..");

	t13_transcript_update(&t, m.sf.b, m.sf.len);
	t13_transcript_hash(&t, th);
	t13_finished_mac(ks.hash, ks.client_hs, th, mac);
	ok(t13_finished_equal(mac, m.cf.b + 4, 32), "§5: client Finished verify_data");

	t13_schedule_application(&ks, th);
	t13_traffic_keys(ks.hash, ks.server_ap, sizeof(key), key, iv);
	ok(same(key, 16, "f2 7a 5d 97 bd 25 55 0c 48 23 b0 f3 e5 d2 93 88") &&
	   same(iv, 12, "0d d6 31 f7 b7 1c bb c7 97 c3 5f e7"),
	   "§5: server application write key and IV");
	t13_traffic_keys(ks.hash, ks.client_ap, sizeof(key), key, iv);
	ok(same(key, 16, "a7 eb 2a 05 25 eb 43 31 d5 8f cb f9 f7 ca 2e 9c") &&
	   same(iv, 12, "86 e8 be 22 7c 1b d2 b3 e3 9c b4 44"),
	   "§5: client application write key and IV");

	/* Without the restart, nothing after the HRR may match. */
	t13_transcript_init(&late);
	t13_transcript_select(&late, &br_sha256_vtable);
	t13_transcript_update(&late, m.ch1.b, m.ch1.len);
	t13_transcript_update(&late, m.hrr.b, m.hrr.len);
	t13_transcript_update(&late, m.ch2.b, m.ch2.len);
	t13_transcript_update(&late, m.sh.b, m.sh.len);
	t13_transcript_hash(&late, th_late);
	t13_schedule_init(&ks, &br_sha256_vtable, NULL, 0);
	t13_schedule_handshake(&ks, dhe, sizeof(dhe), th_late);
	t13_traffic_keys(ks.hash, ks.server_hs, sizeof(key), key, iv);
	hex_decode("46 46 bf ac 17 12 c4 26 cd 78 d8 a2 4a 8a 6f 6b", want, sizeof(want));
	ok(memcmp(key, want, 16), "§5: the raw ClientHello1 in the transcript gives other keys");

	t13_schedule_wipe(&ks);
	t13_transcript_wipe(&t);
	t13_transcript_wipe(&late);
}

int main(void)
{
	uint8_t psk[32];

	test_rfc5869();
	test_primitives();
	test_expand_label_limits();
	test_transcript_select();
	test_simple_1rtt(psk);
	test_resumed_0rtt(psk);
	test_hello_retry_request();
	explicit_bzero(psk, sizeof(psk));
	return done();
}
