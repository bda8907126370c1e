// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_offload: kTLS with NIC offload (TLS_HW), on a ktls_nsim pair by
 * default or on a real NIC (see offload_env.h). Every test checks which
 * mode it actually got, from sock_diag, /proc/net/tls_stat and the
 * device's own counters: a silent fallback to software is a failure.
 *
 * Data flows from the local socket (TX on the local device) to the remote
 * one (RX on the remote device). KTLS_OFFLOAD_MIB sets the transfer size
 * (16 MiB by default, 256 in the full run; never less than 16).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "ktlsd_env.h"
#include "offload_env.h"

OFFLOAD_ENV_SUITE(env)
/* ktlsd, its PKI and profiles, for the end-to-end test. */
KTLSD_ENV_SUITE(tlsd)

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define SEED 0x0f
#define SMALL (1024 * 1024 + 333)

/* The counters the tests read, on the side where each lives. */
enum probe_id {
	TX_ENC_BYTES, TX_OOO, TX_RESYNC_BYTES, RX_DEC_BYTES, RX_ERR, RX_RESYNC_REQ,
	RX_RESYNC_OK, RX_REFUSED, F_DROPPED, F_DUPLICATED, F_REORDERED, F_CORRUPTED,
	TLS_TX_DEVICE, TLS_RX_DEVICE, TLS_DECRYPT_ERROR, TLS_RX_RESYNC, N_PROBES
};

static const struct probe {
	enum side side;
	const char *name;
	int tls_stat;		/* /proc/net/tls_stat, not ethtool -S */
} probes[N_PROBES] = {
	[TX_ENC_BYTES]		= { LOCAL, "tx_tls_encrypted_bytes", 0 },
	[TX_OOO]		= { LOCAL, "tx_tls_ooo", 0 },
	[TX_RESYNC_BYTES]	= { LOCAL, "tx_tls_resync_bytes", 0 },
	[RX_DEC_BYTES]		= { REMOTE, "rx_tls_decrypted_bytes", 0 },
	[RX_ERR]		= { REMOTE, "rx_tls_err", 0 },
	[RX_RESYNC_REQ]		= { REMOTE, "rx_tls_resync_req_pkt", 0 },
	[RX_RESYNC_OK]		= { REMOTE, "rx_tls_resync_res_ok", 0 },
	[RX_REFUSED]		= { REMOTE, "tls_ctx_refused", 0 },
	[F_DROPPED]		= { LOCAL, "fault_dropped", 0 },
	[F_DUPLICATED]		= { LOCAL, "fault_duplicated", 0 },
	[F_REORDERED]		= { LOCAL, "fault_reordered", 0 },
	[F_CORRUPTED]		= { LOCAL, "fault_corrupted", 0 },
	[TLS_TX_DEVICE]		= { LOCAL, "TlsTxDevice", 1 },
	[TLS_RX_DEVICE]		= { REMOTE, "TlsRxDevice", 1 },
	[TLS_DECRYPT_ERROR]	= { REMOTE, "TlsDecryptError", 1 },
	[TLS_RX_RESYNC]		= { REMOTE, "TlsRxDeviceResync", 1 },
};

struct snap {
	long long v[N_PROBES];
};

static void snap_take(struct snap *s)
{
	for (int i = 0; i < N_PROBES; i++)
		s->v[i] = probes[i].tls_stat ? env_tls_stat(&env, probes[i].side, probes[i].name)
					     : env_dev_stat(&env, probes[i].side, probes[i].name);
}

#define DELTA(id) (after.v[id] - before.v[id])

/* One kTLS connection across the devices. */
struct conn {
	int local, remote;
};

/*
 * Keys for local TX = remote RX: @version TLS_1_2_VERSION or TLS_1_3_VERSION;
 * from local port @lport to remote port @rport (0: any).
 */
static int conn_open_ports(struct conn *c, int family, int lport, int rport, uint16_t cipher,
			   uint16_t version)
{
	struct ktls_keys keys;
	int err;

	c->local = c->remote = -1;
	err = env_tcp_pair_ports(&env, family, lport, rport, &c->local, &c->remote);
	if (!err)
		err = ktls_test_keys(&keys, cipher, SEED, 0);
	keys.info.version = version;
	if (!err)
		err = ktls_install(c->local, TLS_TX, &keys);
	if (!err)
		err = ktls_install(c->remote, TLS_RX, &keys);
	return err;
}

static int conn_open(struct conn *c, int family, uint16_t cipher, uint16_t version)
{
	return conn_open_ports(c, family, 0, 0, cipher, version);
}

static void conn_close(struct conn *c)
{
	if (c->local >= 0)
		close(c->local);
	if (c->remote >= 0)
		close(c->remote);
	c->local = c->remote = -1;
}

