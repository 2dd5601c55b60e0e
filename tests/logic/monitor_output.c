// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl monitor's output without a daemon: trace events as sfcd streams
 * them (headers/sfc_api.h, monitor) turned into text lines and pcapng
 * records; the pcapng read back block by block, and by tshark (make deps
 * installs it); packet headers decoded from every truncation of a packet and
 * from garbage without reading past the captured bytes; the command's
 * arguments checked before anything is sent.
 *
 * tests/lib/check.h: "ok NAME" or "not ok NAME: why" per test.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sfc_abi.h"
#include "monitor.h"
#include "pcapng.h"
#include "pktdecode.h"
#include "sfcctl.h"

#define CHECK(cond, ...)                   \
	do {                               \
		if (!(cond))               \
			FAIL(__VA_ARGS__); \
	} while (0)

/* Ethernet, IPv4 198.18.1.1 > 198.18.2.1, ICMP echo request id 7 seq 1 */
static const uint8_t icmp4[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 84, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 198, 18, 1, 1, 198, 18, 2, 1,
	8, 0, 0, 0, 0, 7, 0, 1, 'p', 'a', 'y', 'l', 'o', 'a', 'd', '!',
};

/* Ethernet, VLAN 10, IPv6 2001:db8::1 > 2001:db8::2, a hop-by-hop
 * header, TCP 40000 > 80 SYN */
static const uint8_t tcp6[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 28, 0, 64,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	6, 0, 1, 4, 0, 0, 0, 0,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* An event as sfcd sends it */
static json_t *event(const char *verdict, const char *sf, const char *from, unsigned int si,
		     const char *reason, const uint8_t *pkt, size_t n, const char *ifname)
{
	char hex[2 * SFC_EV_CAP + 1];
	json_t *ev;

	hex_of(pkt, n, hex);
	ev = json_pack("{s:I,s:s,s:s,s:i,s:i,s:i,s:s,s:s,s:i,s:s}",
		       "time", (json_int_t)123456789, "ts", "2026-12-03T09:27:47.123456Z",
		       "chain", "web", "spi", 100, "si", si, "ifindex", 7, "hook", "xdp",
		       "verdict", verdict, "len", 98, "packet", hex);
	if (sf)
		json_object_set_new(ev, "sf", json_string(sf));
	if (from)
		json_object_set_new(ev, "from_sf", json_string(from));
	if (reason)
		json_object_set_new(ev, "reason", json_string(reason));
	if (ifname)
		json_object_set_new(ev, "ifname", json_string(ifname));
	return ev;
}

/* checks that a chained ICMP echo reads as one line with time, chain,
 * SPI, SI, the SF it goes to, the interface, and the headers */
static void test_event_text_to_sf(void)
{
	json_t *ev = event("to-sf", "s2", "s1", 1, NULL, icmp4, sizeof(icmp4), "f1b");
	char line[512];

	monitor_event_text(ev, line, sizeof(line));
	json_decref(ev);
	ASSERT_STREQ(line, "09:27:47.123456 web spi 100 si 1 from s1 -> s2  f1b xdp  "
		     "198.18.1.1 > 198.18.2.1 ICMP echo request id 7 seq 1 len 98", "text line");
}

/* checks that a drop says its reason, and an unknown interface its index */
static void test_event_text_drop(void)
{
	json_t *ev = event("drop", NULL, NULL, 2, "hop-down-drop", icmp4, sizeof(icmp4), NULL);
	char line[512];

	monitor_event_text(ev, line, sizeof(line));
	json_decref(ev);
	ASSERT_STREQ(line, "09:27:47.123456 web spi 100 si 2 drop hop-down-drop  if 7 xdp  "
		     "198.18.1.1 > 198.18.2.1 ICMP echo request id 7 seq 1 len 98", "text line");
}

/* checks that ids nobody named print as numbers, and a missing packet
 * as a truncated frame, never a crash */
static void test_event_text_unnamed(void)
{
	json_t *ev = json_pack("{s:i,s:i,s:i,s:s,s:s}", "chain", 0, "si", 0, "sf", 12,
			       "verdict", "to-sf", "hook", "tc-ingress");
	char line[512];

	monitor_event_text(ev, line, sizeof(line));
	json_decref(ev);
	ASSERT_STREQ(line, "??:??:??.?????? 0 si 0 -> 12  if 0 tc-ingress  "
		     "Ethernet truncated (0 bytes) len 0", "text line");
}

static void test_decode_ipv6_vlan_tcp(void)
{
	char buf[256];

	pkt_summary(tcp6, sizeof(tcp6), buf, sizeof(buf));
	ASSERT_STREQ(buf, "vlan 10 [2001:db8::1]:40000 > [2001:db8::2]:80 TCP [S] seq 1 ack 0",
		     "summary");
}

/* checks that every prefix of a packet decodes (and says truncated when
 * headers are cut) without reading a byte past it: the bytes are copied
 * to the end of a page whose next page is unmapped */
static void test_decode_every_truncation(void)
{
	const uint8_t *pkts[] = { icmp4, tcp6 };
	size_t lens[] = { sizeof(icmp4), sizeof(tcp6) };
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *area = aligned_alloc(pg, 2 * pg);
	char buf[256];

	CHECK(area, "aligned_alloc");
	for (int k = 0; k < 2; k++) {
		for (size_t n = 0; n <= lens[k]; n++) {
			uint8_t *p = area + pg - n;

			memcpy(p, pkts[k], n);
			pkt_summary(p, n, buf, sizeof(buf));
			CHECK(buf[0], "packet %d cut at %zu: empty summary", k, n);
			if (n < 34 && k == 0)
				CHECK(strstr(buf, "truncated"), "icmp4 cut at %zu: \"%s\"", n, buf);
		}
	}
	free(area);
}

/* checks that random bytes of every length decode to something, in a
 * buffer of any size, and a summary never overflows its buffer */
static void test_decode_garbage(void)
{
	uint8_t p[SFC_EV_CAP];
	char buf[48];
	unsigned int seed = 1;

	for (int round = 0; round < 20000; round++) {
		size_t n = rand_r(&seed) % (sizeof(p) + 1);

		for (size_t i = 0; i < n; i++)
			p[i] = rand_r(&seed);
		/* a valid-looking start half of the time: IPv4 or IPv6 or VLAN */
		if (n >= 14 && round % 2) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x894f };
			uint16_t t = types[round / 2 % 4];

			p[12] = t >> 8;
			p[13] = t & 0xff;
			if (n > 14)
				p[14] = t == 0x0800 ? 0x45 : 0x60;
		}
		buf[sizeof(buf) - 1] = 'x';
		pkt_summary(p, n, buf, sizeof(buf) - 1);
		CHECK(buf[sizeof(buf) - 1] == 'x', "round %d: wrote past the buffer", round);
		CHECK(strlen(buf) < sizeof(buf) - 1, "round %d: unterminated", round);
	}
}

