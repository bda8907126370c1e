// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_nsim: an emulated NIC with TLS 1.2 AES-GCM offload and real crypto,
 * so that the kernel's TLS_HW paths run, and can be tested, without the
 * hardware. See README.md ("ktls_nsim") for the sysfs interface.
 */
#include <linux/module.h>

#include "nsim.h"

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "device pairs to create at load (default 1: knsim0 <-> knsim1)");

static int __init nsim_init(void)
{
	unsigned int i;
	int err;

	err = nsim_sysfs_init();
	if (err)
		return err;
	for (i = 0; i < pairs; i++) {
		err = nsim_pair_new(NULL, NULL);
		if (err) {
			pr_err(NSIM_DRV_NAME ": creating pair %u: %d\n", i, err);
			nsim_sysfs_stop();
			nsim_pair_del_all();
			nsim_sysfs_exit();
			return err;
		}
	}
	return 0;
}

static void __exit nsim_exit(void)
{
	nsim_sysfs_stop();
	/*
	 * Unregistering takes the devices down: the kernel moves every
	 * offloaded socket to software and deletes our contexts first.
	 */
	nsim_pair_del_all();
	rcu_barrier();	/* contexts are freed after a grace period */
	nsim_sysfs_exit();
}

module_init(nsim_init);
module_exit(nsim_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("emulated NIC with TLS 1.2 AES-GCM offload (kTLS TLS_HW) and real crypto");
MODULE_AUTHOR("ktlsd developers");
