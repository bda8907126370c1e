// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_basic: proves that the kernel under test does TLS 1.2 record crypto
 * (software kTLS) for each cipher the project carries: a loopback TCP pair
 * with fixed keys, data both ways, control records, and a forged tag.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "test_time.h"

#define PAYLOAD_LEN	(1024 * 1024)
#define SEED_C2S	0xc2
#define SEED_S2C	0x52

FIXTURE(tls)
{
	int client;
	int server;
};

FIXTURE_VARIANT(tls)
{
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(tls, aes_gcm_128)
{
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(tls, aes_gcm_256)
{
	.cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_VARIANT_ADD(tls, chacha20_poly1305)
{
	.cipher = TLS_CIPHER_CHACHA20_POLY1305,
};

/* Each direction has its own keys: client TX = server RX, and back. */
static int install_direction(int tx_fd, int rx_fd, uint16_t cipher, uint8_t seed)
{
	struct ktls_keys keys;
	int err = ktls_test_keys(&keys, cipher, seed, 0);

	if (!err)
		err = ktls_install(tx_fd, TLS_TX, &keys);
	if (!err)
		err = ktls_install(rx_fd, TLS_RX, &keys);
	return err;
}

FIXTURE_SETUP(tls)
{
	ASSERT_EQ(0, ktls_tcp_pair(&self->client, &self->server));
	ASSERT_EQ(0, install_direction(self->client, self->server,
				       variant->cipher, SEED_C2S));
	ASSERT_EQ(0, install_direction(self->server, self->client,
				       variant->cipher, SEED_S2C));
}

FIXTURE_TEARDOWN(tls)
{
	close(self->client);
	close(self->server);
}

static int transfer(int from, int to, uint32_t seed, int use_sendfile,
		    size_t *bad_offset)
{
	pid_t sender = ktls_spawn_sender(from, PAYLOAD_LEN, seed, use_sendfile);
	int recv_err, send_err;

	if (sender < 0)
		return sender;
	recv_err = ktls_recv_payload(to, PAYLOAD_LEN, seed, bad_offset);
	send_err = ktls_wait_sender(sender);
	return recv_err ? recv_err : send_err;
}

/* 6.1 answers only an optlen of exactly the cipher's crypto_info size. */
TEST_F(tls, getsockopt_reports_keys)
{
	struct ktls_keys want, got;
	socklen_t len;

	ASSERT_EQ(0, ktls_test_keys(&want, variant->cipher, SEED_C2S, 0));
	memset(&got, 0, sizeof(got));
	len = (socklen_t)want.len;
	ASSERT_EQ(0, getsockopt(self->client, SOL_TLS, TLS_TX, &got, &len));
	EXPECT_EQ(want.len, (size_t)len);
	EXPECT_EQ(TLS_1_2_VERSION, got.info.version);
	EXPECT_EQ(variant->cipher, got.info.cipher_type);
	EXPECT_EQ(0, memcmp(&want, &got, want.len));
}

TEST_F(tls, send_both_ways)
{
	size_t bad = 0;

	EXPECT_EQ(0, transfer(self->client, self->server, SEED_C2S, 0, &bad))
		TH_LOG("client to server: first wrong byte at %zu", bad);
	EXPECT_EQ(0, transfer(self->server, self->client, SEED_S2C, 0, &bad))
		TH_LOG("server to client: first wrong byte at %zu", bad);
}

TEST_F(tls, sendfile_both_ways)
{
	size_t bad = 0;

	EXPECT_EQ(0, transfer(self->client, self->server, SEED_C2S, 1, &bad))
		TH_LOG("client to server: first wrong byte at %zu", bad);
	EXPECT_EQ(0, transfer(self->server, self->client, SEED_S2C, 1, &bad))
		TH_LOG("server to client: first wrong byte at %zu", bad);
}

TEST_F(tls, control_record_keeps_its_type)
{
	static const char hello[] = "a handshake record";
	static const char data[] = "data after it";
	char buf[64];
	uint8_t type = 0;

	ASSERT_EQ((ssize_t)sizeof(hello), ktls_send_record(self->client,
						  TLS_RECORD_HANDSHAKE,
						  hello, sizeof(hello)));
	ASSERT_EQ((ssize_t)sizeof(data), send(self->client, data, sizeof(data), 0));

	ASSERT_EQ((ssize_t)sizeof(hello), ktls_recv_record(self->server, &type, buf,
						  sizeof(buf)));
	EXPECT_EQ(TLS_RECORD_HANDSHAKE, type);
	EXPECT_EQ(0, memcmp(buf, hello, sizeof(hello)));

	ASSERT_EQ((ssize_t)sizeof(data), ktls_recv_record(self->server, &type, buf,
						 sizeof(buf)));
	EXPECT_EQ(TLS_RECORD_APP_DATA, type);
	EXPECT_EQ(0, memcmp(buf, data, sizeof(data)));
}

TEST_F(tls, plain_read_of_control_record_is_eio)
{
	static const uint8_t close_notify[] = { 1, 0 };
	char buf[16];

	ASSERT_EQ((ssize_t)sizeof(close_notify),
		  ktls_send_record(self->client, TLS_RECORD_ALERT,
				   close_notify, sizeof(close_notify)));
	EXPECT_EQ(-1, read(self->server, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
}

/*
 * The kernel encrypts one record on a pair whose receiving end is plain TCP;
 * those wire bytes are then replayed into kTLS receivers with the same keys:
 * as they are (must decrypt), and with one tag bit flipped (must not).
 */
TEST_F(tls, corrupted_tag_is_ebadmsg)
{
	static const char secret[] = "plaintext that must not be on the wire";
	uint8_t record[256], plain[256], type = 0;
	int tx, wire, replay, rx;
	long long errors_before, errors_after;
	struct ktls_keys keys;
	ssize_t len;

	ASSERT_EQ(0, ktls_test_keys(&keys, variant->cipher, SEED_C2S, 0));
	ASSERT_EQ(0, ktls_tcp_pair(&tx, &wire));
	ASSERT_EQ(0, ktls_install(tx, TLS_TX, &keys));
	ASSERT_EQ((ssize_t)sizeof(secret), send(tx, secret, sizeof(secret), 0));
	len = ktls_read_raw_record(wire, record, sizeof(record));
	ASSERT_LT(0, len);
	EXPECT_EQ(TLS_RECORD_APP_DATA, record[0]);
	EXPECT_EQ(NULL, memmem(record, len, secret, sizeof(secret)));

	ASSERT_EQ(0, ktls_tcp_pair(&replay, &rx));
	ASSERT_EQ(0, ktls_install(rx, TLS_RX, &keys));
	ASSERT_EQ(len, write(replay, record, len));
	ASSERT_EQ((ssize_t)sizeof(secret), ktls_recv_record(rx, &type, plain, sizeof(plain)));
	EXPECT_EQ(0, memcmp(plain, secret, sizeof(secret)));
	close(replay);
	close(rx);

	errors_before = ktls_stat("TlsDecryptError");
	ASSERT_LE(0, errors_before);
	record[len - 1] ^= 0x01;
	ASSERT_EQ(0, ktls_tcp_pair(&replay, &rx));
	ASSERT_EQ(0, ktls_install(rx, TLS_RX, &keys));
	ASSERT_EQ(len, write(replay, record, len));
	EXPECT_EQ(-1, recv(rx, plain, sizeof(plain), 0));
	EXPECT_EQ(EBADMSG, errno);
	errors_after = ktls_stat("TlsDecryptError");
	EXPECT_LT(errors_before, errors_after);

	close(replay);
	close(rx);
	close(tx);
	close(wire);
}

TEST_HARNESS_MAIN
