// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The NSH wire format of headers/sfc_nsh.h: fields read and written where
 * RFC 8300 puts them, unassigned bits kept, the TTL rule, and every check
 * a receiver must make.
 *
 * Two more modes, for tests/integration/nsh_interop.sh, which holds the
 * headers against implementations sfc did not write (scapy, tshark):
 *   nsh_wire --check FILE   each line "VERDICT HEX" (a header and what
 *                           follows it, as scapy built it): prints
 *                           "ok"/"not ok" lines, sfc_nsh_check's verdict
 *                           against VERDICT
 *   nsh_wire --emit FILE    a pcap of Ethernet + NSH frames that sfc's
 *                           builder made (the fields of each on stdout,
 *                           one JSON object per line)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "sfc_nsh.h"

static const char *const verdict_names[SFC_NSH_E_MAX] = {
	[SFC_NSH_OK] = "ok",
	[SFC_NSH_E_TRUNCATED] = "truncated",
	[SFC_NSH_E_VERSION] = "version",
	[SFC_NSH_E_MD_TYPE] = "md-type",
	[SFC_NSH_E_LENGTH] = "length",
	[SFC_NSH_E_CONTEXT] = "context",
	[SFC_NSH_E_NEXT_PROTO] = "next-protocol",
	[SFC_NSH_E_OAM] = "oam",
};