/* Where each direction's crypto runs: local TX, remote RX. */
static int conn_modes(struct conn *c, enum ktlsd_mode *tx, enum ktlsd_mode *rx)
{
	enum ktlsd_mode unused;
	int err = env_modes(&env, LOCAL, c->local, tx, &unused);

	return err ? err : env_modes(&env, REMOTE, c->remote, &unused, rx);
}

/* Send @len bytes local → remote, check them byte for byte. 0 or -errno. */
static int transfer(struct conn *c, size_t len, uint32_t seed, int use_sendfile,
		    size_t *bad_offset)
{
	pid_t sender = ktls_spawn_sender(c->local, len, seed, use_sendfile);
	int err, sent;

	if (sender < 0)
		return sender;
	err = ktls_recv_payload(c->remote, len, seed, bad_offset);
	if (err) {
		/* Unblock a sender waiting for window we will never open. */
		shutdown(c->remote, SHUT_RDWR);
		kill(sender, SIGKILL);
	}
	sent = ktls_wait_sender(sender);
	return err ? err : sent;
}

/* Contexts of closed sockets go away asynchronously: wait for it, bounded. */
static int wait_no_contexts(void)
{
	char path[128];
	struct timespec now, until;

	if (!env.simulated)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += test_s(10);
	for (;;) {
		unsigned int tx = 1, rx = 1;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/ktls_nsim/%s/tx_ctx", env.dev[LOCAL]);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%u", &tx) != 1)
				tx = 1;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/sys/kernel/ktls_nsim/%s/rx_ctx", env.dev[REMOTE]);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%u", &rx) != 1)
				rx = 1;
			fclose(f);
		}
		if (!tx && !rx)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec ||
		    (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
			return -ETIMEDOUT;
		/* The kernel sends no event for it: look again shortly. */
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
}

static const char *mode_name(enum ktlsd_mode m)
{
	return m == KTLSD_MODE_HW ? "HW" : m == KTLSD_MODE_SW ? "SW" : "other";
}

#define ENV_READY()								\
	do {									\
		if (env.skip[0])						\
			SKIP(return, "%s", env.skip);				\
		ASSERT_TRUE(env.ready) TH_LOG("offload environment: %s", env.error); \
	} while (0)

/*
 * 6.1's harness runs the body even after a SKIP in setup; and it cannot
 * pick tests: KTLSD_TEST_ONLY=SUBSTRING does.
 */
#define RETURN_IF_SKIPPED()							\
	do {									\
		if (_metadata->skip)						\
			return;							\
		if (!ktlsd_test_selected(_metadata->name))			\
			SKIP(return, "not selected by KTLSD_TEST_ONLY");	\
	} while (0)

#define NEEDS_NSIM()								\
	do {									\
		if (!env.simulated)						\
			SKIP(return, "needs ktls_nsim's knobs");		\
	} while (0)

#define EXPECT_MODES(c, want_tx, want_rx)					\
	do {									\
		enum ktlsd_mode tx_, rx_;					\
		ASSERT_EQ(0, conn_modes(c, &tx_, &rx_));			\
		EXPECT_EQ(want_tx, tx_) TH_LOG("TX is %s", mode_name(tx_));	\
		EXPECT_EQ(want_rx, rx_) TH_LOG("RX is %s", mode_name(rx_));	\
	} while (0)

#define EXPECT_TRANSFER(c, len, seed, sf)					\
	do {									\
		size_t bad_ = 0;						\
		int err_ = transfer(c, len, seed, sf, &bad_);			\
		EXPECT_EQ(0, err_) TH_LOG("transfer: %s (first wrong byte at %zu)", \
					  strerror(-err_), bad_);		\
	} while (0)

/* Transfers in each combination of offloaded and software directions. */

FIXTURE(offload)
{
	struct conn c;
	struct snap before;
};

FIXTURE_VARIANT(offload)
{
	uint16_t cipher;
	int tx_hw, rx_hw;
};

#define OFFLOAD_VARIANT(name, cph, tx, rx) \
	FIXTURE_VARIANT_ADD(offload, name) { .cipher = cph, .tx_hw = tx, .rx_hw = rx }

OFFLOAD_VARIANT(aes128_tx_hw_rx_hw, TLS_CIPHER_AES_GCM_128, 1, 1);
OFFLOAD_VARIANT(aes128_tx_hw_rx_sw, TLS_CIPHER_AES_GCM_128, 1, 0);
OFFLOAD_VARIANT(aes128_tx_sw_rx_hw, TLS_CIPHER_AES_GCM_128, 0, 1);
OFFLOAD_VARIANT(aes256_tx_hw_rx_hw, TLS_CIPHER_AES_GCM_256, 1, 1);
OFFLOAD_VARIANT(aes256_tx_hw_rx_sw, TLS_CIPHER_AES_GCM_256, 1, 0);
OFFLOAD_VARIANT(aes256_tx_sw_rx_hw, TLS_CIPHER_AES_GCM_256, 0, 1);

