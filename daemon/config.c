// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration file: parsed by inih through a reader that counts lines,
 * so every error, found while parsing or later while loading the files a
 * profile names, is reported as FILE:LINE.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "ktlsd_ktls.h"
#include "tls13/t13.h"

#define DEFAULT_TIMEOUT_MS	10000
#define DEFAULT_REQUEST_TIMEOUT_MS 1000
/* TLS 1.3 tickets: valid this long, and the key that seals them rotates as often. */
#define DEFAULT_TICKET_LIFETIME_MS (2 * 3600 * 1000)
#define DEFAULT_MAX_HANDSHAKES	4096
#define DEFAULT_MAX_PER_UID	1024
/* Longer than anyone waits for a handshake, short enough for epoll's int. */
#define MAX_DURATION_MS		(24LL * 3600 * 1000)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct named_id {
	const char *name;
	uint16_t id;
};

/*
 * Named groups: the name the man page uses first, then the aliases OpenSSL
 * accepts. Table order of first appearance is the default order.
 */
static const struct named_id groups_by_name[] = {
	{ "X25519", T13_GROUP_X25519 },
	{ "x25519", T13_GROUP_X25519 },
	{ "P-256", T13_GROUP_SECP256R1 },
	{ "prime256v1", T13_GROUP_SECP256R1 },
	{ "secp256r1", T13_GROUP_SECP256R1 },
	{ "P-384", T13_GROUP_SECP384R1 },
	{ "secp384r1", T13_GROUP_SECP384R1 },
};


struct parse_state {
	struct config *cfg;
	const char *path;
	FILE *file;
	int line;		/* of the line inih is handling */
	int section_line;	/* of the last [section] header read */
	char section[128];	/* the section of the last entry handled */
	int entered_line;	/* header line of that section */
	int daemon_line;	/* of the first [daemon] header, 0 if none */
	int failed;
	struct profile *current;
	struct profile **tail;
};

static int fail(struct parse_state *st, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st->failed)
		return 0;
	st->failed = 1;
	n = snprintf(st->cfg->error, sizeof(st->cfg->error), "%s:%d: ", st->path, line);
	/* A path as long as the buffer leaves no room: the message is cut. */
	if (n < 0 || (size_t)n >= sizeof(st->cfg->error) - 1)
		return 0;
	va_start(ap, fmt);
	vsnprintf(st->cfg->error + n, sizeof(st->cfg->error) - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

static char *counting_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *line = fgets(str, num, st->file);

	if (line) {
		const char *c = line;

		st->line++;
		while (isspace((unsigned char)*c))
			c++;
		if (*c == '[')
			st->section_line = st->line;
	}
	return line;
}

long long config_parse_duration_ms(const char *text)
{
	char *end;
	long long n;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || n > MAX_DURATION_MS)
		return -1;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		n *= 1000;
	else if (!strcmp(end, "m"))
		n *= 60000;
	else if (!strcmp(end, "h"))
		n *= 3600000;
	else
		return -1;
	return n > MAX_DURATION_MS ? -1 : n;
}