static const __u8 CTX[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* An MD type 1 header: what RFC 8300's figures put in each bit */
static void md1_header_bits(void)
{
	static const __u8 want[8] = { 0x0f, 0xc6, 0x01, 0x01, 0x12, 0x34, 0x56, 0xff };
	__u8 h[SFC_NSH_MD1_LEN];
	const struct sfc_nsh *n = (const struct sfc_nsh *)h;

	sfc_nsh_md1_build(h, 0x123456, 255, SFC_NSH_TTL_DEFAULT, SFC_NSH_NP_IPV4, CTX);
	ASSERT_MEM_EQ(h, want, 8, "base and service path header");
	ASSERT_MEM_EQ(h + 8, CTX, 16, "fixed context");
	ASSERT_EQ(sfc_nsh_ver(n), 0, "version");
	ASSERT_EQ(sfc_nsh_oam(n), 0, "O bit");
	ASSERT_EQ(sfc_nsh_ttl(n), 63, "TTL");
	ASSERT_EQ(sfc_nsh_words(n), 6, "length in words");
	ASSERT_EQ(sfc_nsh_md_type(n), 1, "MD type");
	ASSERT_EQ(n->np, SFC_NSH_NP_IPV4, "next protocol");
	ASSERT_EQ(sfc_nsh_spi(n), 0x123456, "SPI");
	ASSERT_EQ(sfc_nsh_si(n), 255, "SI");
	ASSERT_EQ(sfc_nsh_check(h, sizeof(h)), SFC_NSH_OK, "verdict");
}

/* A context of zeros when none is given */
static void md1_header_without_context_is_zero(void)
{
	static const __u8 zero[16];
	__u8 h[SFC_NSH_MD1_LEN];

	memset(h, 0xaa, sizeof(h));
	sfc_nsh_md1_build(h, 1, 1, 1, SFC_NSH_NP_IPV6, NULL);
	ASSERT_MEM_EQ(h + 8, zero, 16, "fixed context");
}

/* The setters change their field alone: unassigned bits stay as received */
static void setters_keep_unassigned_bits(void)
{
	__u8 h[SFC_NSH_MD1_LEN];
	struct sfc_nsh *n = (struct sfc_nsh *)h;

	sfc_nsh_md1_build(h, 100, 5, 40, SFC_NSH_NP_ETHERNET, CTX);
	n->b0 |= 0x10;  /* the U bit after O */
	n->md |= 0xf0;  /* the four U bits before MD type */
	sfc_nsh_set_ttl(n, 17);
	sfc_nsh_set_path(n, 0xabcdef, 4);
	ASSERT_EQ(n->b0 & 0x10, 0x10, "U bit of the first byte");
	ASSERT_EQ(n->md & 0xf0, 0xf0, "U bits before MD type");
	ASSERT_EQ(sfc_nsh_ttl(n), 17, "TTL");
	ASSERT_EQ(sfc_nsh_words(n), 6, "length untouched");
	ASSERT_EQ(sfc_nsh_md_type(n), 1, "MD type untouched");
	ASSERT_EQ(sfc_nsh_spi(n), 0xabcdef, "SPI");
	ASSERT_EQ(sfc_nsh_si(n), 4, "SI");
	ASSERT_EQ(sfc_nsh_check(h, sizeof(h)), SFC_NSH_OK, "U bits do not change the verdict");
}

/* TTL decremented in 6 bits before forwarding; 0 after it: not forwarded */
static void ttl_rule(void)
{
	__u8 h[SFC_NSH_MD1_LEN];
	struct sfc_nsh *n = (struct sfc_nsh *)h;

	sfc_nsh_md1_build(h, 1, 1, 63, SFC_NSH_NP_IPV4, NULL);
	ASSERT_EQ(sfc_nsh_ttl_next(n), 62, "63 -> 62");
	sfc_nsh_set_ttl(n, 2);
	ASSERT_EQ(sfc_nsh_ttl_next(n), 1, "2 -> 1");
	sfc_nsh_set_ttl(n, 1);
	ASSERT_EQ(sfc_nsh_ttl_next(n), 0, "1 -> 0: dropped");
	sfc_nsh_set_ttl(n, 0);
	ASSERT_EQ(sfc_nsh_ttl_next(n), 63, "0 -> 63 (RFC 8300 2.2)");
}

/* An MD type 2 header: base, then context headers of len bytes */
static __u32 md2(__u8 *h, const __u8 *ctx, __u32 len)
{
	struct sfc_nsh *n = (struct sfc_nsh *)h;

	memset(h, 0, SFC_NSH_BASE_LEN);
	n->b1 = (SFC_NSH_BASE_LEN + len) / 4;
	n->md = SFC_NSH_MD2;
	n->np = SFC_NSH_NP_IPV4;
	sfc_nsh_set_ttl(n, 63);
	sfc_nsh_set_path(n, 7, 9);
	if (len)
		memcpy(h + SFC_NSH_BASE_LEN, ctx, len);
	return SFC_NSH_BASE_LEN + len;
}

/* MD type 2: no context header, and context headers padded to 4 bytes */
static void md2_context_headers(void)
{
	/* class 0x0102 type 3, 5 bytes (3 of padding); class 0xffff type 0x80, 0 bytes */
	static const __u8 two[16] = { 0x01, 0x02, 0x03, 0x05, 'a', 'b', 'c', 'd', 'e', 0, 0, 0,
				      0xff, 0xff, 0x80, 0x00 };
	__u8 h[64];

	ASSERT_EQ(sfc_nsh_check(h, md2(h, NULL, 0)), SFC_NSH_OK, "length 2, no context");
	ASSERT_EQ(sfc_nsh_check(h, md2(h, two, 16)), SFC_NSH_OK, "two context headers");
	/* the first header says 13 bytes: with its padding, 4 past the end */
	h[SFC_NSH_BASE_LEN + 3] = 13;
	ASSERT_EQ(sfc_nsh_check(h, 24), SFC_NSH_E_CONTEXT, "a context header overruns");
	/* 12 bytes of context but the headers fill 8: a gap of a partial header */
	ASSERT_EQ(sfc_nsh_check(h, md2(h, two, 12) + 4), SFC_NSH_OK, "12 bytes, filled");
	md2(h, two, 16);
	h[1] = (h[1] & 0xc0) | 4; /* 16 bytes: 8 of context, the first header needs 12 */
	ASSERT_EQ(sfc_nsh_check(h, 64), SFC_NSH_E_CONTEXT, "Length cuts a context header");
}

/* Every receiver check, each on an otherwise valid header */
static void receiver_checks(void)
{
	__u8 h[SFC_NSH_MD1_LEN + 8];
	struct sfc_nsh *n = (struct sfc_nsh *)h;
	static const struct {
		const char *label;
		int b, mask, val, avail, want;
	} c[] = {
		{ "valid", 0, 0, 0, SFC_NSH_MD1_LEN, SFC_NSH_OK },
		{ "7 bytes", 0, 0, 0, 7, SFC_NSH_E_TRUNCATED },
		{ "shorter than Length", 0, 0, 0, SFC_NSH_MD1_LEN - 1, SFC_NSH_E_TRUNCATED },
		{ "version 1", 0, 0xc0, 0x40, SFC_NSH_MD1_LEN, SFC_NSH_E_VERSION },
		{ "version 3", 0, 0xc0, 0xc0, SFC_NSH_MD1_LEN, SFC_NSH_E_VERSION },
		{ "MD type 0", 2, 0x0f, 0x0, SFC_NSH_MD1_LEN, SFC_NSH_E_MD_TYPE },
		{ "MD type 0xF", 2, 0x0f, 0xf, SFC_NSH_MD1_LEN, SFC_NSH_E_MD_TYPE },
		{ "MD type 3", 2, 0x0f, 0x3, SFC_NSH_MD1_LEN, SFC_NSH_E_MD_TYPE },
		{ "MD type 1, length 5", 1, 0x3f, 5, SFC_NSH_MD1_LEN, SFC_NSH_E_LENGTH },
		{ "MD type 1, length 7", 1, 0x3f, 7, SFC_NSH_MD1_LEN + 8, SFC_NSH_E_LENGTH },
		{ "next protocol NSH", 3, 0xff, SFC_NSH_NP_NSH, SFC_NSH_MD1_LEN, SFC_NSH_E_NEXT_PROTO },
		{ "next protocol MPLS", 3, 0xff, SFC_NSH_NP_MPLS, SFC_NSH_MD1_LEN, SFC_NSH_E_NEXT_PROTO },
		{ "next protocol 0", 3, 0xff, 0, SFC_NSH_MD1_LEN, SFC_NSH_E_NEXT_PROTO },
		{ "O bit", 0, 0x20, 0x20, SFC_NSH_MD1_LEN, SFC_NSH_E_OAM },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		sfc_nsh_md1_build(h, 42, 254, 63, SFC_NSH_NP_IPV4, CTX);
		h[c[i].b] = (h[c[i].b] & ~c[i].mask) | c[i].val;
		ASSERT_EQ(sfc_nsh_check(h, c[i].avail), c[i].want, c[i].label);
	}
	/* MD type 2 with a Length under 2 */
	md2(h, NULL, 0);
	n->b1 = (n->b1 & 0xc0) | 1;
	ASSERT_EQ(sfc_nsh_check(h, sizeof(h)), SFC_NSH_E_LENGTH, "MD type 2, length 1");
}

/* ------------------------------------------------------------------ */
/* Interop modes                                                      */

static int hex_decode(const char *s, __u8 *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && s[0] != '\n') {
		unsigned int b;

		if (n == max || sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = b;
		s += 2;
	}
	return (int)n;
}

static int check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], want[32];
	int bad = 0, n = 0;

	if (!f) {
		fprintf(stderr, "nsh_wire: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char label[256] = "", hex[4096];
		__u8 pkt[2048];
		int len, v;

		if (sscanf(line, "%31s %4095s %255[^\n]", want, hex, label) < 2)
			continue;
		len = hex_decode(hex, pkt, sizeof(pkt));
		if (len < 0) {
			printf("not ok %s: not hex\n", label);
			bad++;
			continue;
		}
		v = sfc_nsh_check(pkt, (__u32)len);
		n++;
		if (strcmp(verdict_names[v], want)) {
			printf("not ok %s: expected %s, got %s\n", label, want, verdict_names[v]);
			bad++;
		} else {
			printf("ok %s: %s\n", label, want);
		}
	}
	fclose(f);
	if (!n)
		printf("not ok %s: no cases\n", path);
	return bad || !n;
}

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