FIXTURE_SETUP(offload)
{
	self->c.local = self->c.remote = -1;
	ENV_READY();
	ASSERT_EQ(0, wait_no_contexts());
	ASSERT_EQ(0, env_set_feature(&env, LOCAL, "tls-hw-tx-offload", variant->tx_hw));
	ASSERT_EQ(0, env_set_feature(&env, REMOTE, "tls-hw-rx-offload", variant->rx_hw));
	snap_take(&self->before);
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, variant->cipher, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, variant->tx_hw ? KTLSD_MODE_HW : KTLSD_MODE_SW,
		     variant->rx_hw ? KTLSD_MODE_HW : KTLSD_MODE_SW);
}

FIXTURE_TEARDOWN(offload)
{
	conn_close(&self->c);
	env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 1);
	env_set_feature(&env, REMOTE, "tls-hw-rx-offload", 1);
}

/* The device did the crypto it was given, and only that. */
static void check_device_work(struct __test_metadata *_metadata,
			      const FIXTURE_VARIANT(offload) *variant,
			      const struct snap *b, size_t len)
{
	struct snap after, before = *b;

	snap_take(&after);
	if (variant->tx_hw) {
		EXPECT_EQ(1, DELTA(TLS_TX_DEVICE));
		EXPECT_LE((long long)len, DELTA(TX_ENC_BYTES));
	} else {
		EXPECT_EQ(0, DELTA(TLS_TX_DEVICE));
		EXPECT_EQ(0, DELTA(TX_ENC_BYTES));
	}
	if (variant->rx_hw) {
		EXPECT_EQ(1, DELTA(TLS_RX_DEVICE));
		EXPECT_LE((long long)len, DELTA(RX_DEC_BYTES));
	} else {
		EXPECT_EQ(0, DELTA(TLS_RX_DEVICE));
		EXPECT_EQ(0, DELTA(RX_DEC_BYTES));
	}
	EXPECT_EQ(0, DELTA(RX_ERR));
	EXPECT_EQ(0, DELTA(TLS_DECRYPT_ERROR));
}

TEST_F_TIMEOUT(offload, send, 1800)
{
	RETURN_IF_SKIPPED();
	EXPECT_TRANSFER(&self->c, env.size, SEED, 0);
	check_device_work(_metadata, variant, &self->before, env.size);
}

TEST_F_TIMEOUT(offload, sendfile, 1800)
{
	RETURN_IF_SKIPPED();
	EXPECT_TRANSFER(&self->c, env.size, SEED, 1);
	check_device_work(_metadata, variant, &self->before, env.size);
}

/* Faults on the wire, offload both ways: the data stays right, resync ran. */

FIXTURE(faults)
{
	struct conn c;
	struct snap before;
};

FIXTURE_VARIANT(faults)
{
	const char *knob;
	unsigned int one_in;
	enum probe_id fault_counter;
	int resyncs;		/* the receive side must have resynced */
	int retransmits;	/* the transmit side must have replayed records */
	size_t record;		/* send in records of this size (0: the usual mix) */
	int portable;		/* ktls_nsim without the CPU's AES-GCM */
};

FIXTURE_VARIANT_ADD(faults, loss_1pct)
{
	.knob = "drop", .one_in = 100, .fault_counter = F_DROPPED,
	.resyncs = 1, .retransmits = 1,
};

/* Tiny records: record headers cross packet boundaries while resyncing. */
FIXTURE_VARIANT_ADD(faults, loss_tiny_records)
{
	.knob = "drop", .one_in = 20, .fault_counter = F_DROPPED,
	.resyncs = 1, .retransmits = 1, .record = 97,
};

/* The same without the CPU's AES-GCM: the portable stream and prefix replay. */
FIXTURE_VARIANT_ADD(faults, loss_portable_crypto)
{
	.knob = "drop", .one_in = 100, .fault_counter = F_DROPPED,
	.resyncs = 1, .retransmits = 1, .portable = 1,
};

FIXTURE_VARIANT_ADD(faults, duplication)
{
	.knob = "duplicate", .one_in = 50, .fault_counter = F_DUPLICATED,
};

FIXTURE_VARIANT_ADD(faults, reordering)
{
	.knob = "reorder", .one_in = 50, .fault_counter = F_REORDERED, .resyncs = 1,
};

