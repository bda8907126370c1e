// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_config: the configuration file, through config_load().
 *
 * Input: the file's text. Every "@DATA@" in it is replaced with the folder
 * of PEM files made at build time (fuzz_data_dir()), so a mutated config can
 * still name real certificates, keys and CAs: ca.crt, server-ec.crt/.key,
 * server-rsa.crt/.key, client.crt/.key, expired.crt, ... (see
 * kmod-tests/selftests/make-certs.sh). The text goes into a memfd and is
 * loaded as /proc/self/fd/N.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "ktlsd_ktls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *expand(const uint8_t *data, size_t size, size_t *out_len)
{
	const char *dir = fuzz_data_dir();
	size_t tok = strlen(FUZZ_DATA_TOKEN), dlen = strlen(dir), n = 0, count = 0;
	char *out;

	for (size_t i = 0; i + tok <= size; i++)
		if (!memcmp(data + i, FUZZ_DATA_TOKEN, tok))
			count++, i += tok - 1;
	out = malloc(size + count * dlen + 1);
	FUZZ_CHECK(out);
	for (size_t i = 0; i < size;) {
		if (i + tok <= size && !memcmp(data + i, FUZZ_DATA_TOKEN, tok)) {
			memcpy(out + n, dir, dlen);
			n += dlen;
			i += tok;
		} else {
			out[n++] = (char)data[i++];
		}
	}
	*out_len = n;
	return out;
}

static void check_profile(const struct config *cfg, const struct profile *p)
{
	static const gid_t groups[] = { 0, 1, 100, 65534 };

	FUZZ_CHECK(fuzz_bounded(p->name, sizeof(p->name)) && p->name[0]);
	FUZZ_CHECK(config_profile(cfg, p->name) == p);
	FUZZ_CHECK(p->suite_count >= 1 && p->suite_count <= CONFIG_MAX_SUITES);
	for (size_t i = 0; i < p->suite_count; i++)
		FUZZ_CHECK(ktlsd_suite_by_id(p->suites[i]));
	FUZZ_CHECK(p->uid_count <= CONFIG_MAX_IDS && p->gid_count <= CONFIG_MAX_IDS);
	FUZZ_CHECK(fuzz_bounded(p->alpn, sizeof(p->alpn)));
	FUZZ_CHECK(fuzz_bounded(p->cert_path, sizeof(p->cert_path)));
	FUZZ_CHECK(fuzz_bounded(p->key_path, sizeof(p->key_path)));
	FUZZ_CHECK(fuzz_bounded(p->ca_path, sizeof(p->ca_path)));
	FUZZ_CHECK(p->verify == VERIFY_NONE || p->verify == VERIFY_OPTIONAL ||
		   p->verify == VERIFY_REQUIRED);
	/* What handshake_start() relies on: a cert comes with its key. */
	FUZZ_CHECK(!p->cert_path[0] == !p->creds.chain_len);
	FUZZ_CHECK(!p->key_path[0] == !p->creds.key_type);
	FUZZ_CHECK(!p->ca_path[0] == !p->creds.anchor_count);
	for (size_t i = 0; i < p->creds.chain_len; i++)
		FUZZ_CHECK(p->creds.chain[i].data && p->creds.chain[i].data_len);
	profile_allows(p, 0, 0, NULL, 0);
	profile_allows(p, 1000, 1000, groups, sizeof(groups) / sizeof(groups[0]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = malloc(sizeof(*cfg));
	char path[64];
	size_t len;
	char *text = expand(data, size, &len);
	int fd = fuzz_memfd(text, len, path, sizeof(path));

	FUZZ_CHECK(cfg);
	free(text);
	if (config_load(cfg, path) == 0) {
		FUZZ_CHECK(cfg->profiles);
		FUZZ_CHECK(fuzz_bounded(cfg->socket_path, sizeof(cfg->socket_path)));
		FUZZ_CHECK(cfg->socket_path[0] == '/');
		FUZZ_CHECK(fuzz_bounded(cfg->control_path, sizeof(cfg->control_path)));
		FUZZ_CHECK(cfg->handshake_timeout_ms > 0 && cfg->max_handshakes > 0);
		for (const struct profile *p = cfg->profiles; p; p = p->next)
			check_profile(cfg, p);
		config_free(cfg);
	} else {
		/* "FILE:LINE: message", and nothing left allocated. */
		FUZZ_CHECK(fuzz_bounded(cfg->error, sizeof(cfg->error)));
		FUZZ_CHECK(!strncmp(cfg->error, path, strlen(path)));
		FUZZ_CHECK(!cfg->profiles);
	}
	free(cfg);
	close(fd);
	return 0;
}
