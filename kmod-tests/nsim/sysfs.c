// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/ktls_nsim: new_pair and del_pair, and one folder per device
 * (named as the device was at creation) with its knobs and counters.
 */
#include <linux/completion.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "nsim.h"

static struct kobject *nsim_root;

static struct nsim_dev *to_nsim(struct kobject *kobj)
{
	return container_of(kobj, struct nsim_dev, kobj);
}

/* "knsim4 knsim5", or nothing for the next free pair of knsimN names. */
static ssize_t new_pair_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	char a[IFNAMSIZ] = "", b[IFNAMSIZ] = "", extra[2];
	int n, err;

	n = sscanf(buf, "%15s %15s %1s", a, b, extra);
	if (n == 1 || n > 2)
		return -EINVAL;
	err = nsim_pair_new(n == 2 ? a : NULL, n == 2 ? b : NULL);
	return err ? err : count;
}

static ssize_t del_pair_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	char name[IFNAMSIZ];
	int err;

	if (sscanf(buf, "%15s", name) != 1)
		return -EINVAL;
	err = nsim_pair_del(name);
	return err ? err : count;
}

static struct kobj_attribute new_pair_attr = __ATTR_WO(new_pair);
static struct kobj_attribute del_pair_attr = __ATTR_WO(del_pair);

static struct attribute *root_attrs[] = {
	&new_pair_attr.attr,
	&del_pair_attr.attr,
	NULL,
};

static const struct attribute_group root_group = {
	.attrs = root_attrs,
};

/* Per device. */

static ssize_t u32_store(const char *buf, size_t count, u32 *out)
{
	int err = kstrtou32(buf, 0, out);

	return err ? err : count;
}

static ssize_t peer_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nsim_dev *peer;
	ssize_t n;

	rcu_read_lock();
	peer = rcu_dereference(to_nsim(kobj)->peer);
	n = sysfs_emit(buf, "%s\n", peer ? peer->name : "");
	rcu_read_unlock();
	return n;
}

static ssize_t ifindex_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_nsim(kobj)->netdev->ifindex);
}

static ssize_t max_ctx_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_nsim(kobj)->max_ctx));
}

static ssize_t max_ctx_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct nsim_dev *nd = to_nsim(kobj);
	ssize_t ret;
	u32 v;

	ret = u32_store(buf, count, &v);
	if (ret > 0) {
		spin_lock_bh(&nd->ctx_lock);
		nd->max_ctx = v;
		spin_unlock_bh(&nd->ctx_lock);
	}
	return ret;
}

static ssize_t ctx_show(struct kobject *kobj, char *buf, bool tx)
{
	struct nsim_dev *nd = to_nsim(kobj);
	u32 v;

	spin_lock_bh(&nd->ctx_lock);
	v = tx ? nd->tx_ctx_count : nd->rx_ctx_count;
	spin_unlock_bh(&nd->ctx_lock);
	return sysfs_emit(buf, "%u\n", v);
}

static ssize_t tx_ctx_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return ctx_show(kobj, buf, true);
}

static ssize_t rx_ctx_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return ctx_show(kobj, buf, false);
}

static ssize_t seed_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_nsim(kobj)->seed));
}

static ssize_t seed_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	ssize_t ret;
	u32 v;

	ret = u32_store(buf, count, &v);
	if (ret > 0)
		nsim_fault_reseed(to_nsim(kobj), v);
	return ret;
}

/* The faults: "N" means one data segment (or record) in N; 0 turns it off. */
static struct nsim_fault *fault_of(struct nsim_dev *nd, const char *name)
{
	if (!strcmp(name, "drop"))
		return &nd->drop;
	if (!strcmp(name, "duplicate"))
		return &nd->duplicate;
	if (!strcmp(name, "reorder"))
		return &nd->reorder;
	return &nd->corrupt;
}

static ssize_t fault_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(fault_of(to_nsim(kobj), attr->attr.name)->every));
}

static ssize_t fault_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct nsim_dev *nd = to_nsim(kobj);
	ssize_t ret;
	u32 v;

	ret = u32_store(buf, count, &v);
	if (ret < 0)
		return ret;
	if (v == 1)
		return -EINVAL;	/* every segment: nothing would get through */
	spin_lock_bh(&nd->fault_lock);
	fault_of(nd, attr->attr.name)->every = v;
	spin_unlock_bh(&nd->fault_lock);
	return ret;
}

static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct nsim_dev *nd = to_nsim(kobj);
	ssize_t n = 0;
	int i;

	for (i = 0; i < NSIM_STAT_COUNT; i++)
		n += sysfs_emit_at(buf, n, "%s %lld\n", nsim_stat_names[i],
				   (long long)atomic64_read(&nd->stats[i]));
	return n;
}

static struct kobj_attribute peer_attr = __ATTR_RO(peer);
static struct kobj_attribute ifindex_attr = __ATTR_RO(ifindex);
static struct kobj_attribute max_ctx_attr = __ATTR_RW(max_ctx);
static struct kobj_attribute tx_ctx_attr = __ATTR_RO(tx_ctx);
static struct kobj_attribute rx_ctx_attr = __ATTR_RO(rx_ctx);
static struct kobj_attribute seed_attr = __ATTR_RW(seed);
static struct kobj_attribute drop_attr = __ATTR(drop, 0644, fault_show, fault_store);
static struct kobj_attribute duplicate_attr = __ATTR(duplicate, 0644, fault_show, fault_store);
static struct kobj_attribute reorder_attr = __ATTR(reorder, 0644, fault_show, fault_store);
static struct kobj_attribute corrupt_attr = __ATTR(corrupt, 0644, fault_show, fault_store);
static struct kobj_attribute stats_attr = __ATTR_RO(stats);

static struct attribute *dev_attrs[] = {
	&peer_attr.attr,
	&ifindex_attr.attr,
	&max_ctx_attr.attr,
	&tx_ctx_attr.attr,
	&rx_ctx_attr.attr,
	&seed_attr.attr,
	&drop_attr.attr,
	&duplicate_attr.attr,
	&reorder_attr.attr,
	&corrupt_attr.attr,
	&stats_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dev);

/* The kobject lives inside the netdev's private area: wait for its end. */
static void nsim_kobj_release(struct kobject *kobj)
{
	complete(&to_nsim(kobj)->kobj_gone);
}

static struct kobj_type nsim_dev_ktype = {
	.release	= nsim_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= dev_groups,
};

int nsim_sysfs_dev_add(struct nsim_dev *nd)
{
	int err;

	init_completion(&nd->kobj_gone);
	err = kobject_init_and_add(&nd->kobj, &nsim_dev_ktype, nsim_root, "%s", nd->name);
	if (err) {
		kobject_put(&nd->kobj);
		wait_for_completion(&nd->kobj_gone);
	}
	return err;
}

void nsim_sysfs_dev_del(struct nsim_dev *nd)
{
	kobject_del(&nd->kobj);
	kobject_put(&nd->kobj);
	wait_for_completion(&nd->kobj_gone);
}

int nsim_sysfs_init(void)
{
	int err;

	nsim_root = kobject_create_and_add(NSIM_DRV_NAME, kernel_kobj);
	if (!nsim_root)
		return -ENOMEM;
	err = sysfs_create_group(nsim_root, &root_group);
	if (err)
		kobject_put(nsim_root);
	return err;
}

/* First the files that create and delete: nothing may race the unload. */
void nsim_sysfs_stop(void)
{
	sysfs_remove_group(nsim_root, &root_group);
}

void nsim_sysfs_exit(void)
{
	kobject_put(nsim_root);
}