FIXTURE_SETUP(faults)
{
	self->c.local = self->c.remote = -1;
	ENV_READY();
	NEEDS_NSIM();
	ASSERT_EQ(0, wait_no_contexts());
	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, "seed", 42));
	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, variant->knob, variant->one_in));
	if (variant->portable)
		ASSERT_EQ(0, env_run("echo 0 > /sys/module/ktls_nsim/parameters/simd"));
	snap_take(&self->before);
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
}

FIXTURE_TEARDOWN(faults)
{
	conn_close(&self->c);
	if (env.simulated)
		env_nsim_knob(&env, LOCAL, variant->knob, 0);
	if (variant->portable)
		env_run("echo 1 > /sys/module/ktls_nsim/parameters/simd");
}

/* Send @len bytes of payload @seed in @record-byte send()s, from a child. */
static pid_t spawn_record_sender(int fd, size_t len, uint32_t seed, size_t record)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	for (size_t off = 0; off < len;) {
		char buf[256];
		size_t n = len - off < record ? len - off : record;
		ssize_t sent;

		ktls_pattern(buf, n, seed, off);
		sent = send(fd, buf, n, 0);
		if (sent <= 0)
			_exit(1);
		off += (size_t)sent;
	}
	_exit(0);
}

TEST_F_TIMEOUT(faults, transfer, 1800)
{
	struct snap after, before;

	RETURN_IF_SKIPPED();
	if (variant->record) {
		size_t len = 2 * 1024 * 1024 + 11, bad = 0;
		pid_t sender = spawn_record_sender(self->c.local, len, SEED, variant->record);
		int status;

		ASSERT_LT(0, sender);
		EXPECT_EQ(0, ktls_recv_payload(self->c.remote, len, SEED, &bad))
			TH_LOG("first wrong byte at %zu", bad);
		ASSERT_EQ(sender, waitpid(sender, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		EXPECT_TRANSFER(&self->c, env.size, SEED, 0);
	}
	before = self->before;
	snap_take(&after);
	EXPECT_LT(0, DELTA(variant->fault_counter)) TH_LOG("no %s happened", variant->knob);
	EXPECT_EQ(0, DELTA(RX_ERR));
	EXPECT_EQ(0, DELTA(TLS_DECRYPT_ERROR));
	EXPECT_LT(0, DELTA(RX_DEC_BYTES));
	if (variant->resyncs) {
		EXPECT_LT(0, DELTA(RX_RESYNC_REQ));
		EXPECT_LT(0, DELTA(RX_RESYNC_OK));
		EXPECT_LT(0, DELTA(TLS_RX_RESYNC));
	}
	if (variant->retransmits) {
		EXPECT_LT(0, DELTA(TX_OOO));
		EXPECT_LT(0, DELTA(TX_RESYNC_BYTES));
	}
	TH_LOG("%s 1/%u: %lld faults, tx ooo %lld (%lld bytes replayed), rx resync %lld/%lld",
	       variant->knob, variant->one_in, DELTA(variant->fault_counter), DELTA(TX_OOO),
	       DELTA(TX_RESYNC_BYTES), DELTA(RX_RESYNC_REQ), DELTA(RX_RESYNC_OK));
}

/* One connection at a time, offload on both ways unless a test says otherwise. */

FIXTURE(single)
{
	struct conn c, c2;
	struct snap before;
};

FIXTURE_SETUP(single)
{
	self->c.local = self->c.remote = self->c2.local = self->c2.remote = -1;
	ENV_READY();
	ASSERT_EQ(0, wait_no_contexts());
	ASSERT_EQ(0, env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 1));
	ASSERT_EQ(0, env_set_feature(&env, REMOTE, "tls-hw-rx-offload", 1));
	snap_take(&self->before);
}

FIXTURE_TEARDOWN(single)
{
	conn_close(&self->c);
	conn_close(&self->c2);
	env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 1);
	env_set_feature(&env, REMOTE, "tls-hw-rx-offload", 1);
	if (env.simulated) {
		env_nsim_knob(&env, LOCAL, "corrupt", 0);
		env_nsim_knob(&env, LOCAL, "max_ctx", 1024);
		env_nsim_knob(&env, REMOTE, "max_ctx", 1024);
	}
}

/* Receive bytes [@from, @to) of payload @seed and compare them. */
static int recv_range(int fd, size_t from, size_t to, uint32_t seed)
{
	static char got[65536], want[65536];

	while (from < to) {
		size_t want_len = to - from < sizeof(got) ? to - from : sizeof(got);
		ssize_t n = recv(fd, got, want_len, 0);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		ktls_pattern(want, (size_t)n, seed, from);
		if (memcmp(got, want, (size_t)n))
			return -EPROTO;
		from += (size_t)n;
	}
	return 0;
}

