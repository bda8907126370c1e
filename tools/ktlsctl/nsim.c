// SPDX-License-Identifier: GPL-2.0
/* ktlsctl nsim: the emulated offload NIC's sysfs, /sys/kernel/ktls_nsim. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktlsctl.h"

#define NSIM_SYSFS "/sys/kernel/ktls_nsim"

static const char *const knobs[] = {
	"max_ctx", "drop", "duplicate", "reorder", "corrupt", "seed",
};

static void nsim_help(FILE *out)
{
	fputs("usage: ktlsctl nsim [show [DEV]]\n"
	      "       ktlsctl nsim add [NAME_A NAME_B]\n"
	      "       ktlsctl nsim del DEV\n"
	      "       ktlsctl nsim set DEV KNOB N [KNOB N]...\n"
	      "\n"
	      "ktls_nsim device pairs (the module must be loaded). Knobs: max_ctx (offload\n"
	      "contexts per direction), drop / duplicate / reorder (one data segment in N\n"
	      "leaving DEV; 0 off), corrupt (one record in N DEV encrypts), seed.\n"
	      "DEV is the name the device had when created (its folder in " NSIM_SYSFS ").\n",
	      out);
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int module_missing(void)
{
	return fail("nsim", "%s: no such directory (is ktls_nsim loaded?)", NSIM_SYSFS);
}

static json_object *describe(const char *dev)
{
	char path[320], text[4096];
	json_object *d = json_object_new_object(), *stats = json_object_new_object();

	json_object_object_add(d, "dev", json_object_new_string(dev));
	snprintf(path, sizeof(path), NSIM_SYSFS "/%s/peer", dev);
	if (!read_text(path, text, sizeof(text)))
		json_object_object_add(d, "peer", json_object_new_string(text));
	snprintf(path, sizeof(path), NSIM_SYSFS "/%s/ifindex", dev);
	if (!read_text(path, text, sizeof(text)))
		json_object_object_add(d, "ifindex", json_object_new_int(atoi(text)));
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), NSIM_SYSFS "/%s/%s", dev, knobs[i]);
		if (!read_text(path, text, sizeof(text)))
			json_object_object_add(d, knobs[i], json_object_new_int64(atoll(text)));
	}
	snprintf(path, sizeof(path), NSIM_SYSFS "/%s/stats", dev);
	if (!read_text(path, text, sizeof(text))) {
		char *save = NULL;

		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char name[64];
			long long v;

			if (sscanf(line, "%63s %lld", name, &v) == 2)
				json_object_object_add(stats, name, json_object_new_int64(v));
		}
	}
	json_object_object_add(d, "stats", stats);
	return d;
}

static void print_nsim(json_object *list, FILE *out)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *d = json_object_array_get_idx(list, i), *v, *stats;

		json_object_object_get_ex(d, "dev", &v);
		fprintf(out, "%s:", json_object_get_string(v));
		if (json_object_object_get_ex(d, "peer", &v))
			fprintf(out, " peer %s", json_object_get_string(v));
		for (size_t k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++)
			if (json_object_object_get_ex(d, knobs[k], &v))
				fprintf(out, " %s %s", knobs[k], json_object_get_string(v));
		fputc('\n', out);
		json_object_object_get_ex(d, "stats", &stats);
		json_object_object_foreach(stats, name, value)
			fprintf(out, "    %-26s %s\n", name, json_object_get_string(value));
	}
}

static int dev_exists(const char *dev)
{
	char path[320];
	DIR *dir;

	if (strchr(dev, '/') || dev[0] == '.')
		return 0;
	snprintf(path, sizeof(path), NSIM_SYSFS "/%s", dev);
	dir = opendir(path);
	if (dir)
		closedir(dir);
	return !!dir;
}

static int nsim_show(int argc, char **argv, const struct ktlsctl_opts *o)
{
	json_object *list = json_object_new_array();
	struct dirent *e;
	DIR *dir;

	if (argc > 1) {
		json_object_put(list);
		return usage_error("nsim", "show takes one device at most");
	}
	dir = opendir(NSIM_SYSFS);
	if (!dir) {
		json_object_put(list);
		return module_missing();
	}
	while ((e = readdir(dir))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (argc && strcmp(argv[0], e->d_name))
			continue;
		json_object_array_add(list, describe(e->d_name));
	}
	closedir(dir);
	if (argc && !json_object_array_length(list)) {
		json_object_put(list);
		return fail("nsim", "%s: no such ktls_nsim device", argv[0]);
	}
	emit(list, o, print_nsim);
	return EXIT_OK;
}

static int nsim_add(int argc, char **argv)
{
	char text[64] = "";
	int err;

	if (argc != 0 && argc != 2)
		return usage_error("nsim", "add takes no names or two");
	if (argc == 2)
		snprintf(text, sizeof(text), "%s %s", argv[0], argv[1]);
	if (access(NSIM_SYSFS, F_OK))
		return module_missing();
	err = write_text(NSIM_SYSFS "/new_pair", argc ? text : "\n");
	if (err)
		return fail("nsim", "add%s%s: %s", argc ? " " : "", text,
			    err == -EEXIST ? "a device of that name exists" : strerror(-err));
	return EXIT_OK;
}

static int nsim_del(int argc, char **argv)
{
	int err;

	if (argc != 1)
		return usage_error("nsim", "del takes one device");
	if (access(NSIM_SYSFS, F_OK))
		return module_missing();
	err = write_text(NSIM_SYSFS "/del_pair", argv[0]);
	if (err)
		return fail("nsim", "%s: %s", argv[0],
			    err == -ENODEV ? "no such ktls_nsim device" : strerror(-err));
	return EXIT_OK;
}

static int is_knob(const char *name)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (!strcmp(name, knobs[i]))
			return 1;
	return 0;
}

static int nsim_set(int argc, char **argv)
{
	const char *dev;

	if (argc < 3 || argc % 2 == 0)
		return usage_error("nsim", "set needs DEV and KNOB N pairs");
	dev = argv[0];
	for (int i = 1; i < argc; i += 2) {
		char *end;

		if (!is_knob(argv[i]))
			return usage_error("nsim", "unknown knob \"%s\"", argv[i]);
		strtoul(argv[i + 1], &end, 0);
		if (!*argv[i + 1] || *end)
			return usage_error("nsim", "%s: \"%s\" is not a number", argv[i], argv[i + 1]);
	}
	if (access(NSIM_SYSFS, F_OK))
		return module_missing();
	if (!dev_exists(dev))
		return fail("nsim", "%s: no such ktls_nsim device", dev);
	for (int i = 1; i < argc; i += 2) {
		char path[320];
		int err;

		snprintf(path, sizeof(path), NSIM_SYSFS "/%s/%s", dev, argv[i]);
		err = write_text(path, argv[i + 1]);
		if (err)
			return fail("nsim", "%s: %s %s: %s", dev, argv[i], argv[i + 1],
				    err == -EINVAL ? "refused (1 would drop everything)" : strerror(-err));
	}
	return EXIT_OK;
}

int cmd_nsim(int argc, char **argv, const struct ktlsctl_opts *o)
{
	if (argc == 0)
		return nsim_show(0, argv, o);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return nsim_show(argc - 1, argv + 1, o);
	if (matches(argv[0], "add"))
		return nsim_add(argc - 1, argv + 1);
	if (matches(argv[0], "delete"))
		return nsim_del(argc - 1, argv + 1);
	if (matches(argv[0], "set"))
		return nsim_set(argc - 1, argv + 1);
	if (matches(argv[0], "help") || !strcmp(argv[0], "--help")) {
		nsim_help(stdout);
		return EXIT_OK;
	}
	return usage_error("nsim", "unknown command \"%s\"", argv[0]);
}
