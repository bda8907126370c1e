// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration: good files load with the values they say, and every
 * mistake is refused with FILE:LINE and a message that names it.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

/*
 * The default user, ktlsd, need not exist where the tests run: files that
 * must load name nobody, at their end (no error's line moves).
 */
#define USER_NOBODY "[daemon]\nuser = nobody\n"

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
		"user = nobody\n"
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
	ok(!strcmp(cfg.socket_path, "/run/test/ktlsd.sock") && cfg.handshake_timeout_ms == 1500 &&
	   !strcmp(cfg.user, "nobody") && cfg.uid == 65534 && cfg.gid == 65534 && cfg.user_line == 5,
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

	ok(config_load(&cfg, write_conf("[profile r]\ncert = %s/rsa.crt\nkey = %s/rsa.key\nverify = none\n"
					USER_NOBODY)) == 0 &&
	   config_profile(&cfg, "r")->creds.key_type == BR_KEYTYPE_RSA, "an RSA certificate and key load");
	config_free(&cfg);
	ok(config_load(&cfg, write_conf("[profile s]\ncert = %s/ec.crt\nkey = %s/ec-sec1.key\nverify = none\n"
					USER_NOBODY)) == 0,
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
	refused("[profile lonely]\nalpn = h2\n", 1, "no ca to verify servers with",
		"a client profile without ca, verify required by default");
	/* The server-role policy that would authenticate nobody (issue 9, defect 5). */
	refused("[profile mtls]\ncert = %s/ec.crt\nkey = %s/ec.key\nverify = required\n", 4,
		"needs ca", "verify = required on a server profile without ca");
	refused("[profile mtls]\ncert = %s/ec.crt\nkey = %s/ec.key\n\nverify = optional\n", 5,
		"needs ca", "verify = optional on a server profile without ca");
	refused("[profile c]\nrole = client\nca = %s/cas.pem\nverify = optional\n", 4,
		"verify = optional is refused for the client role", "verify = optional for the client role");
	refused("[profile s]\nrole = server\nverify = none\n", 2, "role = server needs cert and key",
		"role = server without a certificate");
	refused("[profile c]\nrole = client\n", 2, "no ca to verify servers with",
		"role = client without ca");
	refused("[profile c]\nrole = sometimes\n", 2, "role 'sometimes'", "bad role value");
	refused("[daemon]\nmax_handshakes = 10\nmax_handshakes_per_uid = 11\n[profile a]\nverify = none\n", 3,
		"above max_handshakes", "a per-uid cap above the global one");
	refused("[daemon]\nrequest_timeout = 0\n[profile a]\nverify = none\n", 2,
		"request_timeout '0'", "a zero request timeout");
	refused("[daemon]\nhandshake_timeout = 30d\n[profile a]\nverify = none\n", 2,
		"handshake_timeout '30d'", "a timeout in days");
	refused("[daemon]\nhandshake_timeout = 25h\n[profile a]\nverify = none\n", 2,
		"from 1ms to 24h", "a timeout above 24 hours (epoll's int would go negative)");
}

/* Each profile's policy, resolved once per role at load (policy.h). */
static void test_policy(void)
{
	struct config cfg;
	const struct profile *p;

	if (!ok(config_load(&cfg, write_conf(
		"[profile web]\ncert = %s/ec.crt\nkey = %s/ec.key\n"
		"[profile mtls]\ncert = %s/ec.crt\nkey = %s/ec.key\nca = %s/cas.pem\nverify = required\n"
		"[profile opt]\ncert = %s/ec.crt\nkey = %s/ec.key\nca = %s/cas.pem\nverify = optional\n"
		"[profile out]\nca = %s/cas.pem\n"
		"[profile blind]\nverify = none\n" USER_NOBODY)) == 0,
		"policy: a configuration with every kind loads")) {
		diag("%s", cfg.error);
		return;
	}
	p = config_profile(&cfg, "web");
	ok(p && p->policy.serve && p->policy.client_auth == VERIFY_NONE && !p->policy.connect &&
	   strstr(p->policy.no_connect, "no ca"),
	   "cert and key, no verify, no ca: a server without client auth; not a client (no ca)");
	p = config_profile(&cfg, "mtls");
	ok(p && p->policy.serve && p->policy.client_auth == VERIFY_REQUIRED && p->policy.connect &&
	   p->policy.server_auth == VERIFY_REQUIRED, "verify = required with ca: required both ways");
	p = config_profile(&cfg, "opt");
	ok(p && p->policy.serve && p->policy.client_auth == VERIFY_OPTIONAL && !p->policy.connect &&
	   strstr(p->policy.no_connect, "optional"),
	   "verify = optional: optional client certificates; the client role is off");
	p = config_profile(&cfg, "out");
	ok(p && !p->policy.serve && p->policy.connect && p->policy.server_auth == VERIFY_REQUIRED,
	   "ca only: a verifying client, not a server");
	p = config_profile(&cfg, "blind");
	ok(p && !p->policy.serve && p->policy.connect && p->policy.server_auth == VERIFY_NONE,
	   "verify = none without ca: a client that verifies nothing, as asked");
	config_free(&cfg);
}

/* A path as long as the error buffer: the message is cut, never overflows. */
static void test_long_path(void)
{
	char path[900], cmd[1100];
	struct config cfg;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/", dir);
	while (strlen(path) < 700)
		strcat(path, "d123456789/");
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	sh(cmd);
	strcat(path, "ktlsd.conf");
	f = fopen(path, "w");
	if (f) {
		fputs("[daemon]\nbogus = 1\n", f);
		fclose(f);
	}
	rc = config_load(&cfg, path);
	ok(f && rc < 0 && strlen(cfg.error) < sizeof(cfg.error) && !strncmp(cfg.error, path, 100),
	   "an error in a file with a 700-byte path is reported, cut to fit");
}

/* [daemon] user: the account ktlsd becomes once its sockets are bound. */
static void test_user(void)
{
	struct config cfg;
	int rc;

	refused("[daemon]\nsocket = /x\nuser = no-such-user-ktlsd\n[profile a]\nverify = none\n", 3,
		"user 'no-such-user-ktlsd' does not exist", "a user that does not exist, at its line");
	rc = config_load(&cfg, write_conf("[daemon]\nuser = root\n[profile a]\nverify = none\n"));
	ok(rc == 0 && cfg.uid == 0 && cfg.gid == 0 && cfg.user_line == 2,
	   "user = root is allowed (ktlsd then keeps every privilege, and says so)");
	if (rc == 0)
		config_free(&cfg);
	rc = config_load(&cfg, write_conf("[daemon]\nuser = 65534\n[profile a]\nverify = none\n"));
	ok(rc == 0 && cfg.uid == 65534 && cfg.gid == 65534, "a uid with an account is a user too");
	if (rc == 0)
		config_free(&cfg);
	/* Not set: KTLSD_USER, which must exist; the message says what to do. */
	if (getpwnam(KTLSD_USER)) {
		rc = config_load(&cfg, write_conf("[profile a]\nverify = none\n"));
		ok(rc == 0 && !strcmp(cfg.user, KTLSD_USER) && cfg.user_line == 0,
		   "no user key: the default, %s, which exists here", KTLSD_USER);
		if (rc == 0)
			config_free(&cfg);
	} else {
		refused("; no user\n[daemon]\nsocket = /x\n[profile a]\nverify = none\n", 2,
			"user 'ktlsd' (the default of [daemon] user) does not exist: create it",
			"no user key and no ktlsd user: refused at [daemon]");
		refused("[profile a]\nverify = none\n", 1, "user 'ktlsd' (the default",
			"... or at line 1 without a [daemon] section");
	}
	refused("[daemon]\nuser = no-such-user-ktlsd\n[profile a]\nverify = nonsense\n", 2,
		"does not exist", "the first mistake is the one reported");
	refused("[profile a]\ncert = %s/nonexistent.crt\nkey = %s/ec.key\n", 2, "nonexistent.crt",
		"a missing default user comes after every other mistake");
}

static void test_durations(void)
{
	ok(config_parse_duration_ms("10s") == 10000 && config_parse_duration_ms("10") == 10000 &&
	   config_parse_duration_ms("250ms") == 250 && config_parse_duration_ms("2m") == 120000,
	   "durations: 10s, 10, 250ms, 2m");
	ok(config_parse_duration_ms("") < 0 && config_parse_duration_ms("-1s") < 0 &&
	   config_parse_duration_ms("5d") < 0 && config_parse_duration_ms("99999999999") < 0 &&
	   config_parse_duration_ms("86400000m") < 0 && config_parse_duration_ms("25h") < 0,
	   "malformed durations, and any above 24h, are refused");
	ok(config_parse_duration_ms("24h") == 86400000 && config_parse_duration_ms("1440m") == 86400000,
	   "24h is the longest duration");
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
	test_policy();
	test_long_path();
	test_user();
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
