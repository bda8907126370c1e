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
#include "ktlsd_ktls.h"
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
		 "openssl req -x509 -newkey rsa:4096 -nodes "
		 "  -keyout rsa4096.key -out rsa4096.crt -days 2 -subj /CN=rsa4096.test 2>/dev/null && "
		 "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-other.key 2>/dev/null && "
		 "cat ec.crt rsa.crt >cas.pem && "
		 "for i in $(seq 40); do cat ec.crt; done >long-chain.pem", dir);
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
	ok(cfg.workers == config_online_cpus() && cfg.workers >= 1 &&
	   cfg.workers == (unsigned)sysconf(_SC_NPROCESSORS_ONLN),
	   "workers: one per online CPU by default (%u)", cfg.workers);
	ok(web && client && !config_profile(&cfg, "nope"), "profiles are found by name, and only those");
	ok(web && web->verify == VERIFY_OPTIONAL && web->suite_count == 2 &&
	   web->suites[0] == 0xcca9 && web->suites[1] == 0xc02b && !strcmp(web->alpn, "h2,http/1.1"),
	   "profile values are read, cipher order kept");
	ok(web && web->creds.chain_len == 1 && web->creds.key_type == BR_KEYTYPE_EC &&
	   web->creds.anchor_count == 2, "certificate, key and two trust anchors are loaded");
	ok(web && !web->server12_bearssl,
	   "client certificates asked for (verify = optional): TLS 1.2 server handshakes on our engine too");
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
	refused("[daemon]\nworkers = 0\n[profile a]\nverify = none\n", 2,
		"workers '0': expected auto or 1 to 256", "no workers");
	refused("[daemon]\n\nworkers = 257\n[profile a]\nverify = none\n", 3,
		"workers '257'", "more workers than allowed");
	refused("[daemon]\nworkers = many\n[profile a]\nverify = none\n", 2,
		"workers 'many'", "workers not a number");
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

/* Load @text, which must load, and return profile "a" (NULL, with a diagnostic, if not). */
static const struct profile *load_a(struct config *cfg, const char *text)
{
	if (config_load(cfg, write_conf(text)) < 0) {
		diag("%s", cfg->error);
		return NULL;
	}
	return config_profile(cfg, "a");
}

static int same_ids(const uint16_t *got, size_t got_count, const uint16_t *want, size_t want_count)
{
	return got_count == want_count && !memcmp(got, want, want_count * sizeof(*want));
}