static int parse_unsigned(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* Split @value on commas into trimmed items; calls @each for every item. */
static int for_each_item(struct parse_state *st, const char *value,
			 int (*each)(struct parse_state *, const char *))
{
	char copy[1024], *save = NULL, *item;

	if (strlen(value) >= sizeof(copy))
		return fail(st, st->line, "value too long");
	strcpy(copy, value);
	for (item = strtok_r(copy, ",:", &save); item; item = strtok_r(NULL, ",:", &save)) {
		char *end;

		while (isspace((unsigned char)*item))
			item++;
		end = item + strlen(item);
		while (end > item && isspace((unsigned char)end[-1]))
			*--end = 0;
		if (!*item)
			return fail(st, st->line, "empty item in list");
		if (!each(st, item))
			return 0;
	}
	return 1;
}

static const struct named_id *find_by_name(const struct named_id *table, size_t count,
					   const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

static const char *find_by_id(const struct named_id *table, size_t count, uint16_t id)
{
	for (size_t i = 0; i < count; i++)
		if (table[i].id == id)
			return table[i].name;
	return NULL;
}

const char *config_group_name(uint16_t id)
{
	return find_by_id(groups_by_name, ARRAY_SIZE(groups_by_name), id);
}

/*
 * Append @id to @list unless it is there already: a name given twice (or a
 * group under two aliases) keeps its first place, as in ciphers. Returns 0
 * when the list is full, which only more ids than the tables hold could do.
 */
static int add_unique(uint16_t *list, size_t *count, size_t max, uint16_t id)
{
	for (size_t i = 0; i < *count; i++)
		if (list[i] == id)
			return 1;
	if (*count == max)
		return 0;
	list[(*count)++] = id;
	return 1;
}

static int add_suite(struct parse_state *st, const char *name)
{
	struct profile *p = st->current;
	const struct ktlsd_suite_info *info = ktlsd_suite_by_name(name);

	if (info && info->version != 0x0303)
		return fail(st, st->line, "cipher '%s' is a TLS 1.3 suite: it belongs in ciphersuites", name);
	if (!info)
		return fail(st, st->line, "cipher '%s' is not one kTLS can carry "
			    "(ECDHE-{ECDSA,RSA}-{AES128-GCM-SHA256,AES256-GCM-SHA384,CHACHA20-POLY1305})", name);
	for (size_t i = 0; i < p->suite_count; i++)
		if (p->suites[i] == info->suite)
			return 1;
	p->suites[p->suite_count++] = info->suite;
	return 1;
}

static int add_suite13(struct parse_state *st, const char *name)
{
	struct profile *p = st->current;
	const struct ktlsd_suite_info *suite = ktlsd_suite_by_name(name);

	if (suite && suite->version != T13_VERSION)
		return fail(st, st->line, "ciphersuite '%s' is a TLS 1.2 suite: it belongs in ciphers", name);
	if (!suite)
		return fail(st, st->line, "ciphersuite '%s' is not a TLS 1.3 suite ktlsd knows "
			    "(TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)", name);
	if (!add_unique(p->suites13, &p->suite13_count, CONFIG_MAX_SUITES13, suite->suite))
		return fail(st, st->line, "more than %d ciphersuites", CONFIG_MAX_SUITES13);
	return 1;
}

static int add_group(struct parse_state *st, const char *name)
{
	struct profile *p = st->current;
	const struct named_id *group = find_by_name(groups_by_name, ARRAY_SIZE(groups_by_name), name);

	if (!group)
		return fail(st, st->line, "group '%s' is not one ktlsd knows "
			    "(X25519, P-256 or prime256v1 or secp256r1, P-384 or secp384r1)", name);
	if (!add_unique(p->groups, &p->group_count, CONFIG_MAX_GROUPS, group->id))
		return fail(st, st->line, "more than %d groups", CONFIG_MAX_GROUPS);
	return 1;
}

/* "1.2" or "1.3", also as OpenSSL writes them ("TLSv1.3"): 0x0303 or 0x0304. */
static int parse_version(const char *text, uint16_t *version)
{
	if (!strncmp(text, "TLSv", 4))
		text += 4;
	if (!strcmp(text, "1.2"))
		*version = T12_VERSION;
	else if (!strcmp(text, "1.3"))
		*version = T13_VERSION;
	else
		return -1;
	return 0;
}

static const char *version_name(uint16_t version)
{
	return version == T13_VERSION ? "1.3" : "1.2";
}

static int set_version(struct parse_state *st, const char *key, uint16_t *version, int *line,
		       const char *value)
{
	if (parse_version(value, version) < 0)
		return fail(st, st->line, "%s '%s': expected 1.2 or 1.3 (or TLSv1.2, TLSv1.3)", key, value);
	*line = st->line;
	return 1;
}

static int add_uid(struct parse_state *st, const char *name)
{
	struct profile *p = st->current;
	unsigned long id;

	if (p->uid_count == CONFIG_MAX_IDS)
		return fail(st, st->line, "more than %d users", CONFIG_MAX_IDS);
	if (parse_unsigned(name, 0xfffffffeUL, &id) < 0) {
		struct passwd *pw = getpwnam(name);

		if (!pw)
			return fail(st, st->line, "no such user '%s'", name);
		id = pw->pw_uid;
	}
	p->allow_uid[p->uid_count++] = (uid_t)id;
	return 1;
}

static int add_gid(struct parse_state *st, const char *name)
{
	struct profile *p = st->current;
	unsigned long id;

	if (p->gid_count == CONFIG_MAX_IDS)
		return fail(st, st->line, "more than %d groups", CONFIG_MAX_IDS);
	if (parse_unsigned(name, 0xfffffffeUL, &id) < 0) {
		struct group *gr = getgrnam(name);

		if (!gr)
			return fail(st, st->line, "no such group '%s'", name);
		id = gr->gr_gid;
	}
	p->allow_gid[p->gid_count++] = (gid_t)id;
	return 1;
}

static int check_alpn_item(struct parse_state *st, const char *name)
{
	if (strlen(name) > 255)
		return fail(st, st->line, "ALPN protocol name longer than 255 bytes");
	return 1;
}

static int set_path(struct parse_state *st, char *dst, int *line, const char *value)
{
	if (!*value)
		return fail(st, st->line, "empty path");
	if (strlen(value) >= CONFIG_PATH_MAX)
		return fail(st, st->line, "path too long");
	strcpy(dst, value);
	*line = st->line;
	return 1;
}

/* @name (or a uid) as an existing account: its uid and primary gid. */
static int set_user(struct config *cfg, const char *name)
{
	unsigned long id;
	struct passwd *pw;

	if (!*name || strlen(name) >= sizeof(cfg->user))
		return -1;
	pw = getpwnam(name);
	if (!pw && parse_unsigned(name, 0xfffffffeUL, &id) == 0)
		pw = getpwuid((uid_t)id);
	if (!pw)
		return -1;
	snprintf(cfg->user, sizeof(cfg->user), "%s", name);
	cfg->uid = pw->pw_uid;
	cfg->gid = pw->pw_gid;
	return 0;
}

static int daemon_key(struct parse_state *st, const char *name, const char *value)
{
	struct config *cfg = st->cfg;
	unsigned long n;
	long long ms;

	if (!strcmp(name, "socket")) {
		if (value[0] != '/' || strlen(value) >= sizeof(cfg->socket_path))
			return fail(st, st->line, "socket must be an absolute path shorter than %zu bytes",
				    sizeof(cfg->socket_path));
		strcpy(cfg->socket_path, value);
		return 1;
	}
	if (!strcmp(name, "control_socket")) {
		cfg->control_path_given = 1;
		if (!strcmp(value, "none")) {
			cfg->control_path[0] = 0;
			return 1;
		}
		if (value[0] != '/' || strlen(value) >= sizeof(cfg->control_path))
			return fail(st, st->line, "control_socket must be 'none' or an absolute path shorter than %zu bytes",
				    sizeof(cfg->control_path));
		strcpy(cfg->control_path, value);
		return 1;
	}
	if (!strcmp(name, "control_group")) {
		struct group *gr;

		if (parse_unsigned(value, 0xfffffffeUL, &n) == 0) {
			cfg->control_gid = (gid_t)n;
		} else if ((gr = getgrnam(value))) {
			cfg->control_gid = gr->gr_gid;
		} else {
			return fail(st, st->line, "no such group '%s'", value);
		}
		cfg->control_gid_set = 1;
		return 1;
	}
	if (!strcmp(name, "ticket_lifetime")) {
		ms = config_parse_duration_ms(value);
		if (ms < 1000)
			return fail(st, st->line, "ticket_lifetime '%s': expected a duration from 1s to 24h, like 2h",
				    value);
		cfg->ticket_lifetime_ms = (unsigned)ms;
		return 1;
	}
	if (!strcmp(name, "handshake_timeout") || !strcmp(name, "request_timeout")) {
		ms = config_parse_duration_ms(value);
		if (ms <= 0)
			return fail(st, st->line, "%s '%s': expected a duration from 1ms to 24h, like 10s or 500ms",
				    name, value);
		*(name[0] == 'h' ? &cfg->handshake_timeout_ms : &cfg->request_timeout_ms) = (unsigned)ms;
		return 1;
	}
	if (!strcmp(name, "max_handshakes_per_uid")) {
		if (parse_unsigned(value, 1000000, &n) < 0 || n == 0)
			return fail(st, st->line, "max_handshakes_per_uid '%s': expected 1 to 1000000", value);
		cfg->max_per_uid = (unsigned)n;
		cfg->max_per_uid_line = st->line;
		return 1;
	}
	if (!strcmp(name, "user")) {
		if (set_user(cfg, value) < 0)
			return fail(st, st->line, "user '%s' does not exist (ktlsd runs as it once its "
				    "sockets are bound; 'root' keeps every privilege)", value);
		cfg->user_line = st->line;
		return 1;
	}
	if (!strcmp(name, "workers")) {
		if (!strcmp(value, "auto")) {
			cfg->workers = config_online_cpus();
			return 1;
		}
		if (parse_unsigned(value, CONFIG_MAX_WORKERS, &n) < 0 || n == 0)
			return fail(st, st->line, "workers '%s': expected auto or 1 to %d", value,
				    CONFIG_MAX_WORKERS);
		cfg->workers = (unsigned)n;
		return 1;
	}
	if (!strcmp(name, "max_handshakes")) {
		if (parse_unsigned(value, 1000000, &n) < 0 || n == 0)
			return fail(st, st->line, "max_handshakes '%s': expected 1 to 1000000", value);
		cfg->max_handshakes = (unsigned)n;
		return 1;
	}
	return fail(st, st->line, "unknown key '%s' in [daemon]", name);
}

static int profile_key(struct parse_state *st, const char *name, const char *value)
{
	struct profile *p = st->current;

	if (!strcmp(name, "cert"))
		return set_path(st, p->cert_path, &p->cert_line, value);
	if (!strcmp(name, "key"))
		return set_path(st, p->key_path, &p->key_line, value);
	if (!strcmp(name, "ca"))
		return set_path(st, p->ca_path, &p->ca_line, value);
	if (!strcmp(name, "verify")) {
		if (!strcmp(value, "none"))
			p->verify = VERIFY_NONE;
		else if (!strcmp(value, "optional"))
			p->verify = VERIFY_OPTIONAL;
		else if (!strcmp(value, "required"))
			p->verify = VERIFY_REQUIRED;
		else
			return fail(st, st->line, "verify '%s': expected none, optional or required", value);
		p->verify_line = st->line;
		return 1;
	}
	if (!strcmp(name, "role")) {
		if (!strcmp(value, "any"))
			p->role = PROFILE_ROLE_ANY;
		else if (!strcmp(value, "server"))
			p->role = PROFILE_ROLE_SERVER;
		else if (!strcmp(value, "client"))
			p->role = PROFILE_ROLE_CLIENT;
		else
			return fail(st, st->line, "role '%s': expected any, server or client", value);
		p->role_line = st->line;
		return 1;
	}
	if (!strcmp(name, "min_version"))
		return set_version(st, name, &p->min_version, &p->min_version_line, value);
	if (!strcmp(name, "max_version"))
		return set_version(st, name, &p->max_version, &p->max_version_line, value);
	/* A list given again replaces the one before, as a whole. */
	if (!strcmp(name, "ciphers")) {
		p->suite_count = 0;
		p->ciphers_line = st->line;
		return for_each_item(st, value, add_suite);
	}
	if (!strcmp(name, "ciphersuites")) {
		p->suite13_count = 0;
		p->ciphersuites_line = st->line;
		return for_each_item(st, value, add_suite13);
	}
	if (!strcmp(name, "groups")) {
		p->group_count = 0;
		p->groups_line = st->line;
		return for_each_item(st, value, add_group);
	}
	if (!strcmp(name, "alpn")) {
		if (strlen(value) >= sizeof(p->alpn))
			return fail(st, st->line, "alpn list longer than %zu bytes", sizeof(p->alpn) - 1);
		strcpy(p->alpn, value);
		return for_each_item(st, value, check_alpn_item);
	}
	if (!strcmp(name, "session_tickets") || !strcmp(name, "session_cache")) {
		int *flag = name[8] == 't' ? &p->session_tickets : &p->session_cache;

		if (!strcmp(value, "yes"))
			*flag = 1;
		else if (!strcmp(value, "no"))
			*flag = 0;
		else
			return fail(st, st->line, "%s '%s': expected yes or no", name, value);
		return 1;
	}
	if (!strcmp(name, "ticket_wait")) {
		long long ms = strcmp(value, "auto") ? config_parse_duration_ms(value) : 0;

		if (strcmp(value, "auto") && (ms < 1 || ms > 60000))
			return fail(st, st->line, "ticket_wait '%s': expected auto or a duration up to 60s, like 50ms",
				    value);
		p->ticket_wait_ms = (unsigned)ms;
		return 1;
	}
	if (!strcmp(name, "allow_uid"))
		return for_each_item(st, value, add_uid);
	if (!strcmp(name, "allow_gid"))
		return for_each_item(st, value, add_gid);
	return fail(st, st->line, "unknown key '%s' in [profile %s]", name, p->name);
}

unsigned config_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CONFIG_MAX_WORKERS ? CONFIG_MAX_WORKERS : (unsigned)n;
}

int profile_name_valid(const char *name)
{
	if (!*name || strlen(name) >= KTLSD_PROFILE_MAX)
		return 0;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("-_.", *name))
			return 0;
	return 1;
}