/* A damaged record: the reader gets EBADMSG, the next connection is fine. */
TEST_F_TIMEOUT(single, corrupted_ciphertext, 600)
{
	struct snap after, before;
	size_t bad = 0;
	int err;

	RETURN_IF_SKIPPED();
	NEEDS_NSIM();
	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, "seed", 7));
	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, "corrupt", 5));
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	err = transfer(&self->c, SMALL, SEED, 0, &bad);
	EXPECT_EQ(-EBADMSG, err) TH_LOG("got %s (offset %zu)", strerror(-err), bad);

	before = self->before;
	snap_take(&after);
	EXPECT_LE(1, DELTA(F_CORRUPTED));
	EXPECT_LE(1, DELTA(RX_ERR));
	EXPECT_LE(1, DELTA(TLS_DECRYPT_ERROR));

	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, "corrupt", 0));
	ASSERT_EQ(0, conn_open(&self->c2, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c2, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_TRANSFER(&self->c2, SMALL, SEED, 0);
}

/* ethtool -K off between connections: the next one is SW; on again: HW. */
TEST_F_TIMEOUT(single, toggled_between_connections, 600)
{
	struct conn c3 = { -1, -1 };

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_TRANSFER(&self->c, SMALL, SEED, 0);

	ASSERT_EQ(0, env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 0));
	ASSERT_EQ(0, env_set_feature(&env, REMOTE, "tls-hw-rx-offload", 0));
	ASSERT_EQ(0, conn_open(&self->c2, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c2, KTLSD_MODE_SW, KTLSD_MODE_SW);
	EXPECT_TRANSFER(&self->c2, SMALL, SEED, 0);

	ASSERT_EQ(0, env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 1));
	ASSERT_EQ(0, env_set_feature(&env, REMOTE, "tls-hw-rx-offload", 1));
	ASSERT_EQ(0, conn_open(&c3, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&c3, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_TRANSFER(&c3, SMALL, SEED, 0);
	conn_close(&c3);
}

static unsigned int nsim_ctx_count(enum side side, const char *which)
{
	char path[128];
	unsigned int n = ~0u;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/ktls_nsim/%s/%s", env.dev[side], which);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = ~0u;
		fclose(f);
	}
	return n;
}

/*
 * Both devices down and up mid-transfer: the kernel takes the contexts
 * back, the socket goes on in software, and every byte arrives.
 */
TEST_F_TIMEOUT(single, device_down_mid_transfer, 900)
{
	size_t total = 4 * SMALL, half = total / 2;
	struct snap after, before;
	pid_t sender;

	RETURN_IF_SKIPPED();
	NEEDS_NSIM();	/* taking a real NIC down could cut us off */
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_256, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	sender = ktls_spawn_sender(self->c.local, total, SEED, 1);
	ASSERT_LT(0, sender);
	EXPECT_EQ(0, recv_range(self->c.remote, 0, half, SEED));

	EXPECT_EQ(0, env_run("ip link set %s down && ip -n %s link set %s down && "
			     "ip link set %s up && ip -n %s link set %s up",
			     env.dev[LOCAL], env.netns, env.dev[REMOTE],
			     env.dev[LOCAL], env.netns, env.dev[REMOTE]));
	EXPECT_EQ(0, nsim_ctx_count(LOCAL, "tx_ctx"));
	EXPECT_EQ(0, nsim_ctx_count(REMOTE, "rx_ctx"));
	snap_take(&before);

	EXPECT_EQ(0, recv_range(self->c.remote, half, total, SEED));
	EXPECT_EQ(0, ktls_wait_sender(sender));
	snap_take(&after);
	/* Nothing went through the device's crypto after it went down. */
	EXPECT_EQ(0, DELTA(TX_ENC_BYTES));
	EXPECT_EQ(0, DELTA(RX_DEC_BYTES));
}

/* Beyond max_ctx the device refuses, and those sockets work in software. */
TEST_F_TIMEOUT(single, over_max_ctx, 900)
{
	struct conn extra = { -1, -1 };
	struct snap after, before;

	RETURN_IF_SKIPPED();
	NEEDS_NSIM();
	ASSERT_EQ(0, env_nsim_knob(&env, LOCAL, "max_ctx", 2));
	ASSERT_EQ(0, env_nsim_knob(&env, REMOTE, "max_ctx", 2));
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	ASSERT_EQ(0, conn_open(&self->c2, AF_INET, TLS_CIPHER_AES_GCM_256, TLS_1_2_VERSION));
	ASSERT_EQ(0, conn_open(&extra, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_MODES(&self->c2, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_MODES(&extra, KTLSD_MODE_SW, KTLSD_MODE_SW);
	EXPECT_EQ(2, nsim_ctx_count(LOCAL, "tx_ctx"));
	EXPECT_EQ(2, nsim_ctx_count(REMOTE, "rx_ctx"));
	EXPECT_TRANSFER(&extra, SMALL, SEED, 0);
	EXPECT_TRANSFER(&self->c, SMALL, SEED, 0);
	EXPECT_TRANSFER(&self->c2, SMALL, SEED, 1);
	before = self->before;
	snap_take(&after);
	EXPECT_LE(1, DELTA(RX_REFUSED));
	conn_close(&extra);
}

/* What the device cannot carry, it refuses; the socket works in software. */
static void expect_software(struct __test_metadata *_metadata, struct conn *c,
			    int family, uint16_t cipher, uint16_t version)
{
	ASSERT_EQ(0, conn_open(c, family, cipher, version));
	EXPECT_MODES(c, KTLSD_MODE_SW, KTLSD_MODE_SW);
	EXPECT_TRANSFER(c, SMALL, SEED, 0);
}

TEST_F_TIMEOUT(single, chacha20_gets_software, 600)
{
	struct snap after, before;

	RETURN_IF_SKIPPED();
	expect_software(_metadata, &self->c, AF_INET, TLS_CIPHER_CHACHA20_POLY1305,
			TLS_1_2_VERSION);
	before = self->before;
	snap_take(&after);
	if (env.simulated)
		EXPECT_LE(1, DELTA(RX_REFUSED));	/* the core asked; we said no */
	EXPECT_EQ(0, DELTA(TX_ENC_BYTES));
	EXPECT_EQ(0, DELTA(RX_DEC_BYTES));
}

TEST_F_TIMEOUT(single, tls13_gets_software, 600)
{
	struct snap after, before;

	RETURN_IF_SKIPPED();
	expect_software(_metadata, &self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION);
	before = self->before;
	snap_take(&after);
	EXPECT_EQ(0, DELTA(TX_ENC_BYTES));
	EXPECT_EQ(0, DELTA(RX_DEC_BYTES));
}

TEST_F_TIMEOUT(single, ipv6_offload_both_ways, 900)
{
	struct snap after, before;

	RETURN_IF_SKIPPED();
	if (!env.addr_v6[LOCAL][0])
		SKIP(return, "no IPv6 addresses given");
	ASSERT_EQ(0, conn_open(&self->c, AF_INET6, TLS_CIPHER_AES_GCM_256, TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_TRANSFER(&self->c, SMALL, SEED, 1);
	before = self->before;
	snap_take(&after);
	EXPECT_LE((long long)SMALL, DELTA(TX_ENC_BYTES));
	EXPECT_LE((long long)SMALL, DELTA(RX_DEC_BYTES));
}

/*
 * Frames whose IP or TCP header lengths do not add up, aimed at an
 * offloaded flow at the very sequence number its receive side expects
 * next. The device must not take them for the flow's data: if it did, its
 * state would move past bytes that have not come yet, the next real
 * segment would look like a gap, and it would ask for a resync. The
 * stack drops these frames itself (bad lengths, bad TCP checksum, no ACK
 * flag), so only the device could be misled by them.
 */
enum bad_kind {
	BAD_IHL,	/* IPv4 header length 16: the "TCP header" overlaps it */
	BAD_DOFF_ZERO,	/* TCP data offset 0 */
	BAD_DOFF_SHORT,	/* TCP data offset 16 bytes */
	BAD_LEN_SHORT,	/* IP length ends at the TCP header: the rest is padding */
	BAD_LEN_LONG,	/* IP length beyond the frame */
};

static const struct bad_frame {
	int family;
	enum bad_kind kind;
	const char *name;
} bad_frames[] = {
	{ AF_INET, BAD_IHL, "IPv4 header length 16" },
	{ AF_INET, BAD_DOFF_ZERO, "IPv4, TCP data offset 0" },
	{ AF_INET, BAD_DOFF_SHORT, "IPv4, TCP data offset 16" },
	{ AF_INET, BAD_LEN_SHORT, "IPv4 total length without the payload" },
	{ AF_INET, BAD_LEN_LONG, "IPv4 total length beyond the frame" },
	{ AF_INET6, BAD_DOFF_ZERO, "IPv6, TCP data offset 0" },
	{ AF_INET6, BAD_DOFF_SHORT, "IPv6, TCP data offset 16" },
	{ AF_INET6, BAD_LEN_SHORT, "IPv6 payload length without the payload" },
	{ AF_INET6, BAD_LEN_LONG, "IPv6 payload length beyond the frame" },
};

#define BAD_PAYLOAD	64	/* zero bytes: never a record header */
#define BAD_CHUNK	(200 * 1024 + 7)

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static unsigned int ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * An Ethernet frame from the local to the remote address, ports @sport and
 * @dport, TCP sequence @seq, BAD_PAYLOAD zero bytes, malformed as @b says.
 * Its length, or 0 if the addresses do not parse.
 */
static size_t build_bad_frame(uint8_t *f, const struct bad_frame *b, int sport, int dport,
			      uint32_t seq)
{
	int v4 = b->family == AF_INET, af = b->family;
	size_t l3 = v4 ? 20 : 40, th, total, iplen;
	uint8_t *ip = f + ETH_HLEN;

	memset(f, 0, ETH_HLEN + l3 + 20 + BAD_PAYLOAD);
	memset(f, 0xff, ETH_ALEN);			/* broadcast */
	f[ETH_ALEN] = 0x02;				/* a local address */
	put16(f + 2 * ETH_ALEN, v4 ? ETH_P_IP : ETH_P_IPV6);
	/* BAD_IHL: the device would read the TCP header at 16, on the address. */
	th = b->kind == BAD_IHL ? 16 : l3;
	total = th + 20 + BAD_PAYLOAD;
	iplen = b->kind == BAD_LEN_SHORT ? th + 20 : b->kind == BAD_LEN_LONG ? total + 1000 : total;
	if (v4) {
		ip[0] = b->kind == BAD_IHL ? 0x44 : 0x45;
		put16(ip + 2, iplen);
		put16(ip + 6, 0x4000);			/* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		if (inet_pton(af, env.addr_v4[LOCAL], ip + 12) != 1 ||
		    inet_pton(af, env.addr_v4[REMOTE], ip + 16) != 1)
			return 0;
	} else {
		ip[0] = 0x60;
		put16(ip + 4, iplen - l3);
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		if (inet_pton(af, env.addr_v6[LOCAL], ip + 8) != 1 ||
		    inet_pton(af, env.addr_v6[REMOTE], ip + 24) != 1)
			return 0;
	}
	put16(ip + th, sport);
	put16(ip + th + 2, dport);
	put32(ip + th + 4, seq);
	ip[th + 12] = (b->kind == BAD_DOFF_ZERO ? 0 : b->kind == BAD_DOFF_SHORT ? 4 : 5) << 4;
	put16(ip + th + 14, 0xffff);			/* window; no flags, checksum 0 */
	if (v4)
		put16(ip + 10, ip_csum(ip, 20));
	return ETH_HLEN + total;
}

/* Send @frame out of the local device, as is. 0 or -errno. */
static int inject(const uint8_t *frame, size_t len, int family)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6),
		.sll_ifindex = (int)if_nametoindex(env.dev[LOCAL]),
		.sll_halen = ETH_ALEN,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

/* The next sequence number @fd expects (TCP_REPAIR, read only). 0 or -errno. */
static int rcv_nxt(int fd, uint32_t *seq)
{
	int on = TCP_REPAIR_ON, off = TCP_REPAIR_OFF_NO_WP, queue = TCP_RECV_QUEUE, err = 0;
	socklen_t len = sizeof(*seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)))
		return -errno;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &queue, sizeof(queue)) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &len))
		err = -errno;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) && !err)
		err = -errno;
	return err;
}

