/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Network Service Header (RFC 8300) on the wire: its layout, the
 * checks RFC 8300 says a receiver must make, and building one. Plain C
 * on bytes already in memory, for the datapath (on a header it has bounds
 * checked or copied) and for user space alike; no byte of it is read
 * beyond the length it is given.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Service Path Identifier (SPI)        | Service Index |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  MD type 1: 16 bytes of fixed context; MD type 2: zero or more |
 * |  context headers, each: Metadata Class (16) | Type (8) | U (1) |
 * |  | Length (7, bytes of metadata) | metadata padded to 4 bytes   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Length counts 4-byte words of the whole header: 6 for MD type 1, at
 * least 2 for MD type 2. Unassigned (U) bits are sent as zero by the
 * element that builds a header and kept as received by the ones that
 * forward it: the setters below change only their own field.
 */
#ifndef SFC_NSH_H
#define SFC_NSH_H

#include <linux/types.h>

#define SFC_ETH_P_NSH        0x894F  /* EtherType of NSH over Ethernet */
#define SFC_VXLAN_GPE_PORT   4790    /* UDP port of VXLAN-GPE (RFC 9541 §3) */
#define SFC_VXLAN_GPE_NP_NSH 0x4     /* VXLAN-GPE next protocol: NSH */

#define SFC_NSH_BASE_LEN     8       /* base header + service path header */
#define SFC_NSH_MD1_CTX_LEN  16
#define SFC_NSH_MD1_LEN      (SFC_NSH_BASE_LEN + SFC_NSH_MD1_CTX_LEN)
#define SFC_NSH_MD1_WORDS    6
#define SFC_NSH_MAX_LEN      (0x3f * 4) /* Length is 6 bits of words */
#define SFC_NSH_TTL_DEFAULT  63
#define SFC_NSH_TTL_MAX      63

/* MD types */
#define SFC_NSH_MD_RESERVED  0x0
#define SFC_NSH_MD1          0x1
#define SFC_NSH_MD2          0x2
#define SFC_NSH_MD_EXP       0xF

/* Next protocols (RFC 8300 §11.2.5) */
#define SFC_NSH_NP_IPV4      0x1
#define SFC_NSH_NP_IPV6      0x2
#define SFC_NSH_NP_ETHERNET  0x3
#define SFC_NSH_NP_NSH       0x4
#define SFC_NSH_NP_MPLS      0x5

struct sfc_nsh {
	__u8  b0;     /* Ver (2) | O | U | TTL bits 5..2 */
	__u8  b1;     /* TTL bits 1..0 | Length (6) */
	__u8  md;     /* U U U U | MD Type (4) */
	__u8  np;     /* Next Protocol */
	__be32 sp;    /* SPI (24) | SI (8) */
};
_Static_assert(sizeof(struct sfc_nsh) == SFC_NSH_BASE_LEN, "sfc_nsh layout");

/* An MD type 2 context header; its metadata follows, padded to 4 bytes. */
struct sfc_nsh_tlv {
	__be16 md_class;
	__u8   type;
	__u8   len;   /* U | Length (7): bytes of metadata, before padding */
};
_Static_assert(sizeof(struct sfc_nsh_tlv) == 4, "sfc_nsh_tlv layout");

/* What sfc_nsh_check finds wrong with a header (0: nothing). */
enum sfc_nsh_err {
	SFC_NSH_OK = 0,
	SFC_NSH_E_TRUNCATED,   /* shorter than its Length, or than 8 bytes */
	SFC_NSH_E_VERSION,     /* Ver is not 0 */
	SFC_NSH_E_MD_TYPE,     /* MD type 0x0, 0xF, or one this SFF does not support */
	SFC_NSH_E_LENGTH,      /* Length not 6 for MD type 1, or under 2 for MD type 2 */
	SFC_NSH_E_CONTEXT,     /* MD type 2 context headers do not fill Length exactly */
	SFC_NSH_E_NEXT_PROTO,  /* a next protocol this SFF does not carry */
	SFC_NSH_E_OAM,         /* O bit set: an OAM packet, never forwarded as data */
	SFC_NSH_E_MAX,
};