static void test_hex(void)
{
	uint8_t b[4];

	ASSERT_EQ(pkt_from_hex("00ff10Ab", b, sizeof(b)), 4, "4 bytes");
	ASSERT_EQ(b[1], 0xff, "byte 1");
	ASSERT_EQ(b[3], 0xab, "byte 3");
	ASSERT_EQ(pkt_from_hex("abc", b, sizeof(b)), -1, "odd length");
	ASSERT_EQ(pkt_from_hex("zz", b, sizeof(b)), -1, "not hex");
	ASSERT_EQ(pkt_from_hex("0102030405", b, sizeof(b)), 4, "cut at max");
}

static void test_parse_ts(void)
{
	uint64_t us = 0;

	ASSERT_OK(monitor_parse_ts("1970-01-01T00:00:01.000002Z", &us), "parse");
	ASSERT_EQ(us, 1000002, "microseconds");
	ASSERT_EQ(monitor_parse_ts("1970-01-01T00:00:01Z", &us), -1, "no fraction");
	ASSERT_EQ(monitor_parse_ts("1970-01-01T00:00:01.000002", &us), -1, "no Z");
	ASSERT_EQ(monitor_parse_ts(NULL, &us), -1, "absent");
}

/* ---- pcapng read back ---- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* The value of option code in the options at p..end, copied as text */
static bool opt_text(const uint8_t *p, const uint8_t *end, uint16_t code, char *out, size_t len)
{
	while (p + 4 <= end) {
		uint16_t c = rd16(p), n = rd16(p + 2);

		if (c == 0)
			return false;
		if (c == code) {
			snprintf(out, len, "%.*s", n, (const char *)p + 4);
			return true;
		}
		p += 4 + ((n + 3u) & ~3u);
	}
	return false;
}