TEST_F_TIMEOUT(single, rx_ignores_malformed_headers, 900)
{
	uint8_t raddr[4], frame[256];
	struct snap after, before;
	int lport, rport;

	RETURN_IF_SKIPPED();
	NEEDS_NSIM();
	/*
	 * The ports are the remote IPv4 address (192.0.2.2: 49152 → 514), so
	 * that a TCP header read 4 bytes early, on the address, matches the flow.
	 */
	ASSERT_EQ(1, inet_pton(AF_INET, env.addr_v4[REMOTE], raddr));
	lport = raddr[0] << 8 | raddr[1];
	rport = raddr[2] << 8 | raddr[3];
	ASSERT_EQ(0, conn_open_ports(&self->c, AF_INET, lport, rport, TLS_CIPHER_AES_GCM_128,
				     TLS_1_2_VERSION));
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	if (env.addr_v6[LOCAL][0]) {
		ASSERT_EQ(0, conn_open_ports(&self->c2, AF_INET6, lport, rport,
					     TLS_CIPHER_AES_GCM_256, TLS_1_2_VERSION));
		EXPECT_MODES(&self->c2, KTLSD_MODE_HW, KTLSD_MODE_HW);
	}
	for (size_t i = 0; i < sizeof(bad_frames) / sizeof(bad_frames[0]); i++) {
		const struct bad_frame *b = &bad_frames[i];
		struct conn *c = b->family == AF_INET ? &self->c : &self->c2;
		uint32_t seq;
		size_t len;

		if (c->remote < 0)
			continue;
		/* Everything sent so far has arrived: the device waits for seq. */
		ASSERT_EQ(0, rcv_nxt(c->remote, &seq));
		len = build_bad_frame(frame, b, lport, rport, seq);
		ASSERT_LT(0, len);
		snap_take(&before);
		ASSERT_EQ(0, inject(frame, len, b->family)) TH_LOG("%s", b->name);
		EXPECT_TRANSFER(c, BAD_CHUNK, SEED, 0);
		snap_take(&after);
		EXPECT_EQ(0, DELTA(RX_RESYNC_REQ))
			TH_LOG("%s: taken for the flow's data (resync requested)", b->name);
		EXPECT_LE((long long)BAD_CHUNK, DELTA(RX_DEC_BYTES))
			TH_LOG("%s: the device stopped decrypting", b->name);
		EXPECT_EQ(0, DELTA(RX_ERR));
		EXPECT_EQ(0, DELTA(TLS_DECRYPT_ERROR));
	}
}

