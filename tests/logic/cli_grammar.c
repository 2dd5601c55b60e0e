// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl's grammar without a daemon, without root, in milliseconds: a
 * command line turned into the request it sends, help at every level, the
 * name and MAC checks, and batch files parsed whole (an error on line 6
 * leaves nothing to run).
 *
 * tests/lib/check.h: "ok NAME" or "not ok NAME: why" per test.
 */
#include <errno.h>
#include <time.h>

#include "check.h"
#include "text.h"
#include "sfcctl.h"

/* like ASSERT_TRUE, with the message made of the rest */
#define CHECK(cond, ...)                   \
	do {                               \
		if (!(cond))               \
			FAIL(__VA_ARGS__); \
	} while (0)

/* A context whose socket does not exist: parsing must never need it. */
static struct ctx new_ctx(void)
{
	return (struct ctx){ .sock_path = "/nonexistent/sfc-unit.sock", .fd = -1 };
}

/* Split a command line as a batch line is split. */
static int words(char *buf, char **argv)
{
	const char *why = NULL;

	return split_line(buf, argv, 64, &why);
}

/* The request LINE sends, compact, or an error text. */
static void request_of(const char *line, char *out, size_t len)
{
	struct ctx c = new_ctx();
	struct cli_line l;
	char buf[512], *argv[64];
	json_t *req;
	char *s;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = words(buf, argv);
	if (cli_parse(&c, argc, argv, &l)) {
		snprintf(out, len, "error: %s", c.err);
		return;
	}
	req = cli_request(&l);
	s = req ? json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(out, len, "%s", s ? s : "(no request)");
	free(s);
	json_decref(req);
	cli_line_free(&l);
	if (c.fd != -1)
		snprintf(out, len, "parsing connected to sfcd");
}

static void expect_request(const char *line, const char *want)
{
	char got[1024];

	request_of(line, got, sizeof(got));
	CHECK(!strcmp(got, want), "\"%s\": expected %s, got %s", line, want, got);
}

