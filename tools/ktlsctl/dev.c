// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsctl dev: TLS offload per network device — features over ethtool
 * netlink; driver name and counters through the ethtool ioctl, which is
 * where 6.1 exposes driver statistics (ethtool -S).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktlsctl.h"

static void dev_help(FILE *out)
{
	fputs("usage: ktlsctl dev [show [DEV]]\n"
	      "       ktlsctl dev set DEV [tls-tx on|off] [tls-rx on|off]\n"
	      "\n"
	      "show: every device (or DEV) with its TLS offload features\n"
	      "  (tls-hw-tx-offload, tls-hw-rx-offload, tls-hw-record: on/off, [fixed]\n"
	      "  when it cannot change, [not supported]), driver, and its counters\n"
	      "  whose ethtool -S name contains \"tls\".\n"
	      "set: ask for features, then read back what the kernel accepted.\n", out);
}

static int ethtool_ioctl(int fd, const char *dev, void *data)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

/* Driver name and the "tls" counters of @dev into @obj. */
static void add_driver_and_counters(json_object *obj, const char *dev)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *stats = NULL;
	json_object *counters = json_object_new_object();
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	json_object_object_add(obj, "counters", counters);
	if (fd < 0 || ethtool_ioctl(fd, dev, &info)) {
		json_object_object_add(obj, "driver", NULL);
		goto out;
	}
	json_object_object_add(obj, "driver", json_object_new_string(info.driver));
	if (!info.n_stats)
		goto out;
	names = calloc(1, sizeof(*names) + (size_t)info.n_stats * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + (size_t)info.n_stats * sizeof(uint64_t));
	if (!names || !stats)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = info.n_stats;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = info.n_stats;
	if (ethtool_ioctl(fd, dev, names) || ethtool_ioctl(fd, dev, stats))
		goto out;
	for (uint32_t i = 0; i < info.n_stats; i++) {
		char name[ETH_GSTRING_LEN + 1] = { 0 };

		memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		if (strstr(name, "tls"))
			json_object_object_add(counters, name,
					       json_object_new_uint64(stats->data[i]));
	}
out:
	free(names);
	free(stats);
	if (fd >= 0)
		close(fd);
}

static json_object *describe(const char *dev, int *err)
{
	struct tls_feature f[FEAT_COUNT];
	json_object *obj, *features;

	*err = ethnl_tls_features(dev, f);
	if (*err)
		return NULL;
	obj = json_object_new_object();
	features = json_object_new_object();
	json_object_object_add(obj, "ifname", json_object_new_string(dev));
	for (int i = 0; i < FEAT_COUNT; i++) {
		json_object *one = json_object_new_object();

		json_object_object_add(one, "supported", json_object_new_boolean(f[i].supported));
		json_object_object_add(one, "on", json_object_new_boolean(f[i].on));
		json_object_object_add(one, "fixed", json_object_new_boolean(f[i].fixed));
		json_object_object_add(features, f[i].name, one);
	}
	json_object_object_add(obj, "features", features);
	add_driver_and_counters(obj, dev);
	return obj;
}

static int get_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void print_dev(json_object *d, FILE *out)
{
	json_object *name, *driver, *features, *counters;

	json_object_object_get_ex(d, "ifname", &name);
	json_object_object_get_ex(d, "driver", &driver);
	json_object_object_get_ex(d, "features", &features);
	json_object_object_get_ex(d, "counters", &counters);
	fprintf(out, "%s: driver %s\n", json_object_get_string(name),
		driver ? json_object_get_string(driver) : "(none)");
	json_object_object_foreach(features, fname, f) {
		fprintf(out, "    %-18s %s%s\n", fname, get_bool(f, "on") ? "on" : "off",
			!get_bool(f, "supported") ? " [not supported]" :
			get_bool(f, "fixed") ? " [fixed]" : "");
	}
	json_object_object_foreach(counters, cname, value)
		fprintf(out, "    %-30s %s\n", cname, json_object_get_string(value));
}

static void print_devs(json_object *list, FILE *out)
{
	size_t n = json_object_array_length(list);

	for (size_t i = 0; i < n; i++)
		print_dev(json_object_array_get_idx(list, i), out);
}

