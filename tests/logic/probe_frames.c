// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The frames of sfcd's health probes (user/lib/probe_pkt.c): every header
 * field where its RFC puts it, checksums that verify, answers read back,
 * and frames cut short or lying about their lengths refused without a
 * read past their end (the sanitizer build runs this too).
 */
#include <arpa/inet.h>

#include "check.h"
#include "probe_pkt.h"

static const __u8 mac_a[6] = { 0x02, 0x73, 0x66, 0x63, 0x68, 0x63 };
static const __u8 mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static struct sfc_probe_ends ends(int family)
{
	struct sfc_probe_ends e = { .family = family };

	memcpy(e.src_mac, mac_a, 6);
	memcpy(e.dst_mac, mac_b, 6);
	if (family == 4) {
		inet_pton(AF_INET, "198.18.3.253", e.src);
		inet_pton(AF_INET, "198.18.3.1", e.dst);
	} else {
		inet_pton(AF_INET6, "2001:db8:4::fd", e.src);
		inet_pton(AF_INET6, "2001:db8:4::1", e.dst);
	}
	return e;
}

/* the swapped ends: what the SF answers with */
static struct sfc_probe_ends back(const struct sfc_probe_ends *e)
{
	struct sfc_probe_ends b = { .family = e->family };

	memcpy(b.src_mac, e->dst_mac, 6);
	memcpy(b.dst_mac, e->src_mac, 6);
	memcpy(b.src, e->dst, 16);
	memcpy(b.dst, e->src, 16);
	return b;
}

static unsigned sum16(const __u8 *p, size_t n, unsigned s)
{
	for (; n > 1; n -= 2, p += 2)
		s += p[0] << 8 | p[1];
	if (n)
		s += p[0] << 8;
	return s;
}

static unsigned folded(unsigned s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* 0xffff when the frame's IP header (IPv4) and L4 checksums verify */
static unsigned l4_ok(const __u8 *f, size_t len)
{
	const __u8 *ip = f + 14;

	if (ip[0] >> 4 == 4) {
		size_t l4len = len - 14 - 20;
		unsigned s = 0;

		if (folded(sum16(ip, 20, 0)) != 0xffff)
			return 0;
		if (ip[9] != 1)
			s = sum16(ip + 12, 8, ip[9] + (unsigned)l4len);
		return folded(sum16(ip + 20, l4len, s));
	}
	size_t l4len = (size_t)(ip[4] << 8 | ip[5]);

	return folded(sum16(ip + 40, l4len, sum16(ip + 8, 32, ip[6] + (unsigned)l4len)));
}

static void echo_v4(void)
{
	struct sfc_probe_ends e = ends(4), b = back(&e);
	__u8 f[SFC_PROBE_FRAME_MAX], r[SFC_PROBE_FRAME_MAX];
	struct sfc_probe_rx rx;
	size_t n = sfc_probe_echo(f, &e, 0x1234, 7);

	ASSERT_EQ(n, 14 + 20 + 8 + 16, "length");
	ASSERT_MEM_EQ(f, mac_b, 6, "destination MAC");
	ASSERT_MEM_EQ(f + 6, mac_a, 6, "source MAC");
	ASSERT_EQ(f[12] << 8 | f[13], 0x0800, "EtherType");
	ASSERT_EQ(f[14], 0x45, "version, IHL");
	ASSERT_EQ(f[16] << 8 | f[17], 20 + 8 + 16, "total length");
	ASSERT_EQ(f[20], 0x40, "DF");
	ASSERT_EQ(f[23], 1, "protocol");
	ASSERT_MEM_EQ(f + 26, e.src, 4, "source");
	ASSERT_MEM_EQ(f + 30, e.dst, 4, "destination");
	ASSERT_EQ(f[34], 8, "echo request");
	ASSERT_EQ(f[38] << 8 | f[39], 0x1234, "identifier");
	ASSERT_EQ(f[40] << 8 | f[41], 7, "sequence");
	ASSERT_EQ(l4_ok(f, n), 0xffff, "checksums");
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the request");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_OTHER, "a request is no answer");

	/* the answer: the SF's stack turns type 8 into 0 */
	n = sfc_probe_echo(r, &b, 0x1234, 7);
	r[34] = 0;
	ASSERT_OK(sfc_probe_frame_parse(r, n, &rx), "parse the reply");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_ECHO_REPLY, "kind");
	ASSERT_EQ(rx.family, 4, "family");
	ASSERT_EQ(rx.id, 0x1234, "id");
	ASSERT_EQ(rx.seq, 7, "seq");
	ASSERT_MEM_EQ(rx.src, e.dst, 4, "from the SF");
	ASSERT_MEM_EQ(rx.dst, e.src, 4, "to the probe");
	ASSERT_MEM_EQ(rx.mac, mac_b, 6, "sender MAC");
}

