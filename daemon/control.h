/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: operators (ktlsctl daemon ...) ask with one word —
 * status, profiles, reload — and get one JSON document back. Only root,
 * and members of control_group, may connect.
 */
#ifndef KTLSD_CONTROL_H
#define KTLSD_CONTROL_H

#include <json-c/json.h>
#include <stddef.h>

#include "closer.h"
#include "config.h"

/*
 * Listen at cfg->control_path (mode 0600, or 0660 for control_group). A
 * socket from systemd keeps the socket unit's mode and group; a mismatch
 * with the configuration is logged.
 */
int control_listen(const struct config *cfg, char *err, size_t errlen);

/*
 * After a reload: the socket's group and mode as the configuration says,
 * if they differ. Once ktlsd runs as its own user that fails (the file is
 * root's), and is logged: the change then needs a restart.
 */
void control_apply_owner(const struct config *cfg);

/* 1 if the peer of @fd is root or in control_group. */
int control_authorized(int fd, const struct config *cfg);

/* Whom the closer charges for descriptors sent to the control socket: nobody. */
#define CONTROL_OWNER ((uint32_t)-1)

/*
 * Read the request on @fd into @cmd: 0; -EAGAIN if it has not arrived;
 * another -errno if the connection is gone. Descriptors sent with it go to
 * @closer.
 */
int control_read(int fd, char *cmd, size_t len, struct closer *closer);

/* Send @answer (consumed) as the reply. */
void control_reply(int fd, json_object *answer);

/* {"error": @message}. */
json_object *control_error(const char *message);

/* Every profile as configured, without secrets. */
json_object *control_profiles(const struct config *cfg);

#endif
