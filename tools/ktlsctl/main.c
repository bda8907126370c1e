// SPDX-License-Identifier: GPL-2.0
/* ktlsctl: global options and the objects. See ktlsctl(8). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ktlsctl.h"

#define KTLSCTL_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("usage: ktlsctl [-j] [-p] OBJECT [COMMAND [ARGS]]\n"
	      "\n"
	      "  dev [show [DEV]]                 NICs: TLS offload features and counters\n"
	      "  dev set DEV [tls-tx on|off] [tls-rx on|off]\n"
	      "  sockets [--hw|--sw] [FILTER...]  kTLS sockets, from sock_diag\n"
	      "  stats [--delta SECONDS]          /proc/net/tls_stat\n"
	      "  nsim ...                         the emulated offload NIC (ktls_nsim)\n"
	      "  daemon status|profiles|reload    ktlsd, on its control socket\n"
	      "\n"
	      "  -j, --json     JSON output        -p, --pretty  indented JSON\n"
	      "  -h, --help     this text          -V, --version\n"
	      "Objects and commands may be abbreviated (ktlsctl so). 'ktlsctl OBJECT help'\n"
	      "describes an object. Exit status: 0 ok, 1 failure, 2 usage.\n", out);
}

int matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(word) && !strncmp(arg, word, n);
}

static void vreport(const char *object, const char *fmt, va_list ap)
{
	fprintf(stderr, "ktlsctl: %s%s", object ? object : "", object ? ": " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int fail(const char *object, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(object, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int usage_error(const char *object, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(object, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'ktlsctl %s help'.\n", object ? object : "--");
	return EXIT_USAGE;
}

int parse_on_off(const char *arg, int *on)
{
	if (!strcmp(arg, "on"))
		*on = 1;
	else if (!strcmp(arg, "off"))
		*on = 0;
	else
		return -1;
	return 0;
}

void emit(json_object *answer, const struct ktlsctl_opts *o,
	  void (*text)(json_object *answer, FILE *out))
{
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(answer, o->pretty ?
			       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			       JSON_C_TO_STRING_PLAIN));
	else
		text(answer, stdout);
	json_object_put(answer);
}

static const struct {
	const char *name;
	ktlsctl_cmd run;
} objects[] = {
	{ "dev", cmd_dev },
	{ "sockets", cmd_sockets },
	{ "stats", cmd_stats },
	{ "nsim", cmd_nsim },
	{ "daemon", cmd_daemon },
};

int main(int argc, char **argv)
{
	struct ktlsctl_opts o = { 0 };
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			o.json = 1;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			o.pretty = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("ktlsctl %s\n", KTLSCTL_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "ktlsctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (o.pretty)
		o.json = 1;
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (matches(argv[i], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++)
		if (matches(argv[i], objects[k].name))
			return objects[k].run(argc - i - 1, argv + i + 1, &o);
	fprintf(stderr, "ktlsctl: unknown object \"%s\"\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