/* Ethernet + NSH (as sfc builds it) + IPv4/UDP, or Ethernet for np 3 */
static int emit_file(const char *path)
{
	static const struct { __u32 spi, si, ttl, np; bool ctx; } fr[] = {
		{ 100, 255, 63, SFC_NSH_NP_IPV4, true },
		{ 0xffffff, 1, 1, SFC_NSH_NP_IPV4, false },
		{ 7, 200, 17, SFC_NSH_NP_IPV6, true },
		{ 4242, 3, 63, SFC_NSH_NP_ETHERNET, true },
	};
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "nsh_wire: %s: %s\n", path, strerror(errno));
		return 2;
	}
	put32(f, 0xa1b2c3d4);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1); /* Ethernet */
	for (size_t i = 0; i < ARRAY_SIZE(fr); i++) {
		__u8 fb[256] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x89, 0x4f };
		__u8 *in = fb + 14 + SFC_NSH_MD1_LEN;
		size_t len = 14 + SFC_NSH_MD1_LEN;

		sfc_nsh_md1_build(fb + 14, fr[i].spi, fr[i].si, fr[i].ttl, fr[i].np,
				  fr[i].ctx ? CTX : NULL);
		if (fr[i].np == SFC_NSH_NP_IPV4) {
			/* 198.18.0.1 -> 198.18.0.2, UDP 49152 -> 49153 (no dissector claims them), 4 bytes */
			static const __u8 ip[32] = {
				0x45, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0, 198, 18, 0, 1,
				198, 18, 0, 2, 0xc0, 0x00, 0xc0, 0x01, 0, 12, 0, 0, 's', 'f', 'c', '!' };
			__u32 sum = 0;

			memcpy(in, ip, sizeof(ip));
			for (int w = 0; w < 20; w += 2)
				sum += in[w] << 8 | in[w + 1];
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			in[10] = ~sum >> 8;
			in[11] = ~sum & 0xff;
			len += sizeof(ip);
		} else if (fr[i].np == SFC_NSH_NP_IPV6) {
			/* 2001:db8::1 -> 2001:db8::2, no next header, no payload */
			static const __u8 ip6[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

			memcpy(in, ip6, sizeof(ip6));
			len += sizeof(ip6);
		} else {
			/* an inner Ethernet frame with an empty experimental payload */
			static const __u8 eth[14] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0,
						      0x0a, 0x88, 0xb5 };

			memcpy(in, eth, sizeof(eth));
			len += sizeof(eth);
		}
		put32(f, (uint32_t)i);
		put32(f, 0);
		put32(f, (uint32_t)len);
		put32(f, (uint32_t)len);
		fwrite(fb, 1, len, f);
		printf("{\"frame\":%zu,\"spi\":%u,\"si\":%u,\"ttl\":%u,\"np\":%u,\"mdtype\":1,"
		       "\"length\":6,\"ctx\":\"%s\"}\n", i + 1, fr[i].spi, fr[i].si, fr[i].ttl,
		       fr[i].np, fr[i].ctx ? "0102030405060708090a0b0c0d0e0f10" :
		       "00000000000000000000000000000000");
	}
	return fclose(f) ? 2 : 0;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(md1_header_bits),
		UNIT_TEST(md1_header_without_context_is_zero),
		UNIT_TEST(setters_keep_unassigned_bits),
		UNIT_TEST(ttl_rule),
		UNIT_TEST(md2_context_headers),
		UNIT_TEST(receiver_checks),
	};

	if (argc == 3 && !strcmp(argv[1], "--check"))
		return check_file(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--emit"))
		return emit_file(argv[2]);
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