static void echo_v6(void)
{
	struct sfc_probe_ends e = ends(6), b = back(&e);
	__u8 f[SFC_PROBE_FRAME_MAX];
	struct sfc_probe_rx rx;
	size_t n = sfc_probe_echo(f, &e, 9, 65535);

	ASSERT_EQ(n, 14 + 40 + 8 + 16, "length");
	ASSERT_EQ(f[12] << 8 | f[13], 0x86dd, "EtherType");
	ASSERT_EQ(f[14] >> 4, 6, "version");
	ASSERT_EQ(f[18] << 8 | f[19], 8 + 16, "payload length");
	ASSERT_EQ(f[20], 58, "next header");
	ASSERT_EQ(f[21], 64, "hop limit");
	ASSERT_EQ(f[54], 128, "echo request");
	ASSERT_EQ(l4_ok(f, n), 0xffff, "checksum");
	n = sfc_probe_echo(f, &b, 9, 65535);
	f[54] = 129;
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the reply");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_ECHO_REPLY, "kind");
	ASSERT_EQ(rx.seq, 65535, "seq");
	ASSERT_MEM_EQ(rx.src, e.dst, 16, "from the SF");
}

static void tcp_both(void)
{
	for (int fam = 4; fam <= 6; fam += 2) {
		struct sfc_probe_ends e = ends(fam), b = back(&e);
		__u8 f[SFC_PROBE_FRAME_MAX];
		struct sfc_probe_rx rx;
		size_t l3 = fam == 4 ? 20 : 40, n;

		n = sfc_probe_tcp(f, &e, 40000, 7000, 0xdeadbeef, 0, 0x02);
		ASSERT_EQ(n, 14 + l3 + 20, "length");
		ASSERT_EQ(f[14 + l3] << 8 | f[15 + l3], 40000, "source port");
		ASSERT_EQ(f[16 + l3] << 8 | f[17 + l3], 7000, "destination port");
		ASSERT_EQ(f[26 + l3], 5 << 4, "data offset");
		ASSERT_EQ(f[27 + l3], 0x02, "SYN");
		ASSERT_EQ(l4_ok(f, n), 0xffff, "checksum");
		n = sfc_probe_tcp(f, &b, 7000, 40000, 77, 0xdeadbef0, 0x12);
		ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the SYN-ACK");
		ASSERT_EQ(rx.kind, SFC_PROBE_RX_TCP, "kind");
		ASSERT_EQ(rx.sport, 7000, "sport");
		ASSERT_EQ(rx.dport, 40000, "dport");
		ASSERT_EQ(rx.tcp_seq, 77, "seq");
		ASSERT_EQ(rx.tcp_ack, 0xdeadbef0, "ack");
		ASSERT_EQ(rx.tcp_flags, 0x12, "flags");
	}
}

static void arp(void)
{
	struct sfc_probe_ends e = ends(4), b = back(&e);
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	__u8 f[SFC_PROBE_FRAME_MAX];
	struct sfc_probe_rx rx;
	size_t n = sfc_probe_solicit(f, &e);

	ASSERT_EQ(n, 14 + 28, "length");
	ASSERT_MEM_EQ(f, bcast, 6, "a request is broadcast");
	ASSERT_EQ(f[12] << 8 | f[13], 0x0806, "EtherType");
	ASSERT_EQ(f[20] << 8 | f[21], 1, "request");
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the request");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_SOLICIT, "kind");
	ASSERT_MEM_EQ(rx.target, e.dst, 4, "asks for the SF's address");
	ASSERT_MEM_EQ(rx.src, e.src, 4, "from the probe's");

	n = sfc_probe_advert(f, &b);
	ASSERT_MEM_EQ(f, mac_a, 6, "a reply goes to the asker");
	ASSERT_EQ(f[20] << 8 | f[21], 2, "reply");
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the reply");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_ADVERT, "kind");
	ASSERT_MEM_EQ(rx.target, e.dst, 4, "the address answered for");
	ASSERT_MEM_EQ(rx.target_mac, mac_b, 6, "is at");
}

