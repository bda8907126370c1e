// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "ktls_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* Odd sizes, so records and segments never line up with the writes. */
static const size_t chunk_sizes[] = {
	1, 3, 17, 511, 1000, 4103, 16383, 16385, 65537, 131071, 7, 262147,
};

static void fill_key(uint8_t *dst, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static void put_be64(uint8_t *dst, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		dst[i] = (uint8_t)v;
}

int ktls_test_keys(struct ktls_keys *keys, uint16_t cipher, uint8_t seed,
		   uint64_t seq)
{
	memset(keys, 0, sizeof(*keys));
	keys->info.version = TLS_1_2_VERSION;
	keys->info.cipher_type = cipher;
	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128:
		fill_key(keys->aes128.key, sizeof(keys->aes128.key), seed);
		fill_key(keys->aes128.salt, sizeof(keys->aes128.salt), seed + 100);
		put_be64(keys->aes128.iv, seq);
		put_be64(keys->aes128.rec_seq, seq);
		keys->len = sizeof(keys->aes128);
		return 0;
	case TLS_CIPHER_AES_GCM_256:
		fill_key(keys->aes256.key, sizeof(keys->aes256.key), seed);
		fill_key(keys->aes256.salt, sizeof(keys->aes256.salt), seed + 100);
		put_be64(keys->aes256.iv, seq);
		put_be64(keys->aes256.rec_seq, seq);
		keys->len = sizeof(keys->aes256);
		return 0;
	case TLS_CIPHER_CHACHA20_POLY1305:
		fill_key(keys->chacha.key, sizeof(keys->chacha.key), seed);
		fill_key(keys->chacha.iv, sizeof(keys->chacha.iv), seed + 100);
		put_be64(keys->chacha.rec_seq, seq);
		keys->len = sizeof(keys->chacha);
		return 0;
	}
	return -EINVAL;
}

int ktls_tcp_pair(int *client, int *server)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int lfd, cfd = -1, sfd = -1, err = 0;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len)) {
		err = -errno;
		goto out;
	}
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		goto out;
	}
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0) {
		err = -errno;
		goto out;
	}
	*client = cfd;
	*server = sfd;
	cfd = -1;
out:
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return err;
}

int ktls_install(int fd, int dir, const struct ktls_keys *keys)
{
	static const char ulp[] = "tls";
	char name[16] = "";
	socklen_t len = sizeof(name);

	/* The ULP is set once per socket; the second direction reuses it. */
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len) || strcmp(name, ulp)) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, sizeof(ulp)))
			return -errno;
	}
	if (setsockopt(fd, SOL_TLS, dir, &keys->info, keys->len))
		return -errno;
	return 0;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void ktls_pattern(void *buf, size_t len, uint32_t seed, size_t offset)
{
	uint8_t *out = buf;

	for (size_t i = 0; i < len; i++) {
		size_t pos = offset + i;
		uint64_t word = splitmix64(((uint64_t)seed << 40) ^ (pos / 8));

		out[i] = (uint8_t)(word >> (8 * (pos % 8)));
	}
}

static int send_chunks(int fd, size_t len, uint32_t seed)
{
	size_t max_chunk = 0, off = 0, turn = 0;
	uint8_t *buf;
	int err = 0;

	for (size_t i = 0; i < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); i++)
		if (chunk_sizes[i] > max_chunk)
			max_chunk = chunk_sizes[i];
	buf = malloc(max_chunk);
	if (!buf)
		return -ENOMEM;
	while (off < len) {
		size_t want = chunk_sizes[turn++ % (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))];
		size_t done = 0;

		if (want > len - off)
			want = len - off;
		ktls_pattern(buf, want, seed, off);
		while (done < want) {
			ssize_t n = send(fd, buf + done, want - done, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? -errno : -EIO;
				goto out;
			}
			done += (size_t)n;
		}
		off += want;
	}
out:
	free(buf);
	return err;
}

static int send_file(int fd, size_t len, uint32_t seed)
{
	uint8_t block[65536];
	off_t off = 0;
	size_t turn = 0;
	int mfd, err = 0;

	mfd = memfd_create("ktls-payload", 0);
	if (mfd < 0)
		return -errno;
	for (size_t pos = 0; pos < len; pos += sizeof(block)) {
		size_t n = len - pos < sizeof(block) ? len - pos : sizeof(block);

		ktls_pattern(block, n, seed, pos);
		if (write(mfd, block, n) != (ssize_t)n) {
			err = -EIO;
			goto out;
		}
	}
	while ((size_t)off < len) {
		size_t want = chunk_sizes[turn++ % (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))];
		ssize_t n;

		if (want > len - (size_t)off)
			want = len - (size_t)off;
		n = sendfile(fd, mfd, &off, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
	}
out:
	close(mfd);
	return err;
}

int ktls_send_payload(int fd, size_t len, uint32_t seed, int use_sendfile)
{
	return use_sendfile ? send_file(fd, len, seed) : send_chunks(fd, len, seed);
}

int ktls_recv_payload(int fd, size_t len, uint32_t seed, size_t *bad_offset)
{
	uint8_t got[65536], want[65536];
	size_t off = 0;

	while (off < len) {
		size_t room = len - off < sizeof(got) ? len - off : sizeof(got);
		ssize_t n = recv(fd, got, room, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		ktls_pattern(want, (size_t)n, seed, off);
		for (size_t i = 0; i < (size_t)n; i++) {
			if (got[i] != want[i]) {
				if (bad_offset)
					*bad_offset = off + i;
				return -EPROTO;
			}
		}
		off += (size_t)n;
	}
	return 0;
}

pid_t ktls_spawn_sender(int fd, size_t len, uint32_t seed, int use_sendfile)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(-ktls_send_payload(fd, len, seed, use_sendfile) & 0xff);
	return pid;
}

int ktls_wait_sender(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

ssize_t ktls_send_record(int fd, uint8_t type, const void *buf, size_t len)
{
	char control[CMSG_SPACE(sizeof(type))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(type));
	memcpy(CMSG_DATA(cmsg), &type, sizeof(type));
	n = sendmsg(fd, &msg, 0);
	return n < 0 ? -errno : n;
}

ssize_t ktls_recv_record(int fd, uint8_t *type, void *buf, size_t len)
{
	char control[CMSG_SPACE(sizeof(*type))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return -errno;
	*type = TLS_RECORD_APP_DATA;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_TLS &&
		    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cmsg);
	return n;
}

static int read_exact(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

ssize_t ktls_read_raw_record(int fd, uint8_t *buf, size_t size)
{
	size_t body;
	int err;

	if (size < 5)
		return -EMSGSIZE;
	err = read_exact(fd, buf, 5);
	if (err)
		return err;
	body = (size_t)buf[3] << 8 | buf[4];
	if (5 + body > size)
		return -EMSGSIZE;
	err = read_exact(fd, buf + 5, body);
	return err ? err : (ssize_t)(5 + body);
}

long long ktls_stat(const char *name)
{
	char key[64];
	long long value, found = -ENOENT;
	FILE *f = fopen("/proc/net/tls_stat", "r");

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %lld", key, &value) == 2) {
		if (!strcmp(key, name)) {
			found = value;
			break;
		}
	}
	fclose(f);
	return found;
}
