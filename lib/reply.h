/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's reply, checked and turned into a struct ktlsd_result. Private
 * to libktlsd (not exported from the shared library): exposed so the reply
 * parser can be tested and fuzzed on its own (fuzz/fuzz_reply.c).
 */
#ifndef KTLSD_REPLY_H
#define KTLSD_REPLY_H

#include "ktlsd.h"
#include "wire.h"

/*
 * Decode @w, a reply as received (every byte untrusted), into @res. Returns
 * 0, or -1 when a field is out of range or a string has no NUL (@res may
 * then hold part of the reply: the caller replaces it with its own failure).
 */
__attribute__((visibility("hidden")))
int ktlsd_reply_decode(const struct ktlsd_wire_reply *w, struct ktlsd_result *res);

#endif