static void nd(void)
{
	struct sfc_probe_ends e = ends(6), b = back(&e);
	static const __u8 group_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
	__u8 f[SFC_PROBE_FRAME_MAX], group[16];
	struct sfc_probe_rx rx;
	size_t n = sfc_probe_solicit(f, &e);

	inet_pton(AF_INET6, "ff02::1:ff00:1", group);
	ASSERT_EQ(n, 14 + 40 + 32, "length");
	ASSERT_MEM_EQ(f, group_mac, 6, "to the solicited-node group's MAC");
	ASSERT_MEM_EQ(f + 38, group, 16, "to the solicited-node group");
	ASSERT_EQ(f[21], 255, "hop limit 255");
	ASSERT_EQ(f[54], 135, "NS");
	ASSERT_EQ(l4_ok(f, n), 0xffff, "checksum");
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the NS");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_SOLICIT, "kind");
	ASSERT_MEM_EQ(rx.target, e.dst, 16, "target");

	n = sfc_probe_advert(f, &b);
	ASSERT_EQ(f[54], 136, "NA");
	ASSERT_EQ(f[58], 0x60, "solicited, override");
	ASSERT_EQ(l4_ok(f, n), 0xffff, "checksum");
	ASSERT_OK(sfc_probe_frame_parse(f, n, &rx), "parse the NA");
	ASSERT_EQ(rx.kind, SFC_PROBE_RX_ADVERT, "kind");
	ASSERT_MEM_EQ(rx.target, e.dst, 16, "target");
	ASSERT_MEM_EQ(rx.target_mac, mac_b, 6, "target link-layer address");
}

static void link_local(void)
{
	__u8 a[16], want[16];

	sfc_probe_link_local(mac_a, a);
	inet_pton(AF_INET6, "fe80::73:66ff:fe63:6863", want);
	ASSERT_MEM_EQ(a, want, 16, "modified EUI-64");
}

/* every frame cut short, and lengths that lie: refused or read as
 * nothing, never past the end (the sanitizer build checks that) */
static void short_and_lying(void)
{
	struct sfc_probe_ends e4 = ends(4), e6 = ends(6);
	__u8 frames[6][SFC_PROBE_FRAME_MAX];
	size_t lens[6];
	struct sfc_probe_rx rx;

	lens[0] = sfc_probe_echo(frames[0], &e4, 1, 1);
	lens[1] = sfc_probe_echo(frames[1], &e6, 1, 1);
	lens[2] = sfc_probe_tcp(frames[2], &e4, 1, 2, 3, 4, 0x12);
	lens[3] = sfc_probe_tcp(frames[3], &e6, 1, 2, 3, 4, 0x12);
	lens[4] = sfc_probe_solicit(frames[4], &e4);
	lens[5] = sfc_probe_advert(frames[5], &e6);
	for (int i = 0; i < 6; i++) {
		for (size_t n = 0; n < lens[i]; n++) {
			__u8 *cut = malloc(n ? n : 1);
			int ret;

			memcpy(cut, frames[i], n);
			ret = sfc_probe_frame_parse(cut, n, &rx);
			free(cut);
			if (ret == 0 && rx.kind != SFC_PROBE_RX_OTHER && n < lens[i] &&
			    !(i == 5 && n >= 14 + 40 + 24))
				FAIL("frame %d cut at %zu read as kind %d", i, n, rx.kind);
		}
	}
	/* an IPv4 total length beyond the frame */
	frames[0][16] = 0x0f;
	ASSERT_EQ(sfc_probe_frame_parse(frames[0], lens[0], &rx), -1, "IPv4 length too long");
	/* an IPv6 payload length beyond the frame */
	frames[1][18] = 0x0f;
	ASSERT_EQ(sfc_probe_frame_parse(frames[1], lens[1], &rx), -1, "IPv6 length too long");
	/* a neighbour option of length 0 ends the walk */
	lens[5] = sfc_probe_advert(frames[5], &e6);
	frames[5][14 + 40 + 25] = 0;
	ASSERT_OK(sfc_probe_frame_parse(frames[5], lens[5], &rx), "option of length 0");
	ASSERT_MEM_EQ(rx.target_mac, mac_a, 6, "then the frame's source");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(echo_v4),
		UNIT_TEST(echo_v6),
		UNIT_TEST(tcp_both),
		UNIT_TEST(arp),
		UNIT_TEST(nd),
		UNIT_TEST(link_local),
		UNIT_TEST(short_and_lying),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