static int start_section(struct parse_state *st, const char *section)
{
	struct profile *p;

	strncpy(st->section, section, sizeof(st->section) - 1);
	st->entered_line = st->section_line;
	if (!strcmp(section, "daemon")) {
		if (!st->daemon_line)
			st->daemon_line = st->section_line;
		st->current = NULL;
		return 1;
	}
	if (strncmp(section, "profile ", 8))
		return fail(st, st->section_line, "unknown section [%s]: expected [daemon] or [profile NAME]", section);
	section += 8;
	if (!profile_name_valid(section))
		return fail(st, st->section_line, "profile name '%s': 1 to %d letters, digits, '-', '_' or '.'",
			    section, KTLSD_PROFILE_MAX - 1);
	if (config_profile(st->cfg, section))
		return fail(st, st->section_line, "profile '%s' defined twice", section);
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(st, st->section_line, "out of memory");
	strcpy(p->name, section);
	p->line = st->section_line;
	p->verify = VERIFY_REQUIRED;
	p->min_version = T12_VERSION;
	p->max_version = T13_VERSION;
	p->session_tickets = 1;
	p->session_cache = 1;
	*st->tail = p;
	st->tail = &p->next;
	st->current = p;
	return 1;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;

	if (st->failed)
		return 0;
	if (!name) {
		/* INI_CALL_HANDLER_ON_NEW_SECTION is off in Debian's inih. */
		return 1;
	}
	if (!*section)
		return fail(st, st->line, "'%s' outside any section", name);
	/* A new header, even one repeating the last name, starts a section. */
	if ((st->section_line != st->entered_line || strcmp(section, st->section)) &&
	    !start_section(st, section))
		return 0;
	return st->current ? profile_key(st, name, value) : daemon_key(st, name, value);
}

