/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hex test vectors for the host unit tests, written as the RFCs print them:
 * "01 00 00 c0 03 03 ...", split over as many string literals and lines as
 * suits. Header-only, like tap.h.
 *
 * A vector is part of the test, so a typo in one is a bug in the test:
 * hex_decode() and hex_alloc() abort on it rather than hand back a short
 * buffer that could still let a check pass. hex_parse() is the same reading
 * for text that comes from outside the test (another program's output),
 * where a bad line should fail one check, not end the run.
 */
#ifndef KTLSD_HEX_H
#define KTLSD_HEX_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A byte string in a malloc'd buffer of exactly @len bytes (NULL when empty, or not). */
struct hex_buf {
	uint8_t *p;
	size_t len;
};

/* The value of the hex digit @c, either case; -1 if @c is not one. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reads @hex into @out, at most @room bytes: whitespace (spaces, newlines,
 * tabs) before, between and after bytes is skipped; a byte is two adjacent
 * hex digits of either case. The number of bytes read goes to *@len.
 * Returns 0; or -1 when @hex holds anything else (a non-hex character, a
 * digit without its pair) or more than @room bytes, *@len then being the
 * bytes read before the fault and @out holding them.
 */
static inline int hex_parse(const char *hex, uint8_t *out, size_t room, size_t *len)
{
	*len = 0;
	while (*hex) {
		int high, low;

		if (isspace((unsigned char)*hex)) {
			hex++;
			continue;
		}
		high = hex_digit(hex[0]);
		low = high < 0 ? -1 : hex_digit(hex[1]);
		if (low < 0 || *len == room)
			return -1;
		out[(*len)++] = (uint8_t)(high << 4 | low);
		hex += 2;
	}
	return 0;
}

/*
 * Decodes the test vector @hex into @out (@room bytes), as hex_parse() reads
 * it. Returns the number of bytes. Aborts, naming the vector and the byte,
 * when hex_parse() would fail: a malformed vector, or one longer than @room.
 */
static inline size_t hex_decode(const char *hex, uint8_t *out, size_t room)
{
	size_t len;

	if (hex_parse(hex, out, room, &len)) {
		fprintf(stderr, "hex.h: bad test vector, or more than %zu bytes, at byte %zu of \"%.32s...\"\n",
			room, len, hex);
		abort();
	}
	return len;
}

/*
 * A copy of the @len bytes at @p in a malloc'd buffer of exactly @len bytes,
 * so that under ASan reading one byte past the end is a crash; malloc(0)
 * included, of which ASan lets no byte be read. Aborts if malloc fails.
 * Free it with hex_free().
 */
static inline struct hex_buf hex_buf_copy(const void *p, size_t len)
{
	struct hex_buf b = { malloc(len), len };

	if (!b.p && len)
		abort();
	if (len)
		memcpy(b.p, p, len);
	return b;
}

/*
 * The test vector @hex, decoded as by hex_decode(), in a malloc'd buffer of
 * exactly its length (see hex_buf_copy()). Aborts on a malformed vector or
 * if malloc fails. Free it with hex_free().
 */
static inline struct hex_buf hex_alloc(const char *hex)
{
	size_t room = strlen(hex) / 2 + 1;
	uint8_t *tmp = malloc(room);
	struct hex_buf b;

	if (!tmp)
		abort();
	b = hex_buf_copy(tmp, hex_decode(hex, tmp, room));
	free(tmp);
	return b;
}

/* Frees @b's buffer and leaves @b empty (NULL, 0); an empty @b is fine. */
static inline void hex_free(struct hex_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

#endif