static inline __u32 sfc_nsh_ntohl(__be32 v)
{
	const __u8 *b = (const __u8 *)&v;

	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

static inline __be32 sfc_nsh_htonl(__u32 v)
{
	__be32 r;
	__u8 *b = (__u8 *)&r;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	return r;
}

static inline __u32 sfc_nsh_ver(const struct sfc_nsh *h) { return h->b0 >> 6; }
static inline __u32 sfc_nsh_oam(const struct sfc_nsh *h) { return (h->b0 >> 5) & 1; }
static inline __u32 sfc_nsh_ttl(const struct sfc_nsh *h)
{
	return (h->b0 & 0x0f) << 2 | h->b1 >> 6;
}
static inline __u32 sfc_nsh_words(const struct sfc_nsh *h) { return h->b1 & 0x3f; }
static inline __u32 sfc_nsh_len(const struct sfc_nsh *h) { return sfc_nsh_words(h) * 4; }
static inline __u32 sfc_nsh_md_type(const struct sfc_nsh *h) { return h->md & 0x0f; }
static inline __u32 sfc_nsh_spi(const struct sfc_nsh *h) { return sfc_nsh_ntohl(h->sp) >> 8; }
static inline __u32 sfc_nsh_si(const struct sfc_nsh *h) { return sfc_nsh_ntohl(h->sp) & 0xff; }

/* Setters: each changes its field alone (U bits stay as they were). */
static inline void sfc_nsh_set_ttl(struct sfc_nsh *h, __u32 ttl)
{
	h->b0 = (h->b0 & 0xf0) | ((ttl >> 2) & 0x0f);
	h->b1 = (h->b1 & 0x3f) | (__u8)((ttl & 3) << 6);
}

static inline void sfc_nsh_set_path(struct sfc_nsh *h, __u32 spi, __u32 si)
{
	h->sp = sfc_nsh_htonl((spi & 0xffffff) << 8 | (si & 0xff));
}

/*
 * The TTL an SFF forwards the packet with, decremented before its
 * forwarding lookup (RFC 8300 §2.2): one less than received, in 6 bits
 * (a received 0 becomes 63); 0 means the packet must not be forwarded.
 */
static inline __u32 sfc_nsh_ttl_next(const struct sfc_nsh *h)
{
	return (sfc_nsh_ttl(h) - 1) & SFC_NSH_TTL_MAX;
}

static inline int sfc_nsh_np_supported(__u32 np)
{
	return np == SFC_NSH_NP_IPV4 || np == SFC_NSH_NP_IPV6 || np == SFC_NSH_NP_ETHERNET;
}

/*
 * MD type 2 context headers in ctx[0..len): each one's metadata, padded
 * to 4 bytes, must end within len, and together they must fill it
 * exactly. Bounded: a context header takes at least 4 bytes of at most
 * SFC_NSH_MAX_LEN - 8.
 */
static inline int sfc_nsh_md2_check(const __u8 *ctx, __u32 len)
{
	__u32 off = 0;
	int i;

	for (i = 0; i < (SFC_NSH_MAX_LEN - SFC_NSH_BASE_LEN) / 4; i++) {
		__u32 mlen;

		if (off == len)
			return SFC_NSH_OK;
		if (off + 4 > len)
			return SFC_NSH_E_CONTEXT;
		mlen = ctx[off + 3] & 0x7f;
		off += 4 + ((mlen + 3) & ~3u);
		if (off > len)
			return SFC_NSH_E_CONTEXT;
	}
	return off == len ? SFC_NSH_OK : SFC_NSH_E_CONTEXT;
}

/*
 * What RFC 8300 makes a receiving SFF check, on the avail bytes at h
 * (the header and whatever follows it): SFC_NSH_OK, or what is wrong,
 * in the order the fields are read. An OAM packet is reported after
 * every other check, so that its header is known to be well formed.
 */
static inline int sfc_nsh_check(const __u8 *h, __u32 avail)
{
	const struct sfc_nsh *n = (const struct sfc_nsh *)h;
	__u32 md, len;

	if (avail < SFC_NSH_BASE_LEN)
		return SFC_NSH_E_TRUNCATED;
	if (sfc_nsh_ver(n) != 0)
		return SFC_NSH_E_VERSION;
	md = sfc_nsh_md_type(n);
	if (md != SFC_NSH_MD1 && md != SFC_NSH_MD2)
		return SFC_NSH_E_MD_TYPE;
	len = sfc_nsh_len(n);
	if (md == SFC_NSH_MD1 ? len != SFC_NSH_MD1_LEN : len < SFC_NSH_BASE_LEN)
		return SFC_NSH_E_LENGTH;
	if (len > avail)
		return SFC_NSH_E_TRUNCATED;
	if (md == SFC_NSH_MD2 &&
	    sfc_nsh_md2_check(h + SFC_NSH_BASE_LEN, len - SFC_NSH_BASE_LEN))
		return SFC_NSH_E_CONTEXT;
	if (!sfc_nsh_np_supported(n->np))
		return SFC_NSH_E_NEXT_PROTO;
	if (sfc_nsh_oam(n))
		return SFC_NSH_E_OAM;
	return SFC_NSH_OK;
}

/*
 * A new MD type 1 header at h (SFC_NSH_MD1_LEN bytes): version 0, U bits
 * zero, the given TTL, SPI, SI and next protocol, and ctx (16 bytes, or
 * NULL for zeros: a context that carries no metadata is zero).
 */
static inline void sfc_nsh_md1_build(__u8 *h, __u32 spi, __u32 si, __u32 ttl, __u32 np,
				     const __u8 *ctx)
{
	struct sfc_nsh *n = (struct sfc_nsh *)h;
	int i;

	n->b0 = 0;
	n->b1 = SFC_NSH_MD1_WORDS;
	n->md = SFC_NSH_MD1;
	n->np = np;
	sfc_nsh_set_ttl(n, ttl);
	sfc_nsh_set_path(n, spi, si);
	for (i = 0; i < SFC_NSH_MD1_CTX_LEN; i++)
		h[SFC_NSH_BASE_LEN + i] = ctx ? ctx[i] : 0;
}

#endif