/* Every id of @table, first appearance each, in table order: a default list. */
static void fill_default(uint16_t *list, size_t *count, size_t max, const struct named_id *table,
			 size_t table_count)
{
	*count = 0;
	for (size_t i = 0; i < table_count; i++)
		add_unique(list, count, max, table[i].id);
}

/* All three TLS 1.3 suites, in libktlsd's order. */
static void fill_default_suites13(struct profile *p)
{
	size_t count;
	const struct ktlsd_suite_info *all = ktlsd_suites13(&count);

	p->suite13_count = 0;
	for (size_t i = 0; i < count; i++)
		add_unique(p->suites13, &p->suite13_count, CONFIG_MAX_SUITES13, all[i].suite);
}

static void fill_default_suites(struct profile *p)
{
	size_t count;
	const struct ktlsd_suite_info *all = ktlsd_suites(&count);

	p->suite_count = 0;
	for (size_t i = 0; i < count && i < CONFIG_MAX_SUITES; i++)
		p->suites[p->suite_count++] = all[i].suite;
}

/*
 * Resolve the versions and what each needs. Fail closed: a version the
 * profile allows with a suite list left empty on purpose is an error, not
 * the defaults; a list for a version left out is emptied, whatever it said,
 * so nothing reads suites for a version the profile refuses.
 */