/* Three events on two interfaces, into a file: its bytes in *buf. */
static size_t write_capture(const char *path, uint8_t **buf)
{
	json_t *evs[] = {
		event("to-sf", "s1", NULL, 2, NULL, icmp4, sizeof(icmp4), "fs0"),
		event("to-sf", "s2", "s1", 1, NULL, icmp4, sizeof(icmp4), "f1b"),
		event("drop", NULL, "s2", 1, "hop-down-drop", icmp4, 20, "f2b"),
	};
	struct pcapng w;
	FILE *f = fopen(path, "w+b");
	size_t n = 0;
	long size;

	*buf = NULL;
	if (!f)
		return 0;
	if (pcapng_start(&w, f, "sfc logic test"))
		goto out;
	for (size_t i = 0; i < 3; i++)
		if (monitor_event_pcapng(&w, evs[i]))
			goto out;
	/* the second interface again: no second block for it */
	if (monitor_event_pcapng(&w, evs[1]) || pcapng_flush(&w))
		goto out;
	size = ftell(f);
	*buf = malloc(size);
	rewind(f);
	if (*buf && fread(*buf, 1, size, f) == (size_t)size)
		n = size;
out:
	fclose(f);
	for (size_t i = 0; i < 3; i++)
		json_decref(evs[i]);
	return n;
}

/* checks the blocks: a section header, one interface block per interface
 * (its name, Ethernet, snaplen 128), one packet block per event with its
 * interface, lengths, microsecond timestamp and comment */
static void test_pcapng_blocks(void)
{
	char path[] = "/tmp/sfc-logic-pcapng-XXXXXX", text[256];
	const char *want_if[] = { "fs0", "f1b", "f2b" };
	const char *want_comment[] = {
		"chain web spi 100 si 2 to-sf s1 hook xdp",
		"chain web spi 100 si 1 from s1 to-sf s2 hook xdp",
		"chain web spi 100 si 1 from s2 drop hop-down-drop hook xdp",
		"chain web spi 100 si 1 from s1 to-sf s2 hook xdp",
	};
	const uint32_t want_iface[] = { 0, 1, 2, 1 }, want_cap[] = { 50, 50, 20, 50 };
	int fd = mkstemp(path), nidb = 0, nepb = 0;
	uint8_t *buf;
	size_t len, off = 0;

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
	len = write_capture(path, &buf);
	unlink(path);
	CHECK(len && buf, "writing the capture failed");
	ASSERT_EQ(rd32(buf), 0x0A0D0D0A, "SHB type");
	ASSERT_EQ(rd32(buf + 8), 0x1A2B3C4D, "byte-order magic");
	while (off + 12 <= len) {
		const uint8_t *b = buf + off;
		uint32_t type = rd32(b), total = rd32(b + 4);

		if (total < 12 || total % 4 || off + total > len ||
		    rd32(b + total - 4) != total) {
			free(buf);
			FAIL("block at %zu: bad length %u", off, total);
		}
		if (type == 1) {
			ASSERT_EQ(rd16(b + 8), 1, "IDB linktype Ethernet");
			ASSERT_EQ(rd32(b + 12), 128, "IDB snaplen");
			CHECK(nidb < 3, "more than 3 interface blocks");
			CHECK(opt_text(b + 16, b + total - 4, 2, text, sizeof(text)), "no if_name");
			ASSERT_STREQ(text, want_if[nidb], "if_name");
			nidb++;
		} else if (type == 6) {
			uint32_t cap = rd32(b + 20);
			uint64_t ts = (uint64_t)rd32(b + 12) << 32 | rd32(b + 16);

			CHECK(nepb < 4, "more than 4 packet blocks");
			ASSERT_EQ(rd32(b + 8), want_iface[nepb], "EPB interface");
			ASSERT_EQ(cap, want_cap[nepb], "EPB captured length");
			ASSERT_EQ(rd32(b + 24), 98, "EPB original length");
			ASSERT_EQ(ts, 1796290067123456ull, "EPB timestamp (us)");
			CHECK(!memcmp(b + 28, icmp4, cap), "EPB data");
			CHECK(opt_text(b + 28 + ((cap + 3) & ~3u), b + total - 4, 1, text,
				       sizeof(text)), "no comment");
			ASSERT_STREQ(text, want_comment[nepb], "comment");
			nepb++;
		}
		off += total;
	}
	free(buf);
	ASSERT_EQ(off, len, "blocks fill the file");
	ASSERT_EQ(nidb, 3, "interface blocks");
	ASSERT_EQ(nepb, 4, "packet blocks");
}

