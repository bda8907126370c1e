/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to libktlsd and its tools: the TLS part of a sock_diag answer
 * (INET_DIAG_ULP_INFO → INET_ULP_INFO_TLS → TLS_INFO_*).
 */
#ifndef KTLSD_TLSDIAG_H
#define KTLSD_TLSDIAG_H

#include <stdint.h>
#include <netlink/attr.h>

#include "ktlsd.h"

struct tls_diag {
	uint16_t version;	/* TLS_1_2_VERSION, ...; 0 if not reported */
	uint16_t cipher;	/* TLS_CIPHER_*; 0 if not reported */
	enum ktlsd_mode tx, rx;
	int zc_ro_tx;		/* zerocopy sendfile */
	int rx_no_pad;
};

/*
 * Parse @ulp_info (the INET_DIAG_ULP_INFO attribute). 0, or -1 if it does
 * not hold TLS information (another ULP, or none).
 */
int tls_diag_parse(struct nlattr *ulp_info, struct tls_diag *out);

#endif
