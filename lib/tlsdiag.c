// SPDX-License-Identifier: LGPL-2.1-or-later
/* The TLS part of a sock_diag answer: shared by libktlsd and ktlsctl. */
#define _GNU_SOURCE
#include <netdb.h>
#include <linux/inet_diag.h>
#include <linux/tls.h>
#include <string.h>

#include "tlsdiag.h"

static enum ktlsd_mode mode_of(struct nlattr *attr)
{
	uint16_t conf = attr ? nla_get_u16(attr) : 0;

	return conf >= TLS_CONF_BASE && conf <= TLS_CONF_HW_RECORD ?
		(enum ktlsd_mode)conf : KTLSD_MODE_UNKNOWN;
}

int tls_diag_parse(struct nlattr *ulp_info, struct tls_diag *out)
{
	struct nlattr *ulp[INET_ULP_INFO_MAX + 1], *tls[TLS_INFO_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (!ulp_info || nla_parse_nested(ulp, INET_ULP_INFO_MAX, ulp_info, NULL) < 0 ||
	    !ulp[INET_ULP_INFO_TLS] ||
	    nla_parse_nested(tls, TLS_INFO_MAX, ulp[INET_ULP_INFO_TLS], NULL) < 0)
		return -1;
	out->version = tls[TLS_INFO_VERSION] ? nla_get_u16(tls[TLS_INFO_VERSION]) : 0;
	out->cipher = tls[TLS_INFO_CIPHER] ? nla_get_u16(tls[TLS_INFO_CIPHER]) : 0;
	out->tx = mode_of(tls[TLS_INFO_TXCONF]);
	out->rx = mode_of(tls[TLS_INFO_RXCONF]);
	out->zc_ro_tx = !!tls[TLS_INFO_ZC_RO_TX];
	out->rx_no_pad = !!tls[TLS_INFO_RX_NO_PAD];
	return 0;
}
