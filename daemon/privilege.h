/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege. Once its sockets are bound, ktlsd becomes the user the
 * configuration names ([daemon] user, default KTLSD_USER) and keeps one
 * capability, CAP_NET_ADMIN, in its effective and permitted sets and in its
 * bounding set; nothing ambient, nothing inheritable (but CAP_NET_ADMIN
 * when systemd handed it over as ambient and its filter refuses capset():
 * harmless, as nothing is ever exec'd and no_new_privs is set), no
 * supplementary groups, no_new_privs, not dumpable. It needs CAP_NET_ADMIN for two things the
 * kernel (6.1) grants only with it:
 *
 *   - setsockopt(TCP_ULP, "tls") loads the tls module on demand only for a
 *     caller with CAP_NET_ADMIN (net/ipv4/tcp_ulp.c,
 *     __tcp_ulp_find_autoload); without it, kTLS works only once someone
 *     else has loaded the module;
 *   - sock_diag reports INET_DIAG_ULP_INFO (where each direction's record
 *     crypto runs: SW or HW) only to a netlink socket opened, and used, with
 *     CAP_NET_ADMIN (net/ipv4/tcp_diag.c, tcp_diag_get_aux; inet_diag.c's
 *     netlink_net_capable); without it every hand-off reports mode unknown.
 *
 * Started by root, ktlsd changes uid and gid itself (libcap-ng). Started as
 * that user already (systemd's User= with AmbientCapabilities=, see
 * systemd/ktlsd.service), it only trims what it was given.
 */
#ifndef KTLSD_PRIVILEGE_H
#define KTLSD_PRIVILEGE_H

#include <stddef.h>

#include "config.h"

struct privilege_result {
	int changed_id;		/* uid and gid changed here (we started as root) */
	int kept_root;		/* user = root: nothing given up */
	int net_admin;		/* CAP_NET_ADMIN kept (0: was not there to keep) */
	char note[320];		/* what could not be given up, or "" */
};

/*
 * Give up every privilege but CAP_NET_ADMIN, becoming cfg->user. Call it
 * with one thread only (capabilities are per thread). 0 with @res filled,
 * or -1 with the reason in @err: a partial drop must end the process.
 */
int privilege_drop(const struct config *cfg, struct privilege_result *res, char *err,
		   size_t errlen);

/*
 * For the key process, which needs no capability at all (it signs over
 * sockets it was given): clear the effective and permitted sets of the
 * calling thread, its only one. 0, or -1 with the reason in @err.
 */
int privilege_drop_caps(char *err, size_t errlen);

/* Log the outcome (after log_init): one line, a warning for root or a note. */
void privilege_log(const struct config *cfg, const struct privilege_result *res);

#endif
