// SPDX-License-Identifier: GPL-2.0-or-later
/* Least privilege: become the configured user, keep CAP_NET_ADMIN alone (privilege.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "log.h"
#include "privilege.h"

#define KEPT_CAP	CAP_NET_ADMIN
/* Capability numbers fit in two 32-bit words; the kernel's last may pass ours. */
#define ANY_CAP_MAX	63

/* Append to res->note. */
static void note(struct privilege_result *res, const char *fmt, const char *arg)
{
	size_t n = strlen(res->note);

	if (n && n < sizeof(res->note) - 2) {
		strcat(res->note, "; ");
		n += 2;
	}
	if (n < sizeof(res->note))
		snprintf(res->note + n, sizeof(res->note) - n, fmt, arg);
}

/* The first capability in @which other than KEPT_CAP, or -1. Needs capng state read. */
static int other_cap(capng_type_t which)
{
	for (int cap = 0; cap <= ANY_CAP_MAX; cap++)
		if (cap != KEPT_CAP && capng_have_capability(which, (unsigned)cap) > 0)
			return cap;
	return -1;
}

static const char *cap_name(int cap)
{
	const char *name = capng_capability_to_name((unsigned)cap);

	return name ? name : "?";
}

static int fail(char *err, size_t errlen, const char *what, int rc)
{
	snprintf(err, errlen, "giving up privileges: %s (%d: %s)", what, rc, strerror(errno));
	return -1;
}

/* Started as root: set the bounding set, then change uid and gid keeping KEPT_CAP. */
static int become_user(const struct config *cfg, int keep, char *err, size_t errlen)
{
	int rc;

	capng_clear(CAPNG_SELECT_BOTH);
	if (keep &&
	    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, KEPT_CAP) < 0)
		return fail(err, errlen, "capng_update", -1);
	/* With CAP_SETPCAP still held: every other capability leaves the bounding set. */
	rc = capng_apply(CAPNG_SELECT_BOUNDS);
	if (rc < 0)
		return fail(err, errlen, "dropping the bounding set", rc);
	/*
	 * setresgid, setgroups(0) and setresuid, keeping only what the state
	 * above holds (libcap-ng takes CAP_SETUID/SETGID for the change and
	 * drops them after). glibc applies the id changes to every thread;
	 * capabilities are per thread, hence one thread only.
	 */
	rc = capng_change_id((int)cfg->uid, (int)cfg->gid, CAPNG_DROP_SUPP_GRP);
	if (rc < 0)
		return fail(err, errlen, "capng_change_id", rc);
	return 0;
}

/*
 * Started as the user already (systemd's User=, AmbientCapabilities=):
 * trim what we were given. Without CAP_SETPCAP the bounding set stays as
 * the service manager set it; systemd's seccomp filter may refuse capset,
 * which matters only if something beyond the inheritable set was to go.
 */
static int trim_as_user(int keep, struct privilege_result *res, char *err, size_t errlen)
{
	int extra_bound, extra_held;

	if (capng_get_caps_process() < 0)
		return fail(err, errlen, "reading our capabilities", -1);
	extra_bound = other_cap(CAPNG_BOUNDING_SET);
	extra_held = other_cap(CAPNG_PERMITTED) >= 0 || other_cap(CAPNG_EFFECTIVE) >= 0;
	if (extra_bound >= 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) > 0) {
		capng_clear(CAPNG_SELECT_BOUNDS);
		if (keep)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, KEPT_CAP);
		if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
			return fail(err, errlen, "dropping the bounding set", -1);
	} else if (extra_bound >= 0) {
		note(res, "the bounding set still holds %s and more (no CAP_SETPCAP to drop them: "
		     "set CapabilityBoundingSet=CAP_NET_ADMIN)", cap_name(extra_bound));
	}
	capng_clear(CAPNG_SELECT_CAPS);
	if (keep)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, KEPT_CAP);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0 && extra_held)
		return fail(err, errlen, "dropping capabilities", -1);
	if (getgroups(0, NULL) > 0 && setgroups(0, NULL) < 0)
		note(res, "%s", "supplementary groups kept (set SupplementaryGroups= empty, or "
		     "start ktlsd as root)");
	return 0;
}

