// SPDX-License-Identifier: GPL-2.0-or-later
/* A TLS 1.3 server's choices: the profile's preference decides. */
#include <string.h>

#include "choose.h"

uint16_t t13_choose_suite(const struct profile *p, const struct t13_client_hello *ch)
{
	for (size_t i = 0; i < p->suite13_count; i++)
		if (t13_list_has(ch->suites, ch->suites_len, p->suites13[i]))
			return p->suites13[i];
	return 0;
}

uint16_t t13_choose_group(const struct profile *p, const struct t13_client_hello *ch,
			  const uint8_t **share, size_t *share_len)
{
	*share = NULL;
	*share_len = 0;
	if (!ch->groups)
		return 0;
	for (size_t i = 0; i < p->group_count; i++) {
		if (!t13_list_has(ch->groups, ch->groups_len, p->groups[i]))
			continue;
		*share = t13_find_key_share(ch, p->groups[i], share_len);
		return p->groups[i];
	}
	return 0;
}

/* 1 if the client's protocol_name_list holds @name (@len bytes). */
static int client_lists(const struct t13_client_hello *ch, const char *name, size_t len)
{
	size_t off = 0;

	/* t13_parse_client_hello() checked every entry's length. */
	while (off < ch->alpn_len) {
		size_t n = ch->alpn[off];

		if (n == len && !memcmp(ch->alpn + off + 1, name, len))
			return 1;
		off += 1 + n;
	}
	return 0;
}

int t13_choose_alpn(const struct profile *p, const struct t13_client_hello *ch, char *out,
		    size_t outlen)
{
	const char *s = p->alpn;
	int ours = 0;

	if (!ch->alpn)
		return 0;
	while (*s) {
		size_t len = strcspn(s, ", ");

		if (len > 0 && len <= 255 && len < outlen) {
			ours = 1;
			if (client_lists(ch, s, len)) {
				memcpy(out, s, len);
				out[len] = '\0';
				return 1;
			}
		}
		s += len;
		s += strspn(s, ", ");
	}
	return ours ? -1 : 0;
}