/*
 * Zerocopy sendfile (TLS_TX_ZEROCOPY_RO): the kernel hands the device the
 * file's own pages, not a copy; what arrives must still be right.
 */
TEST_F_TIMEOUT(single, zerocopy_sendfile, 900)
{
	struct snap after, before;
	socklen_t len = sizeof(int);
	int value = 0;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, conn_open(&self->c, AF_INET, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION));
	ASSERT_EQ(0, setsockopt(self->c.local, SOL_TLS, TLS_TX_ZEROCOPY_RO, &(int){ 1 },
				sizeof(int)));
	ASSERT_EQ(0, getsockopt(self->c.local, SOL_TLS, TLS_TX_ZEROCOPY_RO, &value, &len));
	EXPECT_EQ(1, value);
	EXPECT_MODES(&self->c, KTLSD_MODE_HW, KTLSD_MODE_HW);
	EXPECT_TRANSFER(&self->c, env.size, SEED, 1);
	before = self->before;
	snap_take(&after);
	EXPECT_LE((long long)env.size, DELTA(TX_ENC_BYTES));
	EXPECT_LE((long long)env.size, DELTA(RX_DEC_BYTES));
}

/*
 * End to end: ktlscat hands its accepted socket to ktlsd, which completes
 * the handshake with openssl s_client (in the remote namespace) and
 * installs the keys; the hand-off result must say HW both ways, and the
 * file must arrive intact through the device's crypto.
 */
