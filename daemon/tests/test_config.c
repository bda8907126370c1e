// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration: good files load with the values they say, and every
 * mistake is refused with FILE:LINE and a message that names it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static char dir[] = "/tmp/ktlsd-test-config.XXXXXX";
static char conf_path[256];

static int sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

static int make_credentials(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "  -keyout ec.key -out ec.crt -days 2 -subj /CN=ec.test 2>/dev/null && "
		 "openssl req -x509 -newkey rsa:2048 -nodes "
		 "  -keyout rsa.key -out rsa.crt -days 2 -subj /CN=rsa.test 2>/dev/null && "
		 "openssl pkey -in ec.key -out ec-sec1.key -traditional 2>/dev/null && "
		 "printf 'not pem\\n' >garbage.pem && "
		 "cat ec.crt rsa.crt >cas.pem", dir);
	return sh(cmd);
}

/* Write @text as the config file; %s in it stands for the test folder. */
static const char *write_conf(const char *text)
{
	FILE *f;

	snprintf(conf_path, sizeof(conf_path), "%s/ktlsd.conf", dir);
	f = fopen(conf_path, "w");
	if (!f)
		return NULL;
	for (const char *c = text; *c; c++) {
		if (c[0] == '%' && c[1] == 's') {
			fputs(dir, f);
			c++;
		} else {
			fputc(*c, f);
		}
	}
	fclose(f);
	return conf_path;
}

/* Loading @text fails with "FILE:@line: " followed by text containing @want. */
static void refused(const char *text, int line, const char *want, const char *name)
{
	struct config cfg;
	char prefix[300];
	int rc = config_load(&cfg, write_conf(text));

	snprintf(prefix, sizeof(prefix), "%s:%d: ", conf_path, line);
	if (!ok(rc < 0 && !strncmp(cfg.error, prefix, strlen(prefix)) && strstr(cfg.error, want),
		"refused at line %d: %s", line, name))
		diag("got rc %d, error '%s'; wanted '%s...%s'", rc, cfg.error, prefix, want);
	if (rc == 0)
		config_free(&cfg);
}

static void test_good(void)
{
	struct config cfg;
	const struct profile *web, *client;

	if (!ok(config_load(&cfg, write_conf(
		"; comment\n"
		"[daemon]\n"
		"socket = /run/test/ktlsd.sock\n"
		"handshake_timeout = 1500ms\n"
		"\n"
		"[profile web]\n"
		"cert = %s/ec.crt\n"
		"key = %s/ec.key   ; inline comment\n"
		"ca = %s/cas.pem\n"
		"verify = optional\n"
		"ciphers = ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256\n"
		"alpn = h2,http/1.1\n"
		"allow_uid = 0, 1000\n"
		"allow_gid = root\n"
		"[profile client]\n"
		"ca = %s/cas.pem\n")) == 0, "a complete configuration loads")) {
		diag("%s", cfg.error);
		return;
	}
	web = config_profile(&cfg, "web");
	client = config_profile(&cfg, "client");
	ok(!strcmp(cfg.socket_path, "/run/test/ktlsd.sock") && cfg.handshake_timeout_ms == 1500,
	   "[daemon] values are read");
	ok(web && client && !config_profile(&cfg, "nope"), "profiles are found by name, and only those");
	ok(web && web->verify == VERIFY_OPTIONAL && web->suite_count == 2 &&
	   web->suites[0] == 0xcca9 && web->suites[1] == 0xc02b && !strcmp(web->alpn, "h2,http/1.1"),
	   "profile values are read, cipher order kept");
	ok(web && web->creds.chain_len == 1 && web->creds.key_type == BR_KEYTYPE_EC &&
	   web->creds.anchor_count == 2, "certificate, key and two trust anchors are loaded");
	ok(client && client->verify == VERIFY_REQUIRED && client->suite_count == 6 &&
	   !client->creds.key_type, "defaults: verify required, all six suites, no key");
	ok(web && profile_allows(web, 1000, 5, NULL, 0) && profile_allows(web, 7, 0, NULL, 0) &&
	   !profile_allows(web, 7, 7, NULL, 0), "allow_uid and allow_gid admit by uid or gid");
	{
		gid_t groups[] = { 3, 0 };

		ok(web && profile_allows(web, 7, 7, groups, 2), "a supplementary group is enough");
	}
	ok(client && profile_allows(client, 0, 0, NULL, 0) && !profile_allows(client, 1000, 1000, NULL, 0),
	   "a profile without allow_* admits root only");
	config_free(&cfg);

	ok(config_load(&cfg, write_conf("[profile r]\ncert = %s/rsa.crt\nkey = %s/rsa.key\nverify = none\n")) == 0 &&
	   config_profile(&cfg, "r")->creds.key_type == BR_KEYTYPE_RSA, "an RSA certificate and key load");
	config_free(&cfg);
	ok(config_load(&cfg, write_conf("[profile s]\ncert = %s/ec.crt\nkey = %s/ec-sec1.key\nverify = none\n")) == 0,
	   "an EC key in SEC1 (BEGIN EC PRIVATE KEY) form loads");
	config_free(&cfg);
}