/* min_version, max_version, ciphersuites, groups: defaults and what is accepted. */
static void test_tls13_good(void)
{
	static const char *const spellings[] = { "1.2", "TLSv1.2", "1.3", "TLSv1.3" };
	static const uint16_t all13[] = { 0x1301, 0x1302, 0x1303 };	/* RFC 8446 §B.4 */
	static const uint16_t all_groups[] = { 0x001d, 0x0017, 0x0018 };	/* RFC 8446 §4.2.7 */
	static const struct {
		const char *name;
		uint16_t id;
	} groups[] = {
		{ "X25519", 0x001d }, { "x25519", 0x001d }, { "P-256", 0x0017 }, { "prime256v1", 0x0017 },
		{ "secp256r1", 0x0017 }, { "P-384", 0x0018 }, { "secp384r1", 0x0018 },
	};
	struct config cfg;
	const struct profile *p;
	char text[256];

	p = load_a(&cfg, "[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && p->min_version == 0x0303 && p->max_version == 0x0304 && !p->min_version_line &&
	   !p->max_version_line, "default versions: 1.2 to 1.3");
	ok(p && same_ids(p->suites13, p->suite13_count, all13, 3),
	   "default ciphersuites: AES-128-GCM, AES-256-GCM, ChaCha20, in that order");
	ok(p && same_ids(p->groups, p->group_count, all_groups, 3), "default groups: X25519, P-256, P-384");
	ok(p && p->suite_count == 6, "default ciphers: all six, as before");
	if (p)
		config_free(&cfg);

	for (size_t i = 0; i < 4; i++) {
		uint16_t want = i < 2 ? 0x0303 : 0x0304;

		snprintf(text, sizeof(text), "[profile a]\nverify = none\nmin_version = %s\n" USER_NOBODY,
			 spellings[i]);
		p = load_a(&cfg, text);
		ok(p && p->min_version == want && p->max_version == 0x0304 && p->min_version_line == 3,
		   "min_version = %s is 0x%04x", spellings[i], want);
		if (p)
			config_free(&cfg);
		snprintf(text, sizeof(text), "[profile a]\nverify = none\nmax_version = %s\n" USER_NOBODY,
			 spellings[i]);
		p = load_a(&cfg, text);
		ok(p && p->max_version == want && p->min_version == 0x0303 && p->max_version_line == 3,
		   "max_version = %s is 0x%04x", spellings[i], want);
		if (p)
			config_free(&cfg);
	}

	p = load_a(&cfg, "[profile a]\nverify = none\nmin_version = 1.3\n" USER_NOBODY);
	ok(p && p->suite_count == 0 && p->suite13_count == 3,
	   "min_version = 1.3: no TLS 1.2 suite is kept, the TLS 1.3 ones are");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nmax_version = 1.2\n"
		   "ciphersuites = TLS_AES_128_GCM_SHA256\n" USER_NOBODY);
	ok(p && p->suite13_count == 0 && p->suite_count == 6,
	   "max_version = 1.2 with a ciphersuites line loads; no TLS 1.3 suite is kept");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nmax_version = 1.2\nciphersuites =\n" USER_NOBODY);
	ok(p && p->suite13_count == 0, "max_version = 1.2: an empty ciphersuites is unused, not an error");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nmin_version = 1.3\nciphers =\n" USER_NOBODY);
	ok(p && p->suite_count == 0, "min_version = 1.3: an empty ciphers is unused, not an error");
	if (p)
		config_free(&cfg);

	p = load_a(&cfg, "[profile a]\nverify = none\n"
		   "ciphersuites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256\n" USER_NOBODY);
	ok(p && p->suite13_count == 2 && p->suites13[0] == 0x1303 && p->suites13[1] == 0x1301 &&
	   p->ciphersuites_line == 3, "ciphersuites: colon-separated, order kept");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\n"
		   "ciphersuites = TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384\n"
		   USER_NOBODY);
	ok(p && p->suite13_count == 2 && p->suites13[0] == 0x1302 && p->suites13[1] == 0x1301,
	   "ciphersuites: comma-separated; a duplicate is ignored and keeps its first place");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nciphersuites =\n"
		   "ciphersuites = TLS_AES_256_GCM_SHA384\n" USER_NOBODY);
	ok(p && p->suite13_count == 1 && p->suites13[0] == 0x1302 && p->ciphersuites_line == 4,
	   "ciphersuites given again replaces the list before it");
	if (p)
		config_free(&cfg);

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		snprintf(text, sizeof(text), "[profile a]\nverify = none\ngroups = %s\n" USER_NOBODY,
			 groups[i].name);
		p = load_a(&cfg, text);
		ok(p && p->group_count == 1 && p->groups[0] == groups[i].id && p->groups_line == 3,
		   "groups = %s is 0x%04x", groups[i].name, groups[i].id);
		if (p)
			config_free(&cfg);
	}
	p = load_a(&cfg, "[profile a]\nverify = none\ngroups = P-384:X25519, prime256v1:secp384r1:P-256\n"
		   USER_NOBODY);
	ok(p && p->group_count == 3 && p->groups[0] == 0x0018 && p->groups[1] == 0x001d &&
	   p->groups[2] == 0x0017, "groups: order kept; a group named again by an alias is ignored");
	if (p)
		config_free(&cfg);

	ok(!strcmp(ktlsd_suite_by_id(0x1301)->name, "TLS_AES_128_GCM_SHA256") &&
	   !strcmp(ktlsd_suite_by_id(0x1303)->name, "TLS_CHACHA20_POLY1305_SHA256") &&
	   ktlsd_suite_by_id(0x1302)->version == 0x0304 && ktlsd_suite_by_id(0xc02b)->version == 0x0303,
	   "the TLS 1.3 suites by their OpenSSL names and version, apart from TLS 1.2's");
	ok(!strcmp(config_group_name(0x001d), "X25519") && !strcmp(config_group_name(0x0017), "P-256") &&
	   !strcmp(config_group_name(0x0018), "P-384") && !config_group_name(0x0019),
	   "config_group_name gives the man page's names, NULL for P-521");
}