/* What /proc/PID/status will say, checked: anything else ends the process. */
static int verify(const struct config *cfg, int keep, char *err, size_t errlen)
{
	uid_t ru = 0, eu = 0, su = 0;
	gid_t rg = 0, eg = 0, sg = 0;
	int cap;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != cfg->uid || eu != cfg->uid || su != cfg->uid ||
	    rg != cfg->gid || eg != cfg->gid || sg != cfg->gid) {
		snprintf(err, errlen, "giving up privileges: still uid %u/%u/%u gid %u/%u/%u, not %s",
			 (unsigned)ru, (unsigned)eu, (unsigned)su, (unsigned)rg, (unsigned)eg,
			 (unsigned)sg, cfg->user);
		return -1;
	}
	if (capng_get_caps_process() < 0)
		return fail(err, errlen, "reading our capabilities", -1);
	if ((cap = other_cap(CAPNG_EFFECTIVE)) >= 0 || (cap = other_cap(CAPNG_PERMITTED)) >= 0) {
		snprintf(err, errlen, "giving up privileges: %s is still held", cap_name(cap));
		return -1;
	}
	if (keep && (capng_have_capability(CAPNG_EFFECTIVE, KEPT_CAP) <= 0 ||
		     capng_have_capability(CAPNG_PERMITTED, KEPT_CAP) <= 0)) {
		snprintf(err, errlen, "giving up privileges: CAP_NET_ADMIN was lost on the way");
		return -1;
	}
	return 0;
}

int privilege_drop(const struct config *cfg, struct privilege_result *res, char *err,
		   size_t errlen)
{
	int already = getuid() == cfg->uid && geteuid() == cfg->uid &&
		      getgid() == cfg->gid && getegid() == cfg->gid;
	int keep;

	memset(res, 0, sizeof(*res));
	if (cfg->uid == 0) {
		res->kept_root = 1;
		res->net_admin = capng_have_capability(CAPNG_EFFECTIVE, KEPT_CAP) > 0;
		return 0;
	}
	if (capng_get_caps_process() < 0)
		return fail(err, errlen, "reading our capabilities", -1);
	keep = capng_have_capability(CAPNG_PERMITTED, KEPT_CAP) > 0;
	if (!already && geteuid() != 0) {
		snprintf(err, errlen, "running as uid %u, ktlsd cannot become user %s (uid %u): "
			 "start it as root, or as %s", (unsigned)geteuid(), cfg->user,
			 (unsigned)cfg->uid, cfg->user);
		return -1;
	}
	if (already ? trim_as_user(keep, res, err, errlen) < 0 :
		      become_user(cfg, keep, err, errlen) < 0)
		return -1;
	res->changed_id = !already;
	/* Nothing regained through execve (there is none; this makes it certain). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, errlen, "clearing the ambient set", -1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, "PR_SET_NO_NEW_PRIVS", -1);
	/* A uid change resets it to fs.suid_dumpable: keys stay out of core files. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (verify(cfg, keep, err, errlen) < 0)
		return -1;
	res->net_admin = keep;
	if (!keep)
		note(res, "%s", "CAP_NET_ADMIN was not there to keep: the tls module must be loaded "
		     "already, and TX/RX modes are reported unknown");
	return 0;
}

int privilege_drop_caps(char *err, size_t errlen)
{
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0 || capng_get_caps_process() < 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		return fail(err, errlen, "dropping every capability", -1);
	return 0;
}

void privilege_log(const struct config *cfg, const struct privilege_result *res)
{
	if (res->kept_root) {
		log_msg(LOG_WARNING, "running as root with every privilege (user = root): "
			"set user = %s in [daemon] to give them up", KTLSD_USER);
		return;
	}
	log_msg(LOG_INFO, "running as %s (uid %u, gid %u)%s, keeping %s", cfg->user,
		(unsigned)cfg->uid, (unsigned)cfg->gid,
		res->changed_id ? "" : " as started", res->net_admin ? "CAP_NET_ADMIN only" : "no capability");
	if (res->note[0])
		log_msg(LOG_WARNING, "privileges: %s", res->note);
}
