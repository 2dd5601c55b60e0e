/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The frames of sfcd's health probes (user/sfcd/probe.c), built and read
 * without a socket of the kernel's: an ICMP or ICMPv6 echo request, a TCP
 * SYN and its RST, ARP and neighbour discovery for the probe's source
 * address, and what an SF sends back. Pure functions on byte buffers.
 */
#ifndef SFC_PROBE_PKT_H
#define SFC_PROBE_PKT_H

#include <stddef.h>
#include <linux/types.h>

#define SFC_PROBE_FRAME_MAX 128   /* every frame built here fits */

/* The two ends of a probe: this side's MAC and address, the SF's. */
struct sfc_probe_ends {
	__u8 family;                  /* 4 or 6 */
	__u8 src_mac[6], dst_mac[6];
	__u8 src[16], dst[16];        /* IPv4: the first 4 bytes */
};

/* Each builder writes one Ethernet frame into buf (at least
 * SFC_PROBE_FRAME_MAX bytes) and returns its length. */

/* ICMP (IPv4) or ICMPv6 echo request, identifier id, sequence seq. */
size_t sfc_probe_echo(__u8 *buf, const struct sfc_probe_ends *e, __u16 id, __u16 seq);
/* A TCP segment without payload (SYN, RST). */
size_t sfc_probe_tcp(__u8 *buf, const struct sfc_probe_ends *e, __u16 sport, __u16 dport,
		     __u32 seq, __u32 ack, __u8 flags);
/* Who has e->dst? ARP request (broadcast) or neighbour solicitation (to
 * the solicited-node group), from e->src at e->src_mac. */
size_t sfc_probe_solicit(__u8 *buf, const struct sfc_probe_ends *e);
/* e->src is at e->src_mac: ARP reply or neighbour advertisement
 * (solicited, override) to the asker at e->dst_mac, e->dst. */
size_t sfc_probe_advert(__u8 *buf, const struct sfc_probe_ends *e);

enum sfc_probe_rx_kind {
	SFC_PROBE_RX_OTHER = 0,   /* nothing a probe reads */
	SFC_PROBE_RX_SOLICIT,     /* ARP request / NS: who has target? */
	SFC_PROBE_RX_ADVERT,      /* ARP reply / NA: target is at mac */
	SFC_PROBE_RX_ECHO_REPLY,
	SFC_PROBE_RX_TCP,
};

/* What a received frame says; checksums are not checked (the SF's stack
 * made them, and a forged answer gains nothing a probe does not). */
struct sfc_probe_rx {
	int kind;                 /* enum sfc_probe_rx_kind */
	__u8 family;
	__u8 mac[6];              /* the sender: Ethernet source */
	__u8 src[16], dst[16];    /* IP source and destination; ARP: sender, target */
	__u8 target[16];          /* SOLICIT, ADVERT: the address asked about */
	__u8 target_mac[6];       /* ADVERT: where target is */
	__u16 id, seq;            /* ECHO_REPLY */
	__u16 sport, dport;       /* TCP */
	__u32 tcp_seq, tcp_ack;
	__u8 tcp_flags;
};

/* 0, rx filled (kind OTHER for anything else), or -1 for a frame too
 * short or malformed for what its headers say it is. */
int sfc_probe_frame_parse(const __u8 *frame, size_t len, struct sfc_probe_rx *rx);

/* IPv6 link-local address of a MAC (modified EUI-64): a probe's source
 * address when none is configured. */
void sfc_probe_link_local(const __u8 mac[6], __u8 addr[16]);

#endif
