// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on the wire between the two ends: drop, duplicate or
 * reorder one TCP segment in N, deterministically for a given seed. Only
 * segments that carry data are touched, so that it is the TLS offload
 * paths (transmit replay, receive resync) that get exercised, not SYN
 * retransmission timers. Corruption is applied by the transmit path, which
 * knows where records are (see tx.c).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/tcp.h>

#include "nsim.h"

/* A packet held back for reordering goes out after the next one, or now. */
#define NSIM_HOLD_MAX_MS 10

static u32 xorshift32(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

bool nsim_fault_hit(struct nsim_dev *nd, struct nsim_fault *f)
{
	bool hit = false;

	spin_lock_bh(&nd->fault_lock);
	if (f->every)
		hit = xorshift32(&f->rng) % f->every == 0;
	spin_unlock_bh(&nd->fault_lock);
	return hit;
}

void nsim_fault_reseed(struct nsim_dev *nd, u32 seed)
{
	/* xorshift must not start at 0; each fault gets its own sequence. */
	spin_lock_bh(&nd->fault_lock);
	nd->seed = seed;
	nd->drop.rng = seed * 2654435761u + 1;
	nd->duplicate.rng = seed * 2654435761u + 2;
	nd->reorder.rng = seed * 2654435761u + 3;
	nd->corrupt.rng = seed * 2654435761u + 4;
	spin_unlock_bh(&nd->fault_lock);
}

static bool carries_tcp_data(struct sk_buff *skb)
{
	u8 proto;

	if (!skb_transport_header_was_set(skb))
		return false;
	if (skb->protocol == htons(ETH_P_IP))
		proto = ip_hdr(skb)->protocol;
	else if (skb->protocol == htons(ETH_P_IPV6))
		proto = ipv6_hdr(skb)->nexthdr;
	else
		return false;
	return proto == IPPROTO_TCP &&
	       skb->len > skb_transport_offset(skb) + tcp_hdrlen(skb);
}

static struct sk_buff *take_held(struct nsim_dev *nd)
{
	struct sk_buff *skb;

	spin_lock_bh(&nd->fault_lock);
	skb = nd->held;
	nd->held = NULL;
	spin_unlock_bh(&nd->fault_lock);
	return skb;
}

static void deliver_held(struct nsim_dev *nd)
{
	struct sk_buff *held = take_held(nd);
	struct nsim_dev *peer;

	if (!held)
		return;
	rcu_read_lock();
	peer = rcu_dereference(nd->peer);
	if (peer) {
		nsim_stat_add(nd, NSIM_FAULT_REORDERED, 1);
		nsim_deliver(peer, held);
	} else {
		kfree_skb(held);
	}
	rcu_read_unlock();
}

static void held_timeout(struct timer_list *t)
{
	struct nsim_dev *nd = from_timer(nd, t, held_timer);

	deliver_held(nd);
}

/* Try to hold @skb back; false if one is held already. */
static bool hold(struct nsim_dev *nd, struct sk_buff *skb)
{
	bool held = false;

	spin_lock_bh(&nd->fault_lock);
	if (!nd->held) {
		nd->held = skb;
		held = true;
		mod_timer(&nd->held_timer, jiffies + msecs_to_jiffies(NSIM_HOLD_MAX_MS));
	}
	spin_unlock_bh(&nd->fault_lock);
	return held;
}

int nsim_fault_xmit(struct nsim_dev *nd, struct nsim_dev *peer, struct sk_buff *skb)
{
	int ret;

	if (!carries_tcp_data(skb))
		return nsim_deliver(peer, skb);
	if (nsim_fault_hit(nd, &nd->drop)) {
		nsim_stat_add(nd, NSIM_FAULT_DROPPED, 1);
		kfree_skb(skb);
		return NET_RX_SUCCESS;	/* lost on the wire, not by us */
	}
	if (nsim_fault_hit(nd, &nd->duplicate)) {
		struct sk_buff *copy = skb_copy(skb, GFP_ATOMIC);

		if (copy) {
			nsim_stat_add(nd, NSIM_FAULT_DUPLICATED, 1);
			nsim_deliver(peer, copy);
		}
	}
	if (nsim_fault_hit(nd, &nd->reorder) && hold(nd, skb))
		return NET_RX_SUCCESS;
	ret = nsim_deliver(peer, skb);
	deliver_held(nd);
	return ret;
}

void nsim_fault_init(struct nsim_dev *nd)
{
	spin_lock_init(&nd->fault_lock);
	timer_setup(&nd->held_timer, held_timeout, 0);
	nsim_fault_reseed(nd, 1);
}

void nsim_fault_stop(struct nsim_dev *nd)
{
	del_timer_sync(&nd->held_timer);
	kfree_skb(take_held(nd));
}