/* What a chain takes in a TLS 1.3 Certificate message (RFC 8446 4.4.2). */
static size_t chain_bytes(const struct creds *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->chain_len; i++)
		n += 3 + c->chain[i].data_len + 2;
	return n;
}

static int finish_versions(struct parse_state *st, struct profile *p)
{
	int allows12 = p->min_version <= T12_VERSION;
	int allows13 = p->max_version >= T13_VERSION;

	if (p->min_version > p->max_version)
		return fail(st, p->min_version_line, "profile '%s': min_version %s is above max_version %s (line %d)",
			    p->name, version_name(p->min_version), version_name(p->max_version),
			    p->max_version_line);
	if (allows12 && p->ciphers_line && !p->suite_count)
		return fail(st, p->ciphers_line, "profile '%s': ciphers names no suite, but min_version %s "
			    "allows TLS 1.2: name one, or set min_version = 1.3",
			    p->name, version_name(p->min_version));
	if (allows13 && p->ciphersuites_line && !p->suite13_count)
		return fail(st, p->ciphersuites_line, "profile '%s': ciphersuites names no suite, but max_version %s "
			    "allows TLS 1.3: name one, or set max_version = 1.2",
			    p->name, version_name(p->max_version));
	if (p->groups_line && !p->group_count)
		return fail(st, p->groups_line, "profile '%s': groups names no group: no key exchange could succeed",
			    p->name);
	if (!allows12)
		p->suite_count = 0;
	else if (!p->ciphers_line)
		fill_default_suites(p);
	if (!allows13)
		p->suite13_count = 0;
	else if (!p->ciphersuites_line)
		fill_default_suites13(p);
	if (!p->groups_line)
		fill_default(p->groups, &p->group_count, CONFIG_MAX_GROUPS, groups_by_name,
			     ARRAY_SIZE(groups_by_name));
	return 1;
}