static int dev_show(int argc, char **argv, const struct ktlsctl_opts *o)
{
	json_object *list = json_object_new_array();
	int err;

	if (argc > 1) {
		json_object_put(list);
		return usage_error("dev", "show takes one device at most");
	}
	if (argc == 1) {
		json_object *d = describe(argv[0], &err);

		if (!d) {
			json_object_put(list);
			return fail("dev", "%s: %s", argv[0],
				    err == -ENODEV ? "no such device" : strerror(-err));
		}
		json_object_array_add(list, d);
	} else {
		struct if_nameindex *all = if_nameindex(), *i;

		if (!all) {
			json_object_put(list);
			return fail("dev", "listing devices: %s", strerror(errno));
		}
		for (i = all; i->if_index; i++) {
			json_object *d = describe(i->if_name, &err);

			if (d)
				json_object_array_add(list, d);
			else if (err != -ENODEV)	/* gone meanwhile: fine */
				fprintf(stderr, "ktlsctl: dev: %s: %s\n", i->if_name,
					strerror(-err));
		}
		if_freenameindex(all);
	}
	emit(list, o, print_devs);
	return EXIT_OK;
}

/* "tls-tx" or the feature's full name. */
static int feature_of(const char *arg)
{
	if (!strcmp(arg, "tls-tx") || !strcmp(arg, tls_feature_names[FEAT_TX]))
		return FEAT_TX;
	if (!strcmp(arg, "tls-rx") || !strcmp(arg, tls_feature_names[FEAT_RX]))
		return FEAT_RX;
	return -1;
}

static int dev_set(int argc, char **argv, const struct ktlsctl_opts *o)
{
	int want[FEAT_COUNT] = { -1, -1, -1 }, err, any = 0;
	struct tls_feature f[FEAT_COUNT];
	const char *dev;
	json_object *d;

	if (argc < 3 || argc % 2 == 0)
		return usage_error("dev", "set needs DEV and FEATURE on|off pairs");
	dev = argv[0];
	for (int i = 1; i < argc; i += 2) {
		int feat = feature_of(argv[i]), on;

		if (feat < 0)
			return usage_error("dev", "unknown feature \"%s\" (tls-tx, tls-rx)", argv[i]);
		if (parse_on_off(argv[i + 1], &on))
			return usage_error("dev", "%s: \"%s\" is not on or off", argv[i], argv[i + 1]);
		want[feat] = on;
	}
	err = ethnl_tls_features(dev, f);
	if (err)
		return fail("dev", "%s: %s", dev, err == -ENODEV ? "no such device" : strerror(-err));
	for (int i = 0; i < FEAT_COUNT; i++) {
		if (want[i] < 0 || want[i] == f[i].on)
			continue;
		if (!f[i].supported)
			return fail("dev", "%s: %s is not supported", dev, f[i].name);
		if (f[i].fixed)
			return fail("dev", "%s: %s is fixed %s", dev, f[i].name, f[i].on ? "on" : "off");
		any = 1;
	}
	if (any) {
		err = ethnl_set_tls_features(dev, want);
		if (err)
			return fail("dev", "%s: setting features: %s", dev, strerror(-err));
	}
	err = ethnl_tls_features(dev, f);
	if (err)
		return fail("dev", "%s: reading back: %s", dev, strerror(-err));
	for (int i = 0; i < FEAT_COUNT; i++)
		if (want[i] >= 0 && want[i] != f[i].on)
			return fail("dev", "%s: %s stayed %s: the driver did not accept the change",
				    dev, f[i].name, f[i].on ? "on" : "off");
	d = describe(dev, &err);
	if (!d)
		return fail("dev", "%s: %s", dev, strerror(-err));
	emit(d, o, print_dev);
	return EXIT_OK;
}

int cmd_dev(int argc, char **argv, const struct ktlsctl_opts *o)
{
	if (argc == 0)
		return dev_show(0, argv, o);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return dev_show(argc - 1, argv + 1, o);
	if (matches(argv[0], "set"))
		return dev_set(argc - 1, argv + 1, o);
	if (matches(argv[0], "help") || !strcmp(argv[0], "--help")) {
		dev_help(stdout);
		return EXIT_OK;
	}
	return usage_error("dev", "unknown command \"%s\"", argv[0]);
}
