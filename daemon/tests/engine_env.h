/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the engine tests (test_t13_engine, test_t12_client) share: a PKI
 * made with the openssl CLI in a mkdtemp folder, a ktlsd.conf written
 * there and loaded with config_load() as the daemon loads it, and our
 * client engine started from a profile exactly as handshake.c's
 * start_client13() starts it. Each test program is one process: the
 * helpers may be static. The includer defines _GNU_SOURCE before any
 * header (mkdtemp, explicit_bzero, getrandom).
 */
#ifndef KTLSD_TESTS_ENGINE_ENV_H
#define KTLSD_TESTS_ENGINE_ENV_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "config.h"
#include "verify.h"
#include "tls13/client.h"

/* The profiles' lines; %s stands for the PKI's folder (env_write_conf()). */
#define SERVER_EC	"cert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
#define SERVER_RSA	"cert = %s/server-rsa.crt\nkey = %s/server-rsa.key\n"
#define SERVER_ROGUE	"cert = %s/rogue.crt\nkey = %s/rogue.key\n"
#define ASK_CLIENT	"verify = required\nca = %s/ca.crt\n"
#define CLIENT_CERT	"cert = %s/client.crt\nkey = %s/client.key\n"
#define ROGUE_CERT	"cert = %s/rogue.crt\nkey = %s/rogue.key\n"

static inline int env_sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * The PKI in @dir: a P-256 CA; under it, server leaves for "localhost"
 * (P-256 and RSA-2048) and a P-256 client leaf ("ktlsd test client",
 * DNS client.test); a second CA nobody trusts, and a leaf for "localhost"
 * under it. Returns 0, or -1 if openssl failed.
 */
static inline int env_make_pki(const char *dir)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && exec 2>/dev/null && "
		 "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' >ca.ext && "
		 "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
		 "subjectAltName=DNS:localhost\\n' >server.ext && "
		 "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
		 "subjectAltName=DNS:client.test\\n' >client.ext && "
		 "for k in ca rogue-ca server-ec client rogue; do "
		 "  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key || exit 1; "
		 "done && "
		 "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server-rsa.key && "
		 "for c in ca rogue-ca; do "
		 "  openssl req -new -key $c.key -subj \"/CN=$c\" -out $c.csr && "
		 "  openssl x509 -req -in $c.csr -signkey $c.key -days 2 -extfile ca.ext -out $c.crt "
		 "  || exit 1; "
		 "done && "
		 "leaf() { openssl req -new -key $1.key -subj \"/CN=$2\" -out $1.csr && "
		 "  openssl x509 -req -in $1.csr -CA $3.crt -CAkey $3.key -set_serial $4 -days 2 "
		 "  -extfile $5.ext -out $1.crt; } && "
		 "leaf server-ec localhost ca 2 server && "
		 "leaf server-rsa localhost ca 3 server && "
		 "leaf client 'ktlsd test client' ca 4 client && "
		 "leaf rogue localhost rogue-ca 5 server", dir);
	return env_sh(cmd);
}

/* Remove @dir and all in it; -1 if that failed. */
static inline int env_remove_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return env_sh(cmd);
}

/*
 * Write @text as @dir/ktlsd.conf, each "%s" in it replaced by @dir; the
 * file's path goes to @path (@path_len bytes). Returns 0, or -1 (cannot
 * write).
 */
static inline int env_write_conf(const char *dir, const char *text, char *path, size_t path_len)
{
	FILE *f;

	snprintf(path, path_len, "%s/ktlsd.conf", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (const char *c = text; *c; c++) {
		if (c[0] == '%' && c[1] == 's') {
			fputs(dir, f);
			c++;
		} else {
			fputc(*c, f);
		}
	}
	return fclose(f) ? -1 : 0;
}

static inline void env_fill_seed(uint8_t seed[32])
{
	if (getrandom(seed, 32, 0) != 32)
		memset(seed, 0x5a, 32);
}

/*
 * Split the comma-separated ALPN list @list into @names (at most @max),
 * cut in @store, as handshake.c's parse_alpn() does. Returns the count.
 */
static inline size_t env_split_alpn(const char **names, size_t max, char *store, size_t store_len,
				    const char *list)
{
	size_t count = 0;
	char *save = NULL, *item;

	snprintf(store, store_len, "%s", list);
	for (item = strtok_r(store, ", ", &save); item && count < max;
	     item = strtok_r(NULL, ", ", &save))
		names[count++] = item;
	return count;
}

/*
 * handshake.c's start_client13() for @prof on @fd: the verifier (@v around
 * @minimal) on the profile's anchors, then our ClientHello for @sni
 * offering @alpn, with @opt's resumption options (NULL: none, as for a
 * profile without session tickets). Returns what t13_client_start()
 * returns.
 */
static inline int env_client_start_opt(struct t13_client *cl, struct t13_conn *conn,
				       br_x509_minimal_context *minimal, struct verifier *v,
				       const struct profile *prof, int fd, const char *sni,
				       const char *const *alpn, size_t alpn_count,
				       const struct t13_client_options *opt)
{
	uint8_t seed[32];
	int r;

	t13_conn_init(conn, fd);
	br_x509_minimal_init_full(minimal, prof->creds.anchors, prof->creds.anchor_count);
	verifier_init(v, minimal, prof->policy.server_auth);
	env_fill_seed(seed);
	r = t13_client_start(cl, conn, prof, v, sni, alpn, alpn_count, seed, opt);
	explicit_bzero(seed, sizeof(seed));
	return r;
}

/* env_client_start_opt() without resumption. */
static inline int env_client_start(struct t13_client *cl, struct t13_conn *conn,
				   br_x509_minimal_context *minimal, struct verifier *v,
				   const struct profile *prof, int fd, const char *sni,
				   const char *const *alpn, size_t alpn_count)
{
	return env_client_start_opt(cl, conn, minimal, v, prof, fd, sni, alpn, alpn_count, NULL);
}

/* 1 if @fd holds nothing to read now. */
static inline int env_socket_empty(int fd)
{
	uint8_t byte;
	ssize_t n = recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);

	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

#endif