static void test_requests(void)
{
	static const char *const cases[][2] = {
		{ "sf add fw kind iface dev s0",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s0\",\"kind\":\"iface\",\"name\":\"fw\"}}" },
		{ "sf add fw2 kind iface dev s1 out-dev s2 mac 02:00:00:00:00:01 group g",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s1\",\"group\":\"g\",\"kind\":\"iface\","
		  "\"mac\":\"02:00:00:00:00:01\",\"name\":\"fw2\",\"out-dev\":\"s2\"}}" },
		/* out-mac: a MAC like mac; in sf set, none removes it (null) */
		{ "sf add rt kind iface dev s1 out-dev s2 mac 02:00:00:00:00:01 out-mac 2:0:0:0:0:2",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s1\",\"kind\":\"iface\","
		  "\"mac\":\"02:00:00:00:00:01\",\"name\":\"rt\",\"out-dev\":\"s2\","
		  "\"out-mac\":\"2:0:0:0:0:2\"}}" },
		{ "sf set rt out-mac 02:00:00:00:00:03",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"rt\",\"out-mac\":\"02:00:00:00:00:03\"}}" },
		{ "sf set rt out-mac none weight 2",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"rt\",\"out-mac\":null,\"weight\":2}}" },
		{ "sf add fw3 kind iface dev s3 group g weight 3",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s3\",\"group\":\"g\",\"kind\":\"iface\","
		  "\"name\":\"fw3\",\"weight\":3}}" },
		{ "sf add fw4 kind iface dev s4 weight 1000",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s4\",\"kind\":\"iface\",\"name\":\"fw4\","
		  "\"weight\":1000}}" },
		{ "sf set fw weight 1",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"weight\":1}}" },
		{ "sf set fw weight 250",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"weight\":250}}" },
		/* health: a probe's two words are one string */
		{ "sf add fw kind iface dev s0 health probe probe tcp 198.18.3.1:80 probe-from "
		  "198.18.3.9 probe-interval 500 probe-fail 4 probe-recover 3",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s0\",\"health\":\"probe\",\"kind\":\"iface\","
		  "\"name\":\"fw\",\"probe\":\"tcp 198.18.3.1:80\",\"probe-fail\":4,"
		  "\"probe-from\":\"198.18.3.9\",\"probe-interval\":500,\"probe-recover\":3}}" },
		{ "sf add fw kind iface dev s0 probe tcp [2001:db8::1]:443 weight 2",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s0\",\"kind\":\"iface\",\"name\":\"fw\","
		  "\"probe\":\"tcp [2001:db8::1]:443\",\"weight\":2}}" },
		{ "sf add fw kind iface dev s0 health none",
		  "{\"cmd\":\"sf-add\",\"sf\":{\"dev\":\"s0\",\"health\":\"none\",\"kind\":\"iface\","
		  "\"name\":\"fw\"}}" },
		{ "sf set fw health link",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"health\":\"link\",\"name\":\"fw\"}}" },
		{ "sf set fw probe icmp 2001:db8::1",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"probe\":\"icmp 2001:db8::1\"}}" },
		{ "sf set fw probe-interval 100 probe-from fe80::9",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"probe-from\":\"fe80::9\","
		  "\"probe-interval\":100}}" },
		/* what depends on the SF's settings is sfcd's to refuse */
		{ "sf set fw health probe",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"health\":\"probe\",\"name\":\"fw\"}}" },
		{ "sf set fw probe icmp 198.18.3.1",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"probe\":\"icmp 198.18.3.1\"}}" },
		{ "sf set fw weight 2 probe-fail 100 probe-recover 1",
		  "{\"cmd\":\"sf-set\",\"sf\":{\"name\":\"fw\",\"probe-fail\":100,"
		  "\"probe-recover\":1,\"weight\":2}}" },
		{ "sf del fw", "{\"cmd\":\"sf-del\",\"name\":\"fw\"}" },
		{ "group add g", "{\"cmd\":\"group-add\",\"name\":\"g\"}" },
		{ "group del g", "{\"cmd\":\"group-del\",\"name\":\"g\"}" },
		{ "ingress add dev up0", "{\"cmd\":\"ingress-add\",\"dev\":\"up0\"}" },
		{ "ingress del dev up0", "{\"cmd\":\"ingress-del\",\"dev\":\"up0\"}" },
		{ "chain add web hop fw,fw2 hop g spi 7",
		  "{\"chain\":{\"hops\":[[\"fw\",\"fw2\"],[\"g\"]],\"name\":\"web\",\"spi\":7},"
		  "\"cmd\":\"chain-add\"}" },
		/* tap: a hop {"tap": [...]} in the one array of hops, in order */
		{ "chain add web hop fw tap ids hop nat",
		  "{\"chain\":{\"hops\":[[\"fw\"],{\"tap\":[\"ids\"]},[\"nat\"]],\"name\":\"web\"},"
		  "\"cmd\":\"chain-add\"}" },
		{ "chain add web tap ids,g spi 9",
		  "{\"chain\":{\"hops\":[{\"tap\":[\"ids\",\"g\"]}],\"name\":\"web\",\"spi\":9},"
		  "\"cmd\":\"chain-add\"}" },
		{ "chain set web tap ids hop fw,fw2 tap cap end xdp",
		  "{\"chain\":{\"end\":\"xdp\",\"hops\":[{\"tap\":[\"ids\"]},[\"fw\",\"fw2\"],"
		  "{\"tap\":[\"cap\"]}],\"name\":\"web\"},\"cmd\":\"chain-set\"}" },
		{ "chain set web on-failure bypass",
		  "{\"chain\":{\"name\":\"web\",\"on-failure\":\"bypass\"},\"cmd\":\"chain-set\"}" },
		{ "chain set web end xdp",
		  "{\"chain\":{\"end\":\"xdp\",\"name\":\"web\"},\"cmd\":\"chain-set\"}" },
		/* symmetric: a JSON boolean; bare in chain add (anywhere among the
		 * options) is on */
		{ "chain add web hop fw symmetric",
		  "{\"chain\":{\"hops\":[[\"fw\"]],\"name\":\"web\",\"symmetric\":true},"
		  "\"cmd\":\"chain-add\"}" },
		{ "chain add web symmetric hop fw end xdp",
		  "{\"chain\":{\"end\":\"xdp\",\"hops\":[[\"fw\"]],\"name\":\"web\","
		  "\"symmetric\":true},\"cmd\":\"chain-add\"}" },
		{ "chain add web hop fw symmetric on spi 3",
		  "{\"chain\":{\"hops\":[[\"fw\"]],\"name\":\"web\",\"spi\":3,\"symmetric\":true},"
		  "\"cmd\":\"chain-add\"}" },
		{ "chain add web hop fw symmetric off",
		  "{\"chain\":{\"hops\":[[\"fw\"]],\"name\":\"web\",\"symmetric\":false},"
		  "\"cmd\":\"chain-add\"}" },
		{ "chain set web symmetric on",
		  "{\"chain\":{\"name\":\"web\",\"symmetric\":true},\"cmd\":\"chain-set\"}" },
		{ "chain set web symmetric off end auto",
		  "{\"chain\":{\"end\":\"auto\",\"name\":\"web\",\"symmetric\":false},"
		  "\"cmd\":\"chain-set\"}" },
		{ "chain del web", "{\"cmd\":\"chain-del\",\"name\":\"web\"}" },
		{ "rule add pref 10 src 198.18.0.0/24 dst 198.19.0.0/16 proto tcp dport 80-90 chain web",
		  "{\"cmd\":\"rule-add\",\"rule\":{\"chain\":\"web\",\"dport\":\"80-90\","
		  "\"dst\":\"198.19.0.0/16\",\"pref\":10,\"proto\":\"tcp\",\"src\":\"198.18.0.0/24\"}}" },
		{ "rule del pref 10", "{\"cmd\":\"rule-del\",\"pref\":10}" },
		{ "chain show", "(no request)" },
		{ "group", "(no request)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_request(cases[i][0], cases[i][1]);
		if (unit_failed)
			return;
	}
}

/* Every way of asking for help, at every level, parses to that level's
 * help: nothing is sent, no SF named "-h" is made. */
static void test_help(void)
{
	static const struct {
		const char *line;
		enum cli_help level;
		const char *object, *cmd;
	} cases[] = {
		{ "help", HELP_TOP, NULL, NULL },
		{ "-h", HELP_TOP, NULL, NULL },
		{ "help sf", HELP_OBJECT, "sf", NULL },
		{ "help sf add", HELP_CMD, "sf", "add" },
		{ "sf -h", HELP_OBJECT, "sf", NULL },
		{ "sf help", HELP_OBJECT, "sf", NULL },
		{ "sf --help", HELP_OBJECT, "sf", NULL },
		{ "group help", HELP_OBJECT, "group", NULL },
		{ "sf add help", HELP_CMD, "sf", "add" },
		{ "sf set fw weight -h", HELP_CMD, "sf", "set" },
		{ "help sf set", HELP_CMD, "sf", "set" },
		{ "sf set fw out-mac -h", HELP_CMD, "sf", "set" },
		{ "sf set fw probe -h", HELP_CMD, "sf", "set" },
		{ "sf add fw dev s0 probe icmp help", HELP_CMD, "sf", "add" },
		{ "sf add -h kind iface dev s0", HELP_CMD, "sf", "add" },
		{ "sf add fw kind iface dev s0 --help", HELP_CMD, "sf", "add" },
		{ "chain add x help", HELP_CMD, "chain", "add" },
		{ "chain add x hop -h", HELP_CMD, "chain", "add" },
		{ "chain add x hop fw tap --help", HELP_CMD, "chain", "add" },
		{ "chain set x tap help", HELP_CMD, "chain", "set" },
		{ "chain add x hop fw symmetric help", HELP_CMD, "chain", "add" },
		{ "chain set x symmetric -h", HELP_CMD, "chain", "set" },
		{ "stats reset help", HELP_CMD, "stats", NULL },
		{ "apply --help", HELP_CMD, "apply", NULL },
		{ "apply -f x.json -h", HELP_CMD, "apply", NULL },
		{ "rule del -help", HELP_CMD, "rule", "del" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctx c = new_ctx();
		struct cli_line l;
		char buf[256], *argv[64];
		const char *cmd;
		int argc;

		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		argc = words(buf, argv);
		CHECK(!cli_parse(&c, argc, argv, &l), "\"%s\": %s", cases[i].line, c.err);
		cmd = l.cmd ? l.cmd->name : NULL;
		CHECK(l.help == cases[i].level, "\"%s\": help level %d, expected %d", cases[i].line,
		      l.help, cases[i].level);
		CHECK(!l.args && !cli_request(&l), "\"%s\": parsed arguments for a help line",
		      cases[i].line);
		CHECK(!cases[i].object || (l.o && !strcmp(l.o->name, cases[i].object)),
		      "\"%s\": object %s", cases[i].line, l.o ? l.o->name : "(none)");
		CHECK((!cases[i].cmd && !cmd) || (cases[i].cmd && cmd && !strcmp(cmd, cases[i].cmd)),
		      "\"%s\": command %s", cases[i].line, cmd ? cmd : "(none)");
		CHECK(c.fd == -1, "\"%s\": parsing connected to sfcd", cases[i].line);
	}
}

static void test_parse_errors(void)
{
	static const char *const cases[][2] = {
		{ "sf add -x kind iface dev s0",
		  "sf add: NAME \"-x\": a name cannot start with '-' (it would read as an option)" },
		{ "sf add a,b kind iface dev s0",
		  "sf add: NAME \"a,b\": a name cannot hold ',' (it separates SFs in a hop)" },
		{ "sf add 'a b' kind iface dev s0",
		  "sf add: NAME \"a b\": a name cannot hold spaces" },
		{ "sf add y kind iface dev s0 group -g",
		  "sf add: group \"-g\": a name cannot start with '-' (it would read as an option)" },
		{ "sf add y kind iface dev s0 mac ff:ff:ff:ff:ff:ff",
		  "sf add: mac \"ff:ff:ff:ff:ff:ff\": a broadcast MAC cannot address one SF" },
		{ "sf add y kind iface dev s0 mac 00:00:00:00:00:00",
		  "sf add: mac \"00:00:00:00:00:00\": the all-zero MAC is not an address" },
		{ "sf add y kind iface dev s0 mac 33:33:00:00:00:01",
		  "sf add: mac \"33:33:00:00:00:01\": a multicast MAC (first octet odd) cannot "
		  "address one SF" },
		{ "chain add c hop a,-b",
		  "chain add: hop 1 \"-b\": a name cannot start with '-' (it would read as an "
		  "option)" },
		{ "chain set web", "chain set: nothing to change (expected hop, tap, spi, on-failure, "
		  "end or symmetric)" },
		/* symmetric: on or off; bare only in chain add, before a keyword or at the end */
		{ "chain add c hop a symmetric maybe", "chain add: symmetric \"maybe\": expected on or off" },
		{ "chain add c symmetric yes hop a", "chain add: symmetric \"yes\": expected on or off" },
		{ "chain add c hop a symmetric symmetric", "chain add: \"symmetric\" given twice" },
		{ "chain set web symmetric maybe", "chain set: symmetric \"maybe\": expected on or off" },
		{ "chain set web symmetric true", "chain set: symmetric \"true\": expected on or off" },
		{ "chain set web symmetric", "chain set: \"symmetric\" needs a value (on|off)" },
		{ "chain set web symmetric on symmetric off", "chain set: \"symmetric\" given twice" },
		/* tap: its SFs read like a hop's, its number the hop's */
		{ "chain add c hop a tap b,,c",
		  "chain add: tap 2 \"b,,c\": empty SF name (expected SF[,SF...])" },
		{ "chain add c tap -x",
		  "chain add: tap 1 \"-x\": a name cannot start with '-' (it would read as an "
		  "option)" },
		{ "chain add c hop a tap", "chain add: \"tap\" needs a value (SF|GROUP[,...])" },
		{ "chain add c tap a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q",
		  "chain add: tap 1 \"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\": 17 SFs, a hop has at most 16" },
		{ "chain add c spi 3", "chain add: missing \"hop SF|GROUP[,...]\"" },
		{ "chain set web tap", "chain set: \"tap\" needs a value (SF|GROUP[,...])" },
		{ "chain add c hop a taps b",
		  "chain add: unknown keyword \"taps\" (expected hop, tap, spi, on-failure, end, "
		  "symmetric)" },
		{ "stats chain web sf fw", "stats: chain and sf exclude each other" },
		{ "group add", "group add: missing NAME" },
		{ "group ad g", "group: unknown command \"ad\" (expected add, del, show, help)" },
		{ "rule add src 198.18.0.0/24 src 198.18.1.0/24 chain web",
		  "rule add: \"src\" given twice" },
		{ "sf add y kind iface", "sf add: missing \"dev IFNAME\"" },
		/* weights: 1 to 1000, decimal digits only */
		{ "sf add y kind iface dev s0 weight 0",
		  "sf add: weight \"0\": expected an integer from 1 to 1000" },
		{ "sf add y kind iface dev s0 weight 1001",
		  "sf add: weight \"1001\": expected an integer from 1 to 1000" },
		{ "sf set fw weight 0", "sf set: weight \"0\": expected an integer from 1 to 1000" },
		{ "sf set fw weight -1", "sf set: weight \"-1\": expected an integer from 1 to 1000" },
		{ "sf set fw weight x", "sf set: weight \"x\": expected an integer from 1 to 1000" },
		{ "sf set fw weight 2.5",
		  "sf set: weight \"2.5\": expected an integer from 1 to 1000" },
		{ "sf set fw weight +3", "sf set: weight \"+3\": expected an integer from 1 to 1000" },
		{ "sf set fw weight 99999999999999999999",
		  "sf set: weight \"99999999999999999999\": expected an integer from 1 to 1000" },
		{ "sf set fw weight", "sf set: \"weight\" needs a value (N)" },
		{ "sf set fw", "sf set: nothing to change (expected weight, out-mac, health, probe, "
		  "probe-from, probe-interval, probe-fail or probe-recover)" },
		{ "sf set weight 3", "sf set: expected NAME before \"weight\"" },
		{ "sf set fw weight 2 weight 3", "sf set: \"weight\" given twice" },
		{ "sf set fw dev s1", "sf set: unknown keyword \"dev\" (expected weight, out-mac, "
		  "health, probe, probe-from, probe-interval, probe-fail, probe-recover)" },
		{ "sf set fw mac 02:00:00:00:00:01", "sf set: unknown keyword \"mac\" (expected "
		  "weight, out-mac, health, probe, probe-from, probe-interval, probe-fail, "
		  "probe-recover)" },
		/* out-mac: checked like mac; none only in sf set */
		{ "sf add y dev s0 out-dev s1 out-mac 02:00:00:00:00",
		  "sf add: out-mac \"02:00:00:00:00\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf add y dev s0 out-dev s1 out-mac ff:ff:ff:ff:ff:ff",
		  "sf add: out-mac \"ff:ff:ff:ff:ff:ff\": a broadcast MAC cannot address one SF" },
		{ "sf add y dev s0 out-dev s1 out-mac none",
		  "sf add: out-mac \"none\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf set fw out-mac zz",
		  "sf set: out-mac \"zz\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf set fw out-mac 01:00:5e:00:00:01",
		  "sf set: out-mac \"01:00:5e:00:00:01\": a multicast MAC (first octet odd) cannot "
		  "address one SF" },
		{ "sf set fw out-mac", "sf set: \"out-mac\" needs a value (MAC|none)" },
		{ "sf add y dev s0 out-dev s1 out-mac", "sf add: \"out-mac\" needs a value (MAC)" },
		{ "sf set fw out-mac none out-mac 02:00:00:00:00:01",
		  "sf set: \"out-mac\" given twice" },
		/* health keywords */
		{ "sf add y dev s0 probe udp 198.18.3.1:53",
		  "sf add: probe \"udp\": expected icmp ADDRESS or tcp ADDRESS:PORT" },
		{ "sf add y dev s0 probe 198.18.3.1",
		  "sf add: probe \"198.18.3.1\": expected icmp ADDRESS or tcp ADDRESS:PORT" },
		{ "sf add y dev s0 probe icmp", "sf add: \"probe icmp\" needs an ADDRESS" },
		{ "sf set fw probe tcp",
		  "sf set: \"probe tcp\" needs ADDRESS:PORT ([ADDRESS]:PORT for IPv6)" },
		{ "sf set fw probe", "sf set: \"probe\" needs a value (icmp ADDRESS|tcp ADDRESS:PORT)" },
		{ "sf set fw probe icmp 2001:db8::1 probe icmp 2001:db8::2",
		  "sf set: \"probe\" given twice" },
		{ "sf set fw probe-from fw.example",
		  "sf set: probe-from \"fw.example\": expected an IPv4 or IPv6 address" },
		{ "sf set fw probe-from 198.18.3.0/24",
		  "sf set: probe-from \"198.18.3.0/24\": expected an IPv4 or IPv6 address" },
		{ "sf set fw probe-interval 99",
		  "sf set: probe-interval \"99\": expected an integer from 100 to 60000" },
		{ "sf set fw probe-interval 60001",
		  "sf set: probe-interval \"60001\": expected an integer from 100 to 60000" },
		{ "sf set fw probe-fail 0", "sf set: probe-fail \"0\": expected an integer from 1 to 100" },
		{ "sf set fw probe-recover 101",
		  "sf set: probe-recover \"101\": expected an integer from 1 to 100" },
		{ "sf set fw health probes",
		  "sf set: health \"probes\": expected none, link or probe" },
		{ "sf add y dev s0 health", "sf add: \"health\" needs a value (none|link|probe)" },
		/* the probe's forms and the health rules: what the document refuses */
		{ "sf add y dev s0 probe icmp 198.18.3.1:80",
		  "sf add: probe \"icmp 198.18.3.1:80\": an icmp probe takes no port (expected "
		  "\"icmp ADDRESS\")" },
		{ "sf add y dev s0 probe tcp 2001:db8::1:80",
		  "sf add: probe \"tcp 2001:db8::1:80\": a tcp probe needs a port (expected \"tcp "
		  "ADDRESS:PORT\", \"tcp [ADDRESS]:PORT\" for IPv6)" },
		{ "sf add y dev s0 probe icmp 224.0.0.1",
		  "sf add: probe \"icmp 224.0.0.1\": 224.0.0.1 is a multicast address, not the "
		  "unicast address of one host" },
		{ "sf set fw probe tcp 198.18.3.1:65536",
		  "sf set: probe \"tcp 198.18.3.1:65536\": port \"65536\": expected an integer from 1 "
		  "to 65535" },
		{ "sf set fw probe-from 0.0.0.0",
		  "sf set: probe-from \"0.0.0.0\": 0.0.0.0 is the unspecified address, not the "
		  "unicast address of one host" },
		{ "sf add y kind iface dev s0 health probe",
		  "sf add: SF \"y\": health probe needs \"probe\": \"icmp ADDRESS\" or \"tcp "
		  "ADDRESS:PORT\"" },
		{ "sf add y kind iface dev s0 probe icmp 198.18.3.1",
		  "sf add: SF \"y\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address "
		  "of the SF's subnet that nothing else uses (sfcd sends from it and answers ARP "
		  "for it)" },
		{ "sf add y kind iface dev s0 health link probe icmp 2001:db8::1",
		  "sf add: SF \"y\": \"probe\" with health link: the probe would never be used "
		  "(only health probe probes)" },
		{ "sf add y kind iface dev s0 probe-fail 2",
		  "sf add: SF \"y\": \"probe-fail\" without \"probe\": nothing to probe (expected "
		  "\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")" },
		{ "sf set fw health none probe-interval 500",
		  "sf set: SF \"fw\": \"probe-interval\" with health none: the probe would never "
		  "be used (only health probe probes)" },
		{ "sf set fw probe icmp 2001:db8::1 probe-from 198.18.3.9",
		  "sf set: SF \"fw\": probe-from 198.18.3.9 is IPv4 and the probe's address "
		  "2001:db8::1 IPv6: they must be of one family" },
		{ "sf st fw", "sf: unknown command \"st\" (expected add, set, del, show, help)" },
		{ "chian show", "unknown object \"chian\" (expected ingress, group, sf, chain, rule, "
		  "stats, top, monitor, apply, diff, dump, health, help)" },
		/* what the document refuses, sfcctl refuses before sending */
		{ "rule add src 198.18.0.0/24 dst 2001:db8::/32 chain web",
		  "rule add: src and dst are of different address families" },
		{ "rule add dst 2001:db8::/32 proto icmp chain web",
		  "rule add: proto: icmp does not match IPv6 prefixes" },
		{ "rule add src 198.18.0.0/24 proto icmpv6 chain web",
		  "rule add: proto: icmpv6 does not match IPv4 prefixes" },
		{ "rule add sport 80 chain web", "rule add: sport: ports need proto tcp, udp or sctp" },
		{ "rule add proto icmp dport 1 chain web",
		  "rule add: dport: ports need proto tcp, udp or sctp" },
		{ "rule add pref 99 proto icmp dport 1 chain web",
		  "rule pref 99: dport: ports need proto tcp, udp or sctp" },
		/* MACs: hex digits and colons only */
		{ "sf add y dev s0 mac ' 2:00:00:00:00:01'",
		  "sf add: mac \" 2:00:00:00:00:01\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf add y dev s0 mac 02:+0:00:00:00:01",
		  "sf add: mac \"02:+0:00:00:00:01\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf add y dev s0 mac 02:00:00:00:00:01:",
		  "sf add: mac \"02:00:00:00:00:01:\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
		{ "sf add y dev s0 mac 02:00:00:00:00:001",
		  "sf add: mac \"02:00:00:00:00:001\": expected a MAC address (aa:bb:cc:dd:ee:ff)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[1024], want[1024];

		request_of(cases[i][0], got, sizeof(got));
		snprintf(want, sizeof(want), "error: %s", cases[i][1]);
		CHECK(!strcmp(got, want), "\"%s\": expected '%s', got '%s'", cases[i][0], want,
		      got);
	}
}

static void test_names(void)
{
	static const struct {
		const char *name, *why; /* why NULL: accepted */
	} cases[] = {
		{ "fw", NULL },
		{ "fw-1.a_b", NULL },
		{ "abcdefghijabcdefghijabcdefghija", NULL },
		{ "", "a name cannot be empty" },
		{ "abcdefghijabcdefghijabcdefghijab", "name longer than 31 characters" },
		{ "-fw", "a name cannot start with '-' (it would read as an option)" },
		{ "help", "\"help\" is a keyword, not a name" },
		{ "a,b", "a name cannot hold ',' (it separates SFs in a hop)" },
		{ "a b", "a name cannot hold spaces" },
		{ "a\nb", "a name cannot hold control characters (byte 0x0a)" },
		{ "ab\x7f", "a name cannot hold control characters (byte 0x7f)" },
		{ "caf\xc3\xa9", "a name is ASCII letters, digits and \"._-:@+/=\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[256] = "";
		int ret = sfc_name_check(cases[i].name, why, sizeof(why));

		if (!cases[i].why) {
			CHECK(ret == 0, "\"%s\" refused: %s", cases[i].name, why);
			continue;
		}
		CHECK(ret == -EINVAL, "\"%s\": returned %d, expected -EINVAL", cases[i].name, ret);
		CHECK(!strcmp(why, cases[i].why), "\"%s\": '%s', expected '%s'", cases[i].name, why,
		      cases[i].why);
	}
}

static void test_macs(void)
{
	static const __u8 ok[6] = { 0x02, 0, 0, 0, 0, 1 }, ok2[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const __u8 zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	char why[128];

	CHECK(!sfc_mac_check_unicast(ok, why, sizeof(why)), "02:00:00:00:00:01: %s", why);
	CHECK(!sfc_mac_check_unicast(ok2, why, sizeof(why)), "aa:bb:cc:dd:ee:ff: %s", why);
	CHECK(sfc_mac_check_unicast(zero, why, sizeof(why)) == -EINVAL, "zero accepted");
	CHECK(strstr(why, "all-zero"), "zero: '%s'", why);
	CHECK(sfc_mac_check_unicast(bcast, why, sizeof(why)) == -EINVAL, "broadcast accepted");
	CHECK(strstr(why, "broadcast"), "broadcast: '%s'", why);
	CHECK(sfc_mac_check_unicast(mcast, why, sizeof(why)) == -EINVAL, "multicast accepted");
	CHECK(strstr(why, "multicast"), "multicast: '%s'", why);
}

/* checks that the MAC parser takes hex digits and colons, nothing else */
static void test_mac_forms(void)
{
	static const struct {
		const char *text;
		bool ok;
	} cases[] = {
		{ "02:00:00:00:00:01", true }, { "AA:bb:Cc:dD:ee:FF", true },
		{ "2:0:0:0:0:1", true }, { " 2:00:00:00:00:01", false },
		{ "02: 0:00:00:00:01", false }, { "+2:00:00:00:00:01", false },
		{ "02:-0:00:00:00:01", false }, { "0x2:00:00:00:00:01", false },
		{ "02:00:00:00:00:01 ", false }, { "02:00:00:00:00", false },
		{ "02:00:00:00:00:01:02", false }, { "02-00-00-00-00-01", false },
		{ "", false }, { "::::::", false },
	};
	__u8 mac[6];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = sfc_parse_mac(cases[i].text, mac);

		CHECK(cases[i].ok ? ret == 0 : ret == -EINVAL, "\"%s\": returned %d, expected %s",
		      cases[i].text, ret, cases[i].ok ? "0" : "-EINVAL");
	}
	CHECK(!sfc_parse_mac("AA:bb:0:dD:ee:FF", mac) && mac[0] == 0xaa && mac[2] == 0 &&
	      mac[3] == 0xdd, "AA:bb:0:dD:ee:FF parsed as %02x:%02x:%02x:%02x", mac[0], mac[1],
	      mac[2], mac[3]);
}

/* checks that a message is made valid UTF-8 for JSON: a character cut at
 * the end is dropped, stray bytes become '?', valid text is left alone */
static void test_utf8_fix(void)
{
	static const struct {
		const char *in, *out;
		size_t fixed;
	} cases[] = {
		{ "chain \"caf\xc3\xa9\" \xe2\x82\xac \xf0\x9f\x98\x80", NULL, 0 },
		{ "cut in \xe2\x82", "cut in ", 2 },
		{ "cut in \xf0\x9f\x98", "cut in ", 3 },
		{ "cut in \xc3", "cut in ", 1 },
		{ "stray \xff byte", "stray ? byte", 1 },
		{ "cut \xe2\x82 inside", "cut ?? inside", 2 },
		{ "overlong \xc0\xaf", "overlong ??", 2 },
		{ "surrogate \xed\xa0\x80", "surrogate ???", 3 },
		{ "past U+10FFFF \xf4\x90\x80\x80", "past U+10FFFF ????", 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].out ? cases[i].out : cases[i].in;
		char buf[64];
		size_t n;

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		n = sfc_utf8_fix(buf);
		CHECK(!strcmp(buf, want) && n == cases[i].fixed, "case %zu: '%s' (%zu fixed), "
		      "expected '%s' (%zu)", i, buf, n, want, cases[i].fixed);
		CHECK(sfc_utf8_valid(buf), "case %zu: '%s' still not valid", i, buf);
		CHECK(sfc_utf8_valid(cases[i].in) == !cases[i].fixed, "case %zu: valid() says %d",
		      i, sfc_utf8_valid(cases[i].in));
	}
}

static void test_split(void)
{
	char buf[256], *argv[8];
	const char *why = NULL;
	int argc;

	snprintf(buf, sizeof(buf), "  'sf' \"d\\\"el\" a\\ b # comment \"x\n");
	argc = split_line(buf, argv, 8, &why);
	CHECK(argc == 3, "expected 3 words, got %d", argc);
	CHECK(!strcmp(argv[0], "sf") && !strcmp(argv[1], "d\"el") && !strcmp(argv[2], "a b"),
	      "words '%s' '%s' '%s'", argv[0], argv[1], argv[2]);
	snprintf(buf, sizeof(buf), "# only a comment\n");
	CHECK(split_line(buf, argv, 8, &why) == 0, "a comment line has words");
	snprintf(buf, sizeof(buf), "chain add \"x hop fw\n");
	CHECK(split_line(buf, argv, 8, &why) == -1 && !strcmp(why, "unterminated quote"),
	      "unterminated quote not refused");
	snprintf(buf, sizeof(buf), "a b c d e f g h i\n");
	CHECK(split_line(buf, argv, 8, &why) == -1 && !strcmp(why, "too many words"),
	      "nine words in eight slots");
}

/* Parse TEXT as a batch; errors in errs (a malloc'd string). */
static int parse_text(const char *text, struct batch *b, char **errs)
{
	struct ctx c = new_ctx();
	size_t elen = 0;
	FILE *f = fmemopen((void *)text, strlen(text), "r"), *e = open_memstream(errs, &elen);
	int ret;

	if (!f || !e)
		return -ENOMEM;
	ret = batch_parse(&c, f, "t.batch", e, b);
	fclose(f);
	fclose(e);
	if (c.fd != -1)
		return -EBUSY;
	return ret;
}

static void test_batch_whole(void)
{
	static const char text[] =
		"# set up\n"
		"sf add b1 kind iface dev s5\n"
		"chain add b-chain hop b1\n"
		"\n"
		"rule add pref 500 chain b-chain\n"
		"rule add pref 501 proto tcpp chain b-chain\n"
		"sf del b1\n";
	struct batch b;
	char *errs = NULL;
	int ret = parse_text(text, &b, &errs);

	CHECK(ret == 1, "expected 1 bad line, got %d (%s)", ret, errs);
	CHECK(!strcmp(errs, "t.batch:6: rule add: proto \"tcpp\": expected tcp, udp, sctp, icmp, "
		      "icmpv6 or 0-255\n"), "errors: '%s'", errs);
	batch_free(&b);
	free(errs);
}

static void test_batch_every_error(void)
{
	static const char text[] =
		"sf add -h kind iface dev s5\n"   /* help: parses */
		"chain ad x hop b1\n"
		"sf add 'b 1 kind iface dev s5\n"
		"group add help\n"                /* help */
		"group add -g\n";
	struct batch b;
	char *errs = NULL;
	int ret = parse_text(text, &b, &errs);

	CHECK(ret == 3, "expected 3 bad lines, got %d (%s)", ret, errs);
	CHECK(!strcmp(errs,
		      "t.batch:2: chain: unknown command \"ad\" (expected add, set, del, migrate, show, help)\n"
		      "t.batch:3: unterminated quote\n"
		      "t.batch:5: group add: NAME \"-g\": a name cannot start with '-' (it would "
		      "read as an option)\n"), "errors: '%s'", errs);
	batch_free(&b);
	free(errs);
}

static void test_batch_good(void)
{
	static const char text[] =
		"sf add b1 kind iface dev s5 # a comment\n"
		"\n"
		"group add g\n"
		"chain add b-chain hop b1 hop g\n";
	struct batch b;
	char *errs = NULL, *s;
	json_t *req;
	int ret = parse_text(text, &b, &errs);

	CHECK(ret == 0 && !errs[0], "%d bad lines: %s", ret, errs);
	CHECK(b.n == 3, "%zu lines, expected 3", b.n);
	CHECK(b.lines[0].lineno == 1 && b.lines[1].lineno == 3 && b.lines[2].lineno == 4,
	      "line numbers %zu %zu %zu", b.lines[0].lineno, b.lines[1].lineno, b.lines[2].lineno);
	req = cli_request(&b.lines[2].l);
	s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(req);
	CHECK(s && !strcmp(s, "{\"chain\":{\"hops\":[[\"b1\"],[\"g\"]],\"name\":\"b-chain\"},"
				"\"cmd\":\"chain-add\"}"), "line 4 sends %s", s);
	free(s);
	batch_free(&b);
	free(errs);
}

/* group show: members are the SFs whose "group" names it, users are the
 * hops that name it, by chain and position (a bare-string hop too). */
static void test_group_view(void)
{
	static const char doc_text[] =
		"{\"groups\": [{\"name\": \"ga\"}, {\"name\": \"gb\"}],"
		" \"sfs\": [{\"name\": \"m1\", \"dev\": \"s1\", \"group\": \"ga\"},"
		"           {\"name\": \"x\", \"dev\": \"s2\"},"
		"           {\"name\": \"m2\", \"dev\": \"s3\", \"group\": \"ga\"}],"
		" \"chains\": [{\"name\": \"c1\", \"hops\": [[\"x\"], [\"ga\", \"gb\"]]},"
		"             {\"name\": \"c2\", \"hops\": [\"ga\"]}]}";
	json_t *doc = json_loads(doc_text, 0, NULL), *view;
	char *all, *one, *none;

	CHECK(doc, "the test document does not parse");
	view = group_show_view(doc, NULL);
	all = json_dumps(view, JSON_COMPACT);
	json_decref(view);
	view = group_show_view(doc, "gb");
	one = json_dumps(view, JSON_COMPACT);
	json_decref(view);
	view = group_show_view(doc, "nope");
	none = json_dumps(view, JSON_COMPACT);
	json_decref(view);
	json_decref(doc);
	CHECK(!strcmp(all, "[{\"name\":\"ga\",\"sfs\":[\"m1\",\"m2\"],\"used-by\":"
			   "[{\"chain\":\"c1\",\"hop\":2},{\"chain\":\"c2\",\"hop\":1}]},"
			   "{\"name\":\"gb\",\"sfs\":[],\"used-by\":[{\"chain\":\"c1\",\"hop\":2}]}]"),
	      "all groups: %s", all);
	CHECK(!strcmp(one, "[{\"name\":\"gb\",\"sfs\":[],\"used-by\":[{\"chain\":\"c1\","
			   "\"hop\":2}]}]"), "group gb: %s", one);
	CHECK(!strcmp(none, "[]"), "no such group: %s", none);
	free(all);
	free(one);
	free(none);
}

/* checks that a tap hop is one of the hops that name a group in group show */
static void test_group_view_tap(void)
{
	static const char doc_text[] =
		"{\"groups\": [{\"name\": \"caps\"}],"
		" \"sfs\": [{\"name\": \"c1\", \"dev\": \"s1\", \"group\": \"caps\"},"
		"           {\"name\": \"x\", \"dev\": \"s2\"}],"
		" \"chains\": [{\"name\": \"web\", \"hops\": [[\"x\"], {\"tap\": [\"caps\"]}]},"
		"             {\"name\": \"mail\", \"hops\": [{\"tap\": [\"x\"]}]}]}";
	json_t *doc = json_loads(doc_text, 0, NULL), *view;
	char *all;

	CHECK(doc, "the test document does not parse");
	view = group_show_view(doc, NULL);
	all = json_dumps(view, JSON_COMPACT);
	json_decref(view);
	json_decref(doc);
	CHECK(!strcmp(all, "[{\"name\":\"caps\",\"sfs\":[\"c1\"],\"used-by\":"
			   "[{\"chain\":\"web\",\"hop\":2}]}]"), "groups: %s", all);
	free(all);
}

/* checks the HOPS column: hops joined by " -> ", SFs by ",", a tap as tap:SF[,SF] */
static void test_fmt_hops(void)
{
	static const struct {
		const char *row, *want;
	} cases[] = {
		{ "{\"hops\":[[\"fw\",\"fw2\"],[\"nat\"]]}", "fw,fw2 -> nat" },
		{ "{\"hops\":[[\"fw\"],{\"tap\":[\"ids\"]},[\"nat\"]]}", "fw -> tap:ids -> nat" },
		{ "{\"hops\":[{\"tap\":[\"a\",\"b\"]},\"fw\"]}", "tap:a,b -> fw" },
		{ "{\"hops\":[{\"tap\":[\"ids\"]}]}", "tap:ids" },
		{ "{\"hops\":[]}", "-" },
	};
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *row = json_loads(cases[i].row, 0, NULL);
		const char *got = fmt_hops(row, "hops", buf, sizeof(buf));

		CHECK(!strcmp(got, cases[i].want), "%s: expected \"%s\", got \"%s\"", cases[i].row,
		      cases[i].want, got);
		json_decref(row);
	}
}

/* sf show: the document's SFs with defaults filled in (health too) and the
 * stats' link and probe states; CHECK as "state age". */
static void test_sf_view(void)
{
	static const char doc_text[] =
		"{\"sfs\": [{\"name\": \"a\", \"dev\": \"s1\"},"
		"           {\"name\": \"b\", \"kind\": \"iface\", \"dev\": \"s2\","
		"            \"probe\": \"icmp 2001:db8::1\", \"weight\": 2},"
		"           {\"name\": \"c\", \"dev\": \"s3\", \"health\": \"none\"}]}";
	json_t *doc = json_loads(doc_text, 0, NULL), *stats, *view, *row;
	long long now = time(NULL);
	char buf[64], *all;

	CHECK(doc, "the test document does not parse");
	stats = json_pack("{s:[{s:s,s:b},{s:s,s:b,s:{s:s,s:I,s:i,s:i,s:i}}]}", "sfs",
			  "name", "a", "up", 1, "name", "b", "up", 1, "probe", "state", "down",
			  "since", (json_int_t)(now - 300), "sent", 9, "answered", 4, "fails", 5);
	view = sf_show_view(doc, stats, NULL);
	all = json_dumps(view, JSON_COMPACT);
	snprintf(buf, sizeof(buf), "%lld", now - 300);
	CHECK(strstr(all, "{\"name\":\"a\",\"dev\":\"s1\",\"kind\":\"iface\",\"weight\":1,"
			  "\"health\":\"link\",\"up\":true}") != NULL, "SF a: %s", all);
	CHECK(strstr(all, "{\"name\":\"b\",\"kind\":\"iface\",\"dev\":\"s2\",\"probe\":"
			  "\"icmp 2001:db8::1\",\"weight\":2,\"health\":\"probe\",\"up\":true,"
			  "\"probe-state\":{\"state\":\"down\",\"since\":") != NULL, "SF b: %s", all);
	CHECK(strstr(all, "\"sent\":9,\"answered\":4,\"fails\":5}}") != NULL, "b's counts: %s", all);
	CHECK(strstr(all, "{\"name\":\"c\",\"dev\":\"s3\",\"health\":\"none\",\"kind\":\"iface\","
			  "\"weight\":1}") != NULL, "SF c (no stats): %s", all);
	free(all);
	row = json_array_get(view, 1);
	CHECK(!strcmp(fmt_check(row, "probe-state", buf, sizeof(buf)), "down 5m"),
	      "CHECK of b: %s", fmt_check(row, "probe-state", buf, sizeof(buf)));
	CHECK(!strcmp(fmt_check(json_array_get(view, 0), "probe-state", buf, sizeof(buf)), "-"),
	      "CHECK of a: %s", buf);
	json_object_set_new(json_object_get(row, "probe-state"), "state", json_string("pending"));
	CHECK(!strcmp(fmt_check(row, "probe-state", buf, sizeof(buf)), "pending"),
	      "CHECK pending: %s", fmt_check(row, "probe-state", buf, sizeof(buf)));
	json_decref(view);
	view = sf_show_view(doc, stats, "c");
	CHECK(json_array_size(view) == 1, "sf show c: %zu rows", json_array_size(view));
	json_decref(view);
	json_decref(stats);
	json_decref(doc);
}

/* ages as one unit, rounded down; a time ahead of ours is 0s */
static void test_fmt_age(void)
{
	static const struct {
		long long s;
		const char *want;
	} cases[] = {
		{ 0, "0s" }, { 12, "12s" }, { 59, "59s" }, { 60, "1m" }, { 3599, "59m" },
		{ 3600, "1h" }, { 86399, "23h" }, { 86400, "1d" }, { 200000, "2d" }, { -5, "0s" },
	};
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK(!strcmp(fmt_age(cases[i].s, buf, sizeof(buf)), cases[i].want),
		      "%lld s: expected %s, got %s", cases[i].s, cases[i].want, buf);
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_requests),
	UNIT_TEST(test_help),
	UNIT_TEST(test_parse_errors),
	UNIT_TEST(test_names),
	UNIT_TEST(test_macs),
	UNIT_TEST(test_mac_forms),
	UNIT_TEST(test_utf8_fix),
	UNIT_TEST(test_split),
	UNIT_TEST(test_batch_whole),
	UNIT_TEST(test_batch_every_error),
	UNIT_TEST(test_batch_good),
	UNIT_TEST(test_group_view),
	UNIT_TEST(test_group_view_tap),
	UNIT_TEST(test_fmt_hops),
	UNIT_TEST(test_sf_view),
	UNIT_TEST(test_fmt_age),
};

int main(int argc, char **argv)
{
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
