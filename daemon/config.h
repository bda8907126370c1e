/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ktlsd's configuration: an INI file read with inih, checked whole. */
#ifndef KTLSD_CONFIG_H
#define KTLSD_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "creds.h"
#include "policy.h"
#include "ktlsd.h"

#define CONFIG_MAX_IDS		32
#define CONFIG_MAX_SUITES	8
#define CONFIG_MAX_SUITES13	4
#define CONFIG_MAX_GROUPS	4
#define CONFIG_PATH_MAX		4096

struct profile {
	char name[KTLSD_PROFILE_MAX];
	int line;			/* of its [profile NAME] header */
	char cert_path[CONFIG_PATH_MAX];
	int cert_line;
	char key_path[CONFIG_PATH_MAX];
	int key_line;
	char ca_path[CONFIG_PATH_MAX];
	int ca_line;
	enum verify_mode verify;	/* as written; resolved into policy */
	int verify_line;		/* 0: not set */
	enum profile_role role;
	int role_line;
	/*
	 * TLS versions, each 0x0303 (1.2) or 0x0304 (1.3), min <= max. Each
	 * suite list holds what its version uses, in order of preference, and
	 * is empty exactly when the profile's versions leave that one out.
	 */
	uint16_t min_version, max_version;
	int min_version_line, max_version_line;	/* 0: not set */
	uint16_t suites[CONFIG_MAX_SUITES];	/* TLS 1.2 (ciphers) */
	size_t suite_count;
	int ciphers_line;
	uint16_t suites13[CONFIG_MAX_SUITES13];	/* TLS 1.3 (ciphersuites) */
	size_t suite13_count;
	int ciphersuites_line;
	uint16_t groups[CONFIG_MAX_GROUPS];	/* key exchange, never empty */
	size_t group_count;
	int groups_line;
	char alpn[KTLSD_ALPN_MAX];	/* comma-separated, as configured */
	int session_tickets;		/* TLS 1.3: a server issues and takes tickets, a client keeps and offers them */
	int session_cache;		/* TLS 1.2 server: session IDs, in the cache the workers share */
	/*
	 * TLS 1.2 server handshakes run on BearSSL's engine, not ours
	 * (server12.h): the profile's chain is larger than our flight holds.
	 * Resolved at load.
	 */
	int server12_bearssl;
	unsigned ticket_wait_ms;	/* TLS 1.3 client: the longest wait for tickets; 0: auto */
	uid_t allow_uid[CONFIG_MAX_IDS];
	size_t uid_count;
	gid_t allow_gid[CONFIG_MAX_IDS];
	size_t gid_count;
	struct creds creds;		/* what cert, key and ca hold */
	struct policy policy;		/* what each role does: the one place */
	struct profile *next;
};

struct config {
	char socket_path[108];
	char control_path[108];		/* "" when there is no control socket */
	int control_path_given;		/* else: ctl.sock beside socket_path */
	int control_gid_set;		/* control_group given: it may use it too */
	gid_t control_gid;
	unsigned handshake_timeout_ms;
	unsigned request_timeout_ms;	/* connection to request, before the handshake */
	unsigned ticket_lifetime_ms;	/* TLS 1.3 tickets; also the ticket key's rotation */
	unsigned max_handshakes;	/* in flight at once */
	unsigned max_per_uid;		/* ... for one caller uid */
	int max_per_uid_line;
	unsigned workers;		/* worker processes; each has the limits above */
	char user[64];			/* whom ktlsd runs as once its sockets are bound */
	uid_t uid;			/* ... that user's uid and primary gid */
	gid_t gid;
	int user_line;			/* 0: the default, KTLSD_USER */
	struct profile *profiles;
	char error[640];		/* "FILE:LINE: message" after a failure */
};

/*
 * Read and check @path, loading every certificate, key and trust anchor it
 * names. Returns 0, or -1 with cfg->error set to "FILE:LINE: message" (the
 * first error) and nothing allocated.
 */
int config_load(struct config *cfg, const char *path);

/* Release what config_load() allocated. */
void config_free(struct config *cfg);

/* The most worker processes `workers` may ask for. */
#define CONFIG_MAX_WORKERS 256

/* `workers = auto`, the default: the online CPUs, within 1..CONFIG_MAX_WORKERS. */
unsigned config_online_cpus(void);

/* 1 if @name is 1 to KTLSD_PROFILE_MAX-1 letters, digits, '-', '_' or '.'. */
int profile_name_valid(const char *name);

/* The profile named @name, or NULL. */
const struct profile *config_profile(const struct config *cfg, const char *name);

/*
 * 1 if a caller with @uid, primary @gid and supplementary @groups may use
 * @profile: its uid is in allow_uid, or one of its groups in allow_gid.
 * A profile that sets neither admits root only.
 */
int profile_allows(const struct profile *profile, uid_t uid, gid_t gid,
		   const gid_t *groups, size_t group_count);

/* The name of named group @id (T13_GROUP_X25519...), as the man page gives it, or NULL. */
const char *config_group_name(uint16_t id);

/* Parse "10s", "500ms", "2m", "1h" or a number of seconds, at most 24h; -1 if not. */
long long config_parse_duration_ms(const char *text);

#endif
