// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Peer names: DNS names through BearSSL, addresses through our own look at
 * the leaf's iPAddress entries, failing closed on anything else.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "san.h"
#include "tap.h"
#include "verify.h"

static char dir[] = "/tmp/ktlsd-test-verify.XXXXXX";

static int make_cert(const char *name, const char *cn, const char *san)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout %s.key -out %s.crt -days 2 -subj /CN=%s %s%s 2>/dev/null",
		 dir, name, name, cn, san ? "-addext subjectAltName=" : "", san ? san : "");
	return system(cmd) == 0 ? 0 : -1;
}

/* The verdict on the self-signed @name as its own anchor, reached as @server (DNS) or @ip. */
static int verdict(const char *name, const char *server, const char *ip, struct creds *out)
{
	struct creds c = { 0 };
	br_x509_minimal_context m;
	struct verifier v;
	char path[256], err[256];
	const br_x509_class **vt = &v.vtable;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	if (creds_load_anchors(&c, path, err, sizeof(err)) < 0 ||
	    creds_load_chain(&c, path, err, sizeof(err)) < 0)
		return -1000;
	br_x509_minimal_init_full(&m, c.anchors, c.anchor_count);
	verifier_init(&v, &m, VERIFY_REQUIRED);
	if (ip && verifier_expect_ip(&v, ip) < 0)
		return -1001;
	(*vt)->start_chain(vt, server);
	(*vt)->start_cert(vt, (uint32_t)c.chain[0].data_len);
	(*vt)->append(vt, c.chain[0].data, c.chain[0].data_len);
	(*vt)->end_cert(vt);
	rc = (int)(*vt)->end_chain(vt);
	if (out)
		*out = c;
	else
		creds_free(&c);
	return rc;
}

static void test_names(void)
{
	ok(verdict("dns", "localhost", NULL, NULL) == 0, "a DNS name in the SAN verifies");
	ok(verdict("dns", "other.test", NULL, NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "another DNS name does not");
	ok(verdict("cnonly", "cn.test", NULL, NULL) == 0, "the CN counts when there is no SAN");
	ok(verdict("dns", "cn.test", NULL, NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "the CN does not count beside a SAN");
	ok(verdict("wild", "a.w.test", NULL, NULL) == 0 &&
	   verdict("wild", "b.a.w.test", NULL, NULL) == BR_ERR_X509_BAD_SERVER_NAME &&
	   verdict("wild", "w.test", NULL, NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "a wildcard stands for exactly one label");
	ok(verdict("ip4", NULL, "192.0.2.7", NULL) == 0, "an IPv4 address in an iPAddress entry verifies");
	ok(verdict("ip4", NULL, "192.0.2.8", NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "another IPv4 address does not");
	ok(verdict("ip6", NULL, "2001:db8::1", NULL) == 0 &&
	   verdict("ip6", NULL, "2001:db8:0:0:0:0:0:1", NULL) == 0,
	   "an IPv6 address verifies, in any spelling");
	ok(verdict("ip6", NULL, "192.0.2.7", NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "an IPv4 address against a certificate naming only IPv6 does not");
	ok(verdict("dns", NULL, "127.0.0.1", NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "an address against a certificate with DNS names only does not");
	ok(verdict("cnip", NULL, "192.0.2.7", NULL) == BR_ERR_X509_BAD_SERVER_NAME,
	   "an address in the CN never counts");
}

/* Every truncation and a corrupted byte anywhere: never a match, never a crash. */
static void test_malformed(void)
{
	static const uint8_t ip[4] = { 192, 0, 2, 7 };
	struct creds c;
	int bad = 0, matched;

	if (verdict("ip4", NULL, "192.0.2.7", &c) != 0) {
		ok(0, "the IPv4 certificate loads");
		return;
	}
	matched = san_has_ip(c.chain[0].data, c.chain[0].data_len, ip, 4);
	for (size_t n = 0; n < c.chain[0].data_len; n++)
		bad += san_has_ip(c.chain[0].data, n, ip, 4) == 1;
	ok(matched == 1 && bad == 0, "no prefix of the certificate matches (%d did)", bad);
	bad = 0;
	for (size_t i = 0; i < c.chain[0].data_len; i++) {
		uint8_t *der = malloc(c.chain[0].data_len);

		memcpy(der, c.chain[0].data, c.chain[0].data_len);
		der[i] ^= 0x80;
		bad += san_has_ip(der, c.chain[0].data_len, ip, 4) < -1;
		free(der);
	}
	ok(bad == 0, "a flipped bit anywhere gives a verdict, never anything else");
	creds_free(&c);
	ok(verifier_expect_ip(&(struct verifier){ 0 }, "localhost") < 0, "a name is not an address");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir) || make_cert("dns", "cn.test", "DNS:localhost") < 0 ||
	    make_cert("cnonly", "cn.test", NULL) < 0 || make_cert("wild", "x", "DNS:*.w.test") < 0 ||
	    make_cert("ip4", "x", "DNS:a.test,IP:192.0.2.7") < 0 ||
	    make_cert("ip6", "x", "IP:2001:db8::1") < 0 || make_cert("cnip", "192.0.2.7", NULL) < 0) {
		ok(0, "test certificates are made with openssl");
		return done();
	}
	test_names();
	test_malformed();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}
