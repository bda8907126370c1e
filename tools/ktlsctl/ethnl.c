// SPDX-License-Identifier: GPL-2.0
/*
 * TLS offload features over ethtool generic netlink (libnl-genl-3):
 * ETHTOOL_MSG_FEATURES_GET and _SET with verbose (named) bitsets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <net/if.h>
#include <netdb.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <string.h>

#include "ktlsctl.h"

const char *const tls_feature_names[FEAT_COUNT] = {
	[FEAT_TX] = "tls-hw-tx-offload",
	[FEAT_RX] = "tls-hw-rx-offload",
	[FEAT_RECORD] = "tls-hw-record",
};

struct features_reply {
	int error;		/* errno from the kernel */
	int got;
	int hw[FEAT_COUNT], active[FEAT_COUNT], nochange[FEAT_COUNT];
};

static int feature_index(const char *name)
{
	for (int i = 0; i < FEAT_COUNT; i++)
		if (!strcmp(name, tls_feature_names[i]))
			return i;
	return -1;
}

/* The TLS bits set in a verbose bitset attribute. */
static void read_bitset(struct nlattr *set, int out[FEAT_COUNT])
{
	struct nlattr *bs[ETHTOOL_A_BITSET_MAX + 1], *bit;
	int rem, nomask;

	memset(out, 0, sizeof(int) * FEAT_COUNT);
	if (!set || nla_parse_nested(bs, ETHTOOL_A_BITSET_MAX, set, NULL) < 0 ||
	    !bs[ETHTOOL_A_BITSET_BITS])
		return;
	/* Without a mask, only the bits that are set are listed. */
	nomask = !!bs[ETHTOOL_A_BITSET_NOMASK];
	nla_for_each_nested(bit, bs[ETHTOOL_A_BITSET_BITS], rem) {
		struct nlattr *b[ETHTOOL_A_BITSET_BIT_MAX + 1];
		int i;

		if (nla_parse_nested(b, ETHTOOL_A_BITSET_BIT_MAX, bit, NULL) < 0 ||
		    !b[ETHTOOL_A_BITSET_BIT_NAME])
			continue;
		i = feature_index(nla_get_string(b[ETHTOOL_A_BITSET_BIT_NAME]));
		if (i >= 0)
			out[i] = nomask || b[ETHTOOL_A_BITSET_BIT_VALUE];
	}
}

static int on_features(struct nl_msg *msg, void *arg)
{
	struct features_reply *r = arg;
	struct nlattr *tb[ETHTOOL_A_FEATURES_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ETHTOOL_A_FEATURES_MAX, NULL) < 0)
		return NL_SKIP;
	read_bitset(tb[ETHTOOL_A_FEATURES_HW], r->hw);
	read_bitset(tb[ETHTOOL_A_FEATURES_ACTIVE], r->active);
	read_bitset(tb[ETHTOOL_A_FEATURES_NOCHANGE], r->nochange);
	r->got = 1;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct features_reply *r = arg;

	(void)nla;
	r->error = -err->error;
	return NL_STOP;
}

/* A request for @cmd on @dev; the caller adds attributes, then transact(). */
static struct nl_msg *request(struct nl_sock *sk, int family, uint8_t cmd,
			      uint16_t header_attr, const char *dev)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *hdr;

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST, cmd,
			 ETHTOOL_GENL_VERSION) ||
	    !(hdr = nla_nest_start(msg, header_attr)) ||
	    nla_put_string(msg, ETHTOOL_A_HEADER_DEV_NAME, dev) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, hdr);
	(void)sk;
	return msg;
}

static int open_ethtool(struct nl_sock **sk, int *family)
{
	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	if (genl_connect(*sk) < 0) {
		nl_socket_free(*sk);
		return -EPROTONOSUPPORT;
	}
	*family = genl_ctrl_resolve(*sk, ETHTOOL_GENL_NAME);
	if (*family < 0) {
		nl_socket_free(*sk);
		return -EPROTONOSUPPORT;	/* kernel without ethtool netlink */
	}
	return 0;
}

static int transact(struct nl_sock *sk, struct nl_msg *msg, struct features_reply *r)
{
	int err;

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_features, r);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, r);
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return -EIO;
	err = nl_recvmsgs_default(sk);
	if (r->error)
		return -r->error;
	return err < 0 ? -EIO : 0;
}

int ethnl_tls_features(const char *dev, struct tls_feature f[FEAT_COUNT])
{
	struct features_reply r = { 0 };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, err;

	if (!if_nametoindex(dev))
		return -ENODEV;
	err = open_ethtool(&sk, &family);
	if (err)
		return err;
	msg = request(sk, family, ETHTOOL_MSG_FEATURES_GET, ETHTOOL_A_FEATURES_HEADER, dev);
	err = msg ? transact(sk, msg, &r) : -ENOMEM;
	nl_socket_free(sk);
	if (!err && !r.got)
		err = -ENODATA;
	if (err)
		return err;
	for (int i = 0; i < FEAT_COUNT; i++) {
		f[i].name = tls_feature_names[i];
		f[i].on = r.active[i];
		f[i].fixed = !r.hw[i] || r.nochange[i];
		f[i].supported = r.hw[i] || r.active[i];
	}
	return 0;
}

int ethnl_set_tls_features(const char *dev, const int want[FEAT_COUNT])
{
	struct features_reply r = { 0 };
	struct nlattr *set, *bits;
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, err;

	if (!if_nametoindex(dev))
		return -ENODEV;
	err = open_ethtool(&sk, &family);
	if (err)
		return err;
	msg = request(sk, family, ETHTOOL_MSG_FEATURES_SET, ETHTOOL_A_FEATURES_HEADER, dev);
	if (!msg) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	/* The bits listed are the mask; VALUE says which are to be on. */
	set = nla_nest_start(msg, ETHTOOL_A_FEATURES_WANTED);
	bits = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS);
	for (int i = 0; i < FEAT_COUNT; i++) {
		struct nlattr *bit;

		if (want[i] < 0)
			continue;
		bit = nla_nest_start(msg, ETHTOOL_A_BITSET_BITS_BIT);
		nla_put_string(msg, ETHTOOL_A_BITSET_BIT_NAME, tls_feature_names[i]);
		if (want[i])
			nla_put_flag(msg, ETHTOOL_A_BITSET_BIT_VALUE);
		nla_nest_end(msg, bit);
	}
	nla_nest_end(msg, bits);
	nla_nest_end(msg, set);
	err = transact(sk, msg, &r);
	nl_socket_free(sk);
	return err;
}