/* Load what a profile's paths name, and check the profile makes sense. */
static int finish_profile(struct parse_state *st, struct profile *p)
{
	struct policy_input in = {
		.role = p->role, .role_line = p->role_line,
		.verify = p->verify, .verify_line = p->verify_line,
		.has_cert_and_key = p->cert_path[0] && p->key_path[0],
		.has_ca = !!p->ca_path[0], .profile_line = p->line,
	};
	char err[512];
	int line;

	if (!finish_versions(st, p))
		return 0;
	if (!!p->cert_path[0] != !!p->key_path[0])
		return fail(st, p->cert_path[0] ? p->cert_line : p->key_line,
			    "profile '%s': cert and key go together", p->name);
	if (policy_resolve(&in, &p->policy, err, sizeof(err), &line) < 0)
		return fail(st, line, "profile '%s': %s", p->name, err);
	if (p->cert_path[0] && creds_load_chain(&p->creds, p->cert_path, err, sizeof(err)) < 0)
		return fail(st, p->cert_line, "%s", err);
	if (p->key_path[0] && creds_load_key(&p->creds, p->key_path, err, sizeof(err)) < 0)
		return fail(st, p->key_line, "%s", err);
	if (p->suite13_count && chain_bytes(&p->creds) > T13_MAX_CHAIN_BYTES)
		return fail(st, p->cert_line, "profile '%s': a certificate chain of %zu bytes does not fit "
			    "a TLS 1.3 flight (at most %d; or set max_version = 1.2)", p->name,
			    chain_bytes(&p->creds), T13_MAX_CHAIN_BYTES);
	if (p->ca_path[0] && creds_load_anchors(&p->creds, p->ca_path, err, sizeof(err)) < 0)
		return fail(st, p->ca_line, "%s", err);
	p->server12_bearssl = chain_bytes(&p->creds) > T13_MAX_CHAIN_BYTES;
	return 1;
}