static void test_tls13_errors(void)
{
	refused("[profile a]\nverify = none\nmin_version = 1.1\n", 3,
		"min_version '1.1': expected 1.2 or 1.3 (or TLSv1.2, TLSv1.3)", "min_version = 1.1");
	refused("[profile a]\nverify = none\n\nmax_version = TLSv1.0\n", 4,
		"max_version 'TLSv1.0': expected 1.2 or 1.3", "max_version = TLSv1.0");
	refused("[profile a]\nverify = none\nmin_version = tlsv1.3\n", 3,
		"min_version 'tlsv1.3'", "a version in another case");
	refused("[profile a]\nverify = none\nmin_version = TLSv1.3\nmax_version = 1.2\n", 3,
		"profile 'a': min_version 1.3 is above max_version 1.2 (line 4)",
		"min_version above max_version, at min_version's line");
	refused("[profile a]\nmax_version = TLSv1.2\nverify = none\nmin_version = 1.3\n", 4,
		"min_version 1.3 is above max_version 1.2 (line 2)", "... also when max_version comes first");
	refused("[profile a]\nverify = none\nciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256\n", 3,
		"ciphersuite 'TLS_AES_128_CCM_SHA256' is not a TLS 1.3 suite ktlsd knows", "an unknown ciphersuite");
	refused("[profile a]\nverify = none\nciphersuites = tls_aes_128_gcm_sha256\n", 3,
		"ciphersuite 'tls_aes_128_gcm_sha256' is not", "a ciphersuite in another case");
	refused("[profile a]\nverify = none\nciphersuites = TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256\n", 3,
		"ciphersuite 'ECDHE-RSA-AES128-GCM-SHA256' is a TLS 1.2 suite: it belongs in ciphers",
		"a TLS 1.2 suite in ciphersuites");
	refused("[profile a]\nverify = none\n\nciphers = ECDHE-RSA-AES128-GCM-SHA256,TLS_AES_256_GCM_SHA384\n", 4,
		"cipher 'TLS_AES_256_GCM_SHA384' is a TLS 1.3 suite: it belongs in ciphersuites",
		"a TLS 1.3 suite in ciphers");
	refused("[profile a]\nverify = none\ngroups = X25519:X448\n", 3,
		"group 'X448' is not one ktlsd knows", "an unknown group");
	refused("[profile a]\nverify = none\ngroups = p-256\n", 3, "group 'p-256' is not", "a group in another case");
	refused("[profile a]\nverify = none\ngroups = X25519, ,P-256\n", 3, "empty item in list",
		"an empty item in groups");
	/* Fail closed: a list emptied on purpose never falls back to the defaults. */
	refused("[profile a]\nverify = none\nciphersuites =\n", 3,
		"profile 'a': ciphersuites names no suite, but max_version 1.3 allows TLS 1.3",
		"an empty ciphersuites, with TLS 1.3 allowed by default");
	refused("[profile a]\nverify = none\nciphersuites = ,\nmin_version = 1.3\n", 3,
		"ciphersuites names no suite", "an empty ciphersuites on a TLS 1.3-only profile");
	refused("[profile a]\nverify = none\nciphers =\n", 3,
		"profile 'a': ciphers names no suite, but min_version 1.2 allows TLS 1.2",
		"an empty ciphers, with TLS 1.2 allowed by default");
	refused("[profile a]\nverify = none\nciphers = :\nmax_version = 1.2\n", 3,
		"ciphers names no suite", "an empty ciphers on a TLS 1.2-only profile");
	refused("[profile a]\nverify = none\ngroups =\nmax_version = 1.2\n", 3,
		"profile 'a': groups names no group", "an empty groups");
}