/* checks that tshark reads the capture: 4 packets, their interfaces and
 * comments, the IPv4 sources (the third is cut inside its IPv4 header) */
static void test_pcapng_tshark_reads_it(void)
{
	char path[] = "/tmp/sfc-logic-pcapng-XXXXXX", cmd[256], out[2048] = "";
	const char *want =
		"fs0\tchain web spi 100 si 2 to-sf s1 hook xdp\t198.18.1.1\n"
		"f1b\tchain web spi 100 si 1 from s1 to-sf s2 hook xdp\t198.18.1.1\n"
		"f2b\tchain web spi 100 si 1 from s2 drop hop-down-drop hook xdp\t\n"
		"f1b\tchain web spi 100 si 1 from s1 to-sf s2 hook xdp\t198.18.1.1\n";
	int fd, status;
	uint8_t *buf;
	size_t n;
	FILE *p;

	CHECK(!access("/usr/bin/tshark", X_OK), "no /usr/bin/tshark: make deps installs it");
	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
	n = write_capture(path, &buf);
	free(buf);
	CHECK(n, "writing the capture failed");
	snprintf(cmd, sizeof(cmd), "tshark -r %s -T fields -e frame.interface_name "
		 "-e frame.comment -e ip.src 2>/dev/null", path);
	p = popen(cmd, "r");
	CHECK(p, "popen: %s", strerror(errno));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	unlink(path);
	ASSERT_EQ(status, 0, "tshark's exit status");
	ASSERT_STREQ(out, want, "tshark -T fields");
}

/* ---- the command's arguments ---- */

static void parse(const char *line, char *out, size_t len)
{
	struct ctx c = { .sock_path = "/nonexistent/sfc-unit.sock", .fd = -1 };
	char buf[256], *argv[32];
	const char *why;
	struct cli_line l;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = split_line(buf, argv, 32, &why);
	if (cli_parse(&c, argc, argv, &l)) {
		snprintf(out, len, "error: %s", c.err);
		return;
	}
	char *s = l.args ? json_dumps(l.args, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	snprintf(out, len, "%s", s ? s : l.help ? "help" : "(none)");
	free(s);
	cli_line_free(&l);
}

/* checks the keywords parse into the request's arguments and bad values
 * are refused with the keyword named */
static void test_monitor_arguments(void)
{
	static const struct { const char *line, *want; } cases[] = {
		{ "monitor", "{}" },
		{ "monitor chain web sf s1 drops sample 10 count 5 -w /tmp/f",
		  "{\"chain\":\"web\",\"count\":5,\"drops\":true,\"file\":\"/tmp/f\","
		  "\"sample\":10,\"sf\":\"s1\"}" },
		{ "monitor -w -", "{\"file\":\"-\"}" },
		{ "monitor sample 0",
		  "error: monitor: sample \"0\": expected an integer from 1 to 1000000" },
		{ "monitor count abc",
		  "error: monitor: count \"abc\": expected an integer from 1 to 1000000000" },
		{ "monitor -w", "error: monitor: \"-w\" needs a value (FILE)" },
		{ "monitor bogus", "error: monitor: unknown keyword \"bogus\" (expected chain, "
		  "sf, drops, sample, count, -w)" },
		{ "monitor chain 'a b'", "error: monitor: chain \"a b\": " },
		{ "monitor help", "help" },
	};
	char out[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse(cases[i].line, out, sizeof(out));
		CHECK(!strncmp(out, cases[i].want, strlen(cases[i].want)),
		      "%s: expected \"%s\", got \"%s\"", cases[i].line, cases[i].want, out);
	}
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_event_text_to_sf),
		UNIT_TEST(test_event_text_drop),
		UNIT_TEST(test_event_text_unnamed),
		UNIT_TEST(test_decode_ipv6_vlan_tcp),
		UNIT_TEST(test_decode_every_truncation),
		UNIT_TEST(test_decode_garbage),
		UNIT_TEST(test_hex),
		UNIT_TEST(test_parse_ts),
		UNIT_TEST(test_pcapng_blocks),
		UNIT_TEST(test_pcapng_tshark_reads_it),
		UNIT_TEST(test_monitor_arguments),
	};

	/* the text form prints local time: UTC here */
	setenv("TZ", "UTC", 1);
	tzset();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