/* ctl.sock beside the socket: /run/ktlsd/ctl.sock for the default one. */
static void default_control_path(struct parse_state *st)
{
	struct config *cfg = st->cfg;
	const char *slash = strrchr(cfg->socket_path, '/');
	int dir_len = (int)(slash - cfg->socket_path);

	if (dir_len + sizeof("/ctl.sock") > sizeof(cfg->control_path)) {
		fail(st, 0, "no room for ctl.sock beside socket %s: set control_socket", cfg->socket_path);
		return;
	}
	snprintf(cfg->control_path, sizeof(cfg->control_path), "%.*s/ctl.sock", dir_len,
		 cfg->socket_path);
}

int config_load(struct config *cfg, const char *path)
{
	struct parse_state st = { .cfg = cfg, .path = path };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", KTLSD_SOCKET_PATH);
	cfg->handshake_timeout_ms = DEFAULT_TIMEOUT_MS;
	cfg->request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
	cfg->ticket_lifetime_ms = DEFAULT_TICKET_LIFETIME_MS;
	cfg->max_handshakes = DEFAULT_MAX_HANDSHAKES;
	cfg->workers = config_online_cpus();
	st.tail = &cfg->profiles;
	st.file = fopen(path, "r");
	if (!st.file) {
		snprintf(cfg->error, sizeof(cfg->error), "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(counting_reader, &st, on_entry, &st);
	fclose(st.file);
	if (rc > 0 && !st.failed)
		fail(&st, rc, "syntax error: expected [section] or key = value");
	else if (rc < 0 && !st.failed)
		fail(&st, st.line, "out of memory");
	for (struct profile *p = cfg->profiles; p && !st.failed; p = p->next)
		finish_profile(&st, p);
	if (!st.failed && !cfg->control_path_given)
		default_control_path(&st);
	if (!st.failed && !cfg->profiles)
		fail(&st, st.line, "no [profile NAME] section");
	if (!st.failed && !cfg->max_per_uid)
		cfg->max_per_uid = cfg->max_handshakes < DEFAULT_MAX_PER_UID ?
				   cfg->max_handshakes : DEFAULT_MAX_PER_UID;
	if (!st.failed && cfg->max_per_uid > cfg->max_handshakes)
		fail(&st, cfg->max_per_uid_line, "max_handshakes_per_uid %u is above max_handshakes %u",
		     cfg->max_per_uid, cfg->max_handshakes);
	/* Last: a file with another mistake is reported for that one. */
	if (!st.failed && !cfg->user_line && set_user(cfg, KTLSD_USER) < 0)
		fail(&st, st.daemon_line ? st.daemon_line : 1,
		     "user '%s' (the default of [daemon] user) does not exist: create it "
		     "(make install does, or systemd-sysusers), or set user = in [daemon]", KTLSD_USER);
	if (st.failed) {
		char error[sizeof(cfg->error)];

		memcpy(error, cfg->error, sizeof(error));
		config_free(cfg);
		memcpy(cfg->error, error, sizeof(error));
		return -1;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	struct profile *p = cfg->profiles, *next;

	for (; p; p = next) {
		next = p->next;
		creds_free(&p->creds);
		free(p);
	}
	memset(cfg, 0, sizeof(*cfg));
}

const struct profile *config_profile(const struct config *cfg, const char *name)
{
	for (const struct profile *p = cfg->profiles; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int profile_allows(const struct profile *profile, uid_t uid, gid_t gid,
		   const gid_t *groups, size_t group_count)
{
	if (!profile->uid_count && !profile->gid_count)
		return uid == 0;
	for (size_t i = 0; i < profile->uid_count; i++)
		if (profile->allow_uid[i] == uid)
			return 1;
	for (size_t i = 0; i < profile->gid_count; i++) {
		if (profile->allow_gid[i] == gid)
			return 1;
		for (size_t j = 0; j < group_count; j++)
			if (profile->allow_gid[i] == groups[j])
				return 1;
	}
	return 0;
}
