// SPDX-License-Identifier: GPL-2.0
/* ethtool: driver name, link, and the TLS counters for `ethtool -S`. */
#include <linux/ethtool.h>

#include "nsim.h"

const char *const nsim_stat_names[NSIM_STAT_COUNT] = {
	[NSIM_TX_TLS_ENCRYPTED_PACKETS]	= "tx_tls_encrypted_packets",
	[NSIM_TX_TLS_ENCRYPTED_BYTES]	= "tx_tls_encrypted_bytes",
	[NSIM_TX_TLS_OOO]		= "tx_tls_ooo",
	[NSIM_TX_TLS_RESYNC_BYTES]	= "tx_tls_resync_bytes",
	[NSIM_TX_TLS_DROP_NO_SYNC_DATA]	= "tx_tls_drop_no_sync_data",
	[NSIM_TX_TLS_CTX]		= "tx_tls_ctx",
	[NSIM_RX_TLS_DECRYPTED_PACKETS]	= "rx_tls_decrypted_packets",
	[NSIM_RX_TLS_DECRYPTED_BYTES]	= "rx_tls_decrypted_bytes",
	[NSIM_RX_TLS_RESYNC_REQ_PKT]	= "rx_tls_resync_req_pkt",
	[NSIM_RX_TLS_RESYNC_RES_OK]	= "rx_tls_resync_res_ok",
	[NSIM_RX_TLS_ERR]		= "rx_tls_err",
	[NSIM_RX_TLS_CTX]		= "rx_tls_ctx",
	[NSIM_TLS_CTX_REFUSED]		= "tls_ctx_refused",
	[NSIM_FAULT_DROPPED]		= "fault_dropped",
	[NSIM_FAULT_DUPLICATED]		= "fault_duplicated",
	[NSIM_FAULT_REORDERED]		= "fault_reordered",
	[NSIM_FAULT_CORRUPTED]		= "fault_corrupted",
};

static void nsim_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	strscpy(info->driver, NSIM_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, "virtual", sizeof(info->bus_info));
}

static int nsim_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? NSIM_STAT_COUNT : -EOPNOTSUPP;
}

static void nsim_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < NSIM_STAT_COUNT; i++)
		ethtool_sprintf(&buf, "%s", nsim_stat_names[i]);
}

static void nsim_get_ethtool_stats(struct net_device *dev, struct ethtool_stats *stats,
				   u64 *data)
{
	struct nsim_dev *nd = netdev_priv(dev);
	int i;

	for (i = 0; i < NSIM_STAT_COUNT; i++)
		data[i] = atomic64_read(&nd->stats[i]);
}

const struct ethtool_ops nsim_ethtool_ops = {
	.get_drvinfo		= nsim_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= nsim_get_sset_count,
	.get_strings		= nsim_get_strings,
	.get_ethtool_stats	= nsim_get_ethtool_stats,
};