TEST_F_TIMEOUT(single, daemon_hands_off_to_hardware, 1200)
{
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };
	char port[12], connect_to[96], ca[160], log[160];
	struct snap after, before;
	struct pair_result r;
	int p, rc;

	RETURN_IF_SKIPPED();
	ASSERT_TRUE(tlsd.ready) TH_LOG("ktlsd environment: %s", tlsd.error);
	p = free_port();
	ASSERT_LT(0, p);
	snprintf(port, sizeof(port), "%d", p);
	snprintf(connect_to, sizeof(connect_to), "%s:%d", env.addr_v4[LOCAL], p);
	env_path(&tlsd, ca, sizeof(ca), "ca.crt");
	env_path(&tlsd, log, sizeof(log), "offload-client.log");
	{
		const char *args[] = {
			tlsd.ktlscat, "-v", "-S", tlsd.sock, "-b", env.addr_v4[LOCAL],
			"-l", port, "-p", "srv-ec", "--once", "--sendfile", tlsd.payload_b, NULL,
		};
		memcpy(server.argv, args, sizeof(args));
	}
	{
		const char *args[] = {
			"ip", "netns", "exec", env.netns, "openssl", "s_client",
			"-connect", connect_to, "-servername", "localhost",
			"-verify_hostname", "localhost", "-verify_return_error", "-CAfile", ca,
			"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-quiet", NULL,
		};
		memcpy(client.argv, args, sizeof(args));
	}
	env_path(&tlsd, server.log, sizeof(server.log), "offload-server.log");
	snprintf(client.log, sizeof(client.log), "%s", log);

	/* The daemon serves the local side: data flows local → remote. */
	rc = run_pair(&server, p, &client, tlsd.size, PAYLOAD_B_SEED, test_s(600), &r);
	EXPECT_EQ(0, rc) TH_LOG("%s (first wrong byte at %zu)", r.why, r.bad_offset);
	EXPECT_TRUE(file_contains(server.log, "kTLS tx hw, rx hw"))
		TH_LOG("the hand-off did not report HW both ways: see %s", server.log);
	before = self->before;
	snap_take(&after);
	EXPECT_EQ(1, DELTA(TLS_TX_DEVICE));
	EXPECT_LE((long long)tlsd.size, DELTA(TX_ENC_BYTES));
	EXPECT_TRUE(ktlsd_env_daemon_alive(&tlsd));
}

TEST_HARNESS_MAIN