/* Session tickets: on by default per profile; their lifetime is the daemon's. */
static void test_tickets(void)
{
	struct config cfg;
	const struct profile *p;

	p = load_a(&cfg, "[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && p->session_tickets == 1 && cfg.ticket_lifetime_ms == 2 * 3600 * 1000,
	   "default: tickets on, lifetime 2h");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nsession_tickets = no\n"
		   "[daemon]\nuser = nobody\nticket_lifetime = 90s\n");
	ok(p && p->session_tickets == 0 && cfg.ticket_lifetime_ms == 90000,
	   "session_tickets = no, ticket_lifetime = 90s");
	if (p)
		config_free(&cfg);
	refused("[profile a]\nverify = none\nsession_tickets = maybe\n", 3,
		"session_tickets 'maybe': expected yes or no", "session_tickets neither yes nor no");
	refused("[daemon]\nticket_lifetime = 500ms\n[profile a]\nverify = none\n", 2,
		"ticket_lifetime '500ms': expected a duration from 1s to 24h", "a ticket lifetime under 1s");
	refused("[daemon]\nticket_lifetime = 25h\n[profile a]\nverify = none\n", 2,
		"ticket_lifetime '25h'", "a ticket lifetime over 24h");

	p = load_a(&cfg, "[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && p->ticket_wait_ms == 0, "default ticket_wait: auto (0)");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nticket_wait = 50ms\n" USER_NOBODY);
	ok(p && p->ticket_wait_ms == 50, "ticket_wait = 50ms");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nticket_wait = 60s\n" USER_NOBODY);
	ok(p && p->ticket_wait_ms == 60000, "ticket_wait = 60s, the longest");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nticket_wait = 50ms\nticket_wait = auto\n" USER_NOBODY);
	ok(p && p->ticket_wait_ms == 0, "ticket_wait = auto again: 0");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && p->session_cache == 1, "session_cache: yes by default");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\nsession_cache = no\n" USER_NOBODY);
	ok(p && p->session_cache == 0 && p->session_tickets == 1, "session_cache = no, tickets still on");
	if (p)
		config_free(&cfg);
	refused("[profile a]\nverify = none\nsession_cache = maybe\n", 3,
		"session_cache 'maybe': expected yes or no", "session_cache neither yes nor no");
	p = load_a(&cfg, "[daemon]\nworkers = 3\n[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && cfg.workers == 3, "workers = 3");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[daemon]\nworkers = 3\nworkers = auto\n[profile a]\nverify = none\n" USER_NOBODY);
	ok(p && cfg.workers == config_online_cpus(), "workers = auto: one per online CPU");
	if (p)
		config_free(&cfg);
	refused("[profile a]\nverify = none\nticket_wait = 0ms\n", 3,
		"ticket_wait '0ms': expected auto or a duration up to 60s", "a ticket wait of 0");
	refused("[profile a]\nverify = none\nticket_wait = 61s\n", 3,
		"ticket_wait '61s'", "a ticket wait over 60s");
	refused("[profile a]\nverify = none\nticket_wait = soon\n", 3,
		"ticket_wait 'soon'", "a ticket wait that is not a duration");
}

/* An RSA key must be its certificate's, 4096-bit ones included. */
static void test_rsa_pairs(void)
{
	struct config cfg;
	const struct profile *p;

	p = load_a(&cfg, "[profile a]\nverify = none\ncert = %s/rsa4096.crt\nkey = %s/rsa4096.key\n"
		   USER_NOBODY);
	ok(p && p->creds.key_type == BR_KEYTYPE_RSA, "an RSA-4096 certificate with its key loads");
	if (p)
		config_free(&cfg);
	refused("[profile a]\ncert = %s/rsa.crt\nkey = %s/rsa-other.key\n", 3,
		"the key does not match the certificate", "another RSA-2048 key than the certificate's");
	refused("[profile a]\ncert = %s/rsa.crt\nkey = %s/rsa4096.key\n", 3,
		"the key does not match the certificate", "an RSA-4096 key with an RSA-2048 certificate");
}

/* A chain too long for our TLS 1.3 flight: refused, unless 1.3 is off. */
static void test_long_chain(void)
{
	struct config cfg;
	const struct profile *p;

	refused("[profile a]\nverify = none\ncert = %s/long-chain.pem\nkey = %s/ec.key\n", 3,
		"does not fit a TLS 1.3 flight", "a 40-certificate chain with TLS 1.3 allowed");
	p = load_a(&cfg, "[profile a]\nverify = none\ncert = %s/long-chain.pem\nkey = %s/ec.key\n"
		   "max_version = 1.2\n" USER_NOBODY);
	ok(p && p->creds.chain_len == 40 && p->server12_bearssl,
	   "... accepted for TLS 1.2 only, whose server handshakes then run on BearSSL's engine");
	if (p)
		config_free(&cfg);
	p = load_a(&cfg, "[profile a]\nverify = none\ncert = %s/ec.crt\nkey = %s/ec.key\n"
		   "max_version = 1.2\n" USER_NOBODY);
	ok(p && !p->server12_bearssl, "a chain that fits: TLS 1.2 server handshakes on our engine");
	if (p)
		config_free(&cfg);
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
	test_tls13_good();
	test_tls13_errors();
	test_tickets();
	test_long_chain();
	test_rsa_pairs();
	{
		struct config cfg;

		ok(config_load(&cfg, "/nonexistent/ktlsd.conf") < 0 &&
		   strstr(cfg.error, "/nonexistent/ktlsd.conf: No such file"), "a missing file is named");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	sh(cmd);
	return done();
}
