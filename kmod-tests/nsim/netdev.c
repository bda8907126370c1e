// SPDX-License-Identifier: GPL-2.0
/*
 * The pairs of devices: veth-like Ethernet ends, each one's transmit the
 * other's receive, movable into network namespaces, with the features a
 * TLS-offload NIC advertises.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>

#include "nsim.h"

#define NSIM_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_HIGHDMA | \
		       NETIF_F_GSO_SOFTWARE | NETIF_F_HW_TLS_TX | NETIF_F_HW_TLS_RX)
#define NSIM_DEFAULT_MAX_CTX 1024

static LIST_HEAD(nsim_devs);
static DEFINE_MUTEX(nsim_lock);	/* nsim_devs, pair creation and removal */
static unsigned int nsim_next_index;

/* Packets waiting for the receiving device's NAPI poll, at most. */
#define NSIM_RXQ_MAX 4096

/* Hand @skb to @to's receive queue, as a wire would. Consumes @skb. */
int nsim_deliver(struct nsim_dev *to, struct sk_buff *skb)
{
	if (__dev_forward_skb(to->netdev, skb))
		return NET_RX_DROP;
	if (skb_queue_len(&to->rxq) >= NSIM_RXQ_MAX) {
		dev_core_stats_rx_dropped_inc(to->netdev);
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	skb_queue_tail(&to->rxq, skb);
	napi_schedule(&to->napi);
	return NET_RX_SUCCESS;
}

/* The receiving "hardware": decrypt what it can, then up the stack. */
static int nsim_poll(struct napi_struct *napi, int budget)
{
	struct nsim_dev *nd = container_of(napi, struct nsim_dev, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&nd->rxq))) {
		done++;
		skb = nsim_tls_rx(nd, skb);
		if (!skb)
			continue;
		dev_sw_netstats_rx_add(nd->netdev, skb->len);
		netif_receive_skb(skb);
	}
	if (done < budget && napi_complete_done(napi, done) && !skb_queue_empty(&nd->rxq))
		napi_schedule(napi);
	return done;
}

static netdev_tx_t nsim_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nsim_dev *nd = netdev_priv(dev), *peer;
	unsigned int len;

	rcu_read_lock();
	peer = rcu_dereference(nd->peer);
	if (unlikely(!peer || !netif_carrier_ok(dev))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		goto out;
	}
	skb = nsim_tls_tx(nd, skb);
	if (!skb) {
		dev_core_stats_tx_dropped_inc(dev);
		goto out;
	}
	len = skb->len;
	if (nsim_fault_xmit(nd, peer, skb) == NET_RX_SUCCESS)
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
out:
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static int nsim_open(struct net_device *dev)
{
	struct nsim_dev *nd = netdev_priv(dev);
	struct nsim_dev *peer = rtnl_dereference(nd->peer);

	napi_enable(&nd->napi);
	if (peer && (peer->netdev->flags & IFF_UP)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer->netdev);
	}
	return 0;
}

static int nsim_stop(struct net_device *dev)
{
	struct nsim_dev *nd = netdev_priv(dev);
	struct nsim_dev *peer = rtnl_dereference(nd->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer->netdev);
	nsim_fault_stop(nd);
	napi_disable(&nd->napi);
	skb_queue_purge(&nd->rxq);
	return 0;
}

static struct net_device *nsim_get_iflink_peer(const struct net_device *dev)
{
	struct nsim_dev *nd = netdev_priv(dev);
	struct nsim_dev *peer = rcu_dereference(nd->peer);

	return peer ? peer->netdev : NULL;
}

static int nsim_get_iflink(const struct net_device *dev)
{
	struct net_device *peer;
	int iflink;

	rcu_read_lock();
	peer = nsim_get_iflink_peer(dev);
	iflink = peer ? peer->ifindex : 0;
	rcu_read_unlock();
	return iflink;
}

static const struct net_device_ops nsim_netdev_ops = {
	.ndo_open		= nsim_open,
	.ndo_stop		= nsim_stop,
	.ndo_start_xmit		= nsim_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_iflink		= nsim_get_iflink,
};

static void nsim_free(struct net_device *dev)
{
	struct nsim_dev *nd = netdev_priv(dev);

	skb_queue_purge(&nd->rxq);
	netif_napi_del(&nd->napi);
	free_percpu(dev->tstats);
}

static void nsim_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->netdev_ops = &nsim_netdev_ops;
	dev->ethtool_ops = &nsim_ethtool_ops;
	dev->tlsdev_ops = &nsim_tlsdev_ops;
	dev->features |= NSIM_FEATURES | NETIF_F_LLTX;
	dev->hw_features = NSIM_FEATURES;
	/* priv_destructor only once registered: see nsim_register(). */
	dev->needs_free_netdev = true;
	dev->max_mtu = ETH_MAX_MTU;
}

static struct nsim_dev *nsim_dev_alloc(const char *name)
{
	struct net_device *dev;
	struct nsim_dev *nd;

	dev = alloc_netdev(sizeof(*nd), name, NET_NAME_USER, nsim_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		free_netdev(dev);
		return ERR_PTR(-ENOMEM);
	}
	eth_hw_addr_random(dev);
	nd = netdev_priv(dev);
	nd->netdev = dev;
	strscpy(nd->name, name, sizeof(nd->name));
	spin_lock_init(&nd->ctx_lock);
	INIT_LIST_HEAD(&nd->rx_ctxs);
	nd->max_ctx = NSIM_DEFAULT_MAX_CTX;
	nsim_fault_init(nd);
	skb_queue_head_init(&nd->rxq);
	netif_napi_add(dev, &nd->napi, nsim_poll);
	return nd;
}