static void test_errors(void)
{
	refused("[daemon]\nsocket = /x\nbogus = 1\n[profile a]\nverify = none\n", 3,
		"unknown key 'bogus' in [daemon]", "unknown key in [daemon]");
	refused("[daemon]\n[nonsense]\nx = 1\n", 2, "unknown section [nonsense]", "unknown section, at its header");
	refused("[profile a]\nverify = none\ncolour = blue\n", 3, "unknown key 'colour' in [profile a]",
		"unknown key in a profile");
	refused("[profile a]\n\nverify = maybe\n", 3, "verify 'maybe': expected none, optional or required",
		"bad verify value");
	refused("[daemon]\nhandshake_timeout = soon\n[profile a]\nverify = none\n", 2,
		"handshake_timeout 'soon'", "bad duration");
	refused("[daemon]\nsocket = relative.sock\n[profile a]\nverify = none\n", 2,
		"socket must be an absolute path", "relative socket path");
	refused("[profile a]\nverify = none\nciphers = ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA\n", 3,
		"cipher 'AES128-SHA' is not one kTLS can carry", "cipher kTLS cannot carry");
	refused("[profile a]\nverify = none\nallow_uid = 0,no-such-user-here\n", 3,
		"no such user 'no-such-user-here'", "unknown user");
	refused("[profile a]\nverify = none\nallow_gid = no-such-group-here\n", 3,
		"no such group 'no-such-group-here'", "unknown group");
	refused("[profile a]\nverify = none\n[profile a]\nverify = none\n", 3,
		"profile 'a' defined twice", "duplicate profile");
	refused("[profile bad/name]\nverify = none\n", 1, "profile name 'bad/name'", "bad profile name");
	refused("[profile a]\nverify = none\nthis line has no equals sign\n", 3, "syntax error",
		"syntax error");
	refused("x = 1\n", 1, "'x' outside any section", "key outside a section");
	refused("[daemon]\nsocket = /x\n", 2, "no [profile NAME] section", "no profile");
	refused("[profile a]\n\ncert = %s/ec.crt\nverify = none\n", 3, "cert and key go together",
		"cert without key");
	refused("\n[profile a]\nca = %s/missing.pem\n", 3, "missing.pem: No such file or directory",
		"missing CA file");
	refused("[profile a]\ncert = %s/garbage.pem\nkey = %s/ec.key\n", 2, "no PEM object",
		"certificate file that is not PEM");
	refused("[profile a]\ncert = %s/ec.crt\nkey = %s/rsa.key\n", 3, "the key does not match the certificate",
		"key of another certificate");
	refused("[profile a]\ncert = %s/ec.key\nkey = %s/ec.key\n", 2, "no CERTIFICATE in the file",
		"a key where the certificate should be");
	refused("[profile a]\ncert = %s/ec.crt\nkey = %s/ec.crt\n", 3, "no PRIVATE KEY in the file",
		"a certificate where the key should be");
	refused("[profile lonely]\nalpn = h2\n", 1, "no ca to verify peers with",
		"verify required without a ca");
}

static void test_durations(void)
{
	ok(config_parse_duration_ms("10s") == 10000 && config_parse_duration_ms("10") == 10000 &&
	   config_parse_duration_ms("250ms") == 250 && config_parse_duration_ms("2m") == 120000,
	   "durations: 10s, 10, 250ms, 2m");
	ok(config_parse_duration_ms("") < 0 && config_parse_duration_ms("-1s") < 0 &&
	   config_parse_duration_ms("5h") < 0 && config_parse_duration_ms("99999999999") < 0,
	   "malformed durations are refused");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir) || make_credentials() < 0) {
		ok(0, "test credentials are made with openssl");
		return done();
	}
	test_good();
	test_errors();
	test_durations();
	{
		struct config cfg;

		ok(config_load(&cfg, "/nonexistent/ktlsd.conf") < 0 &&
		   strstr(cfg.error, "/nonexistent/ktlsd.conf: No such file"), "a missing file is named");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	sh(cmd);
	return done();
}