/*
 * Free a device that is not registered: never, or register_netdevice()
 * failed. Its late failure (a NETDEV_REGISTER notifier said no) has
 * unregistered the device already, and free_netdev() then leaves the last
 * step to the unregistration, which calls priv_destructor if set: that is
 * why it is set only once registration succeeded.
 */
static void nsim_dev_free_unregistered(struct nsim_dev *nd)
{
	netif_napi_del(&nd->napi);
	free_percpu(nd->netdev->tstats);
	nd->netdev->tstats = NULL;
	free_netdev(nd->netdev);
}

/* Register @nd's device; from then on, unregistering it frees it all. */
static int nsim_register(struct nsim_dev *nd)
{
	int err = register_netdevice(nd->netdev);

	if (!err)
		nd->netdev->priv_destructor = nsim_free;
	return err;
}

/* A device of ours by that name, in whatever namespace (under nsim_lock). */
static bool nsim_name_taken(const char *name)
{
	struct nsim_dev *nd;

	list_for_each_entry(nd, &nsim_devs, list)
		if (!strcmp(nd->name, name))
			return true;
	return false;
}

static int nsim_pick_names(const char *name_a, const char *name_b,
			   char *a, char *b)
{
	if (!name_a || !*name_a) {
		snprintf(a, IFNAMSIZ, "knsim%u", nsim_next_index);
		snprintf(b, IFNAMSIZ, "knsim%u", nsim_next_index + 1);
		nsim_next_index += 2;
	} else {
		/* No "%d" templates: a pair's sysfs folders carry the names given. */
		if (!name_b || !*name_b || !dev_valid_name(name_a) || !dev_valid_name(name_b) ||
		    strchr(name_a, '%') || strchr(name_b, '%') || !strcmp(name_a, name_b))
			return -EINVAL;
		strscpy(a, name_a, IFNAMSIZ);
		strscpy(b, name_b, IFNAMSIZ);
	}
	/* Ours in another namespace: the sysfs folder's name is taken all the same. */
	return nsim_name_taken(a) || nsim_name_taken(b) ? -EEXIST : 0;
}

int nsim_pair_new(const char *name_a, const char *name_b)
{
	char a_name[IFNAMSIZ], b_name[IFNAMSIZ];
	struct nsim_dev *a, *b;
	int err;

	mutex_lock(&nsim_lock);
	err = nsim_pick_names(name_a, name_b, a_name, b_name);
	if (err)
		goto out;
	rtnl_lock();
	err = -EEXIST;
	if (__dev_get_by_name(&init_net, a_name) || __dev_get_by_name(&init_net, b_name))
		goto out_rtnl;
	a = nsim_dev_alloc(a_name);
	if (IS_ERR(a)) {
		err = PTR_ERR(a);
		goto out_rtnl;
	}
	b = nsim_dev_alloc(b_name);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		nsim_dev_free_unregistered(a);
		goto out_rtnl;
	}
	rcu_assign_pointer(a->peer, b);
	rcu_assign_pointer(b->peer, a);
	err = nsim_register(a);
	if (err) {
		RCU_INIT_POINTER(a->peer, NULL);
		nsim_dev_free_unregistered(a);
		nsim_dev_free_unregistered(b);
		goto out_rtnl;
	}
	err = nsim_register(b);
	if (err) {
		/* Unregistering waits out whoever may still read a's peer. */
		RCU_INIT_POINTER(a->peer, NULL);
		unregister_netdevice(a->netdev);
		nsim_dev_free_unregistered(b);
		goto out_rtnl;
	}
	netif_carrier_off(a->netdev);
	netif_carrier_off(b->netdev);
	/* A thread of its own per receiving end, free to run on another CPU. */
	dev_set_threaded(a->netdev, true);
	dev_set_threaded(b->netdev, true);
	rtnl_unlock();

	err = nsim_sysfs_dev_add(a);
	if (!err) {
		err = nsim_sysfs_dev_add(b);
		if (err)
			nsim_sysfs_dev_del(a);
	}
	if (err) {
		rtnl_lock();
		unregister_netdevice(a->netdev);
		unregister_netdevice(b->netdev);
		rtnl_unlock();
		goto out;
	}
	list_add_tail(&a->list, &nsim_devs);
	list_add_tail(&b->list, &nsim_devs);
	netdev_info(a->netdev, "ktls_nsim pair %s <-> %s\n", a->name, b->name);
	goto out;
out_rtnl:
	rtnl_unlock();
out:
	mutex_unlock(&nsim_lock);
	return err;
}

/* Both ends go together. Called with nsim_lock held. */
static void nsim_pair_destroy(struct nsim_dev *a)
{
	struct nsim_dev *b = rcu_dereference_protected(a->peer, lockdep_is_held(&nsim_lock));
	LIST_HEAD(kill);

	nsim_sysfs_dev_del(a);
	list_del(&a->list);
	if (b) {
		nsim_sysfs_dev_del(b);
		list_del(&b->list);
	}
	rtnl_lock();
	unregister_netdevice_queue(a->netdev, &kill);
	if (b)
		unregister_netdevice_queue(b->netdev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

int nsim_pair_del(const char *name)
{
	struct nsim_dev *nd;
	int err = -ENODEV;

	mutex_lock(&nsim_lock);
	list_for_each_entry(nd, &nsim_devs, list) {
		if (!strcmp(nd->name, name)) {
			nsim_pair_destroy(nd);
			err = 0;
			break;
		}
	}
	mutex_unlock(&nsim_lock);
	return err;
}

void nsim_pair_del_all(void)
{
	mutex_lock(&nsim_lock);
	while (!list_empty(&nsim_devs))
		nsim_pair_destroy(list_first_entry(&nsim_devs, struct nsim_dev, list));
	mutex_unlock(&nsim_lock);
}
