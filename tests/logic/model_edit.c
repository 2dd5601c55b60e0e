// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Typed edits of the document: refusals with names, SPI and pref
 * numbering, groups, CNI attachments and their warnings. No root. */
#include "model_util.h"

#define WEB "\"chains\":[{\"name\":\"web\",\"spi\":1,\"hops\":[\"fw\",[\"pool\"]]}]," \
	    "\"rules\":[{\"pref\":10,\"proto\":\"tcp\",\"chain\":\"web\"}]"

static int base(struct sfc_doc *d, char *err, size_t len)
{
	return doc_from("{" BASE_SFS "," WEB "}", NULL, d, err, len);
}

/* checks that deleting SFs, chains and groups in use is refused, naming the user */
static void test_delete_in_use_names_the_user(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_EQ(sfc_edit_sf_del(&d, "fw", err, sizeof(err)), -EBUSY, "sf del fw");
	ASSERT_STREQ(err, "SF \"fw\" is used by chain \"web\" hop 1", "sf del message");
	ASSERT_EQ(sfc_edit_chain_del(&d, "web", err, sizeof(err)), -EBUSY, "chain del web");
	ASSERT_STREQ(err, "chain \"web\" is used by rule pref 10", "chain del message");
	ASSERT_EQ(sfc_edit_group_del(&d, "pool", err, sizeof(err)), -EBUSY, "group del pool");
	ASSERT_STREQ(err, "group \"pool\" is used by SF \"p1\"", "group del message");
	ASSERT_EQ(sfc_edit_sf_del(&d, "nosuch", err, sizeof(err)), -ENOENT, "sf del nosuch");
	ASSERT_STREQ(err, "no SF named \"nosuch\"", "sf del nosuch message");
	ASSERT_OK(sfc_edit_sf_del(&d, "ids", err, sizeof(err)), err);
	ASSERT_TRUE(!sfc_doc_sf(&d, "ids") && sfc_doc_sf(&d, "p1"), "ids gone, p1 found");
	ASSERT_TRUE(!d.validated, "an edit asks for validation");
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	sfc_doc_free(&d);
}

/* checks that groups are added and deleted as objects, and a group used only by a chain is kept */
static void test_group_add_del(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_group_add(&d, "g2", err, sizeof(err)), err);
	ASSERT_EQ(sfc_edit_group_add(&d, "g2", err, sizeof(err)), -EEXIST, "group add twice");
	ASSERT_STREQ(err, "group \"g2\" already exists", "group add twice message");
	ASSERT_EQ(sfc_edit_group_add(&d, "fw", err, sizeof(err)), -EEXIST, "group named like an SF");
	ASSERT_EQ(sfc_edit_group_add(&d, "a b", err, sizeof(err)), -EINVAL, "group name with a space");
	ASSERT_STREQ(err, "group \"a b\": a name cannot hold spaces", "group name message");
	ASSERT_OK(sfc_edit_sf_del(&d, "fw", err, sizeof(err)) == -EBUSY ? 0 : -1, "fw in use");
	ASSERT_OK(sfc_edit_group_del(&d, "g2", err, sizeof(err)), err);
	ASSERT_TRUE(!sfc_doc_group(&d, "g2"), "g2 gone");
	/* pool: its SF leaves, the chain still names it */
	ASSERT_OK(sfc_edit_sf_del(&d, "p1", err, sizeof(err)), err);
	ASSERT_EQ(sfc_edit_group_del(&d, "pool", err, sizeof(err)), -EBUSY, "group del pool");
	ASSERT_STREQ(err, "group \"pool\" is used by chain \"web\" hop 2", "group in chain message");
	sfc_doc_free(&d);
}

/* checks that chains without an SPI get the lowest free one, or keep the one they had */
static void test_spis_numbered_by_the_model(void)
{
	struct sfc_chain_cfg c = { .name = "c2", .nhops = 1, .hops = { { .nsf = 1, .sf = { "ids" } } } };
	struct sfc_doc d, d2;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_add(&d, &c, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_chain(&d, "c2")->spi, 2, "chain add: lowest free SPI");
	/* a hand-written document without SPIs: known chains keep theirs */
	ASSERT_OK(doc_from("{" BASE_SFS ",\"chains\":[{\"name\":\"new\",\"hops\":[\"fw\"]},"
			   "{\"name\":\"c2\",\"hops\":[\"ids\"]},{\"name\":\"web\",\"hops\":[\"p1\"]}]}",
			   &d, &d2, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_chain(&d2, "web")->spi, 1, "web keeps spi 1");
	ASSERT_EQ(sfc_doc_chain(&d2, "c2")->spi, 2, "c2 keeps spi 2");
	ASSERT_EQ(sfc_doc_chain(&d2, "new")->spi, 3, "new gets the lowest free, 3");
	sfc_doc_free(&d2);
	sfc_doc_free(&d);
}

/* checks that a rule without pref goes 10 after the last, and a refusal says "rule add" */
static void test_rule_add_numbers_prefs(void)
{
	struct sfc_rule_cfg r = { .proto = -1, .chain = "web" };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_rule_add(&d, &r, true, "rule add", err, sizeof(err)), err);
	ASSERT_EQ(r.pref, 20, "pref after 10");
	ASSERT_EQ(sfc_edit_rule_add(&d, &r, false, "rule pref 20", err, sizeof(err)), -EEXIST,
		  "pref 20 again");
	ASSERT_STREQ(err, "rule pref 20 already exists", "rule pref exists message");
	strcpy(r.chain, "nochain");
	ASSERT_EQ(sfc_edit_rule_add(&d, &r, true, "rule add", err, sizeof(err)), -EINVAL,
		  "rule to a missing chain");
	ASSERT_STREQ(err, "rule add: chain: no chain named \"nochain\"", "missing chain message");
	ASSERT_OK(sfc_edit_rule_del(&d, 10, err, sizeof(err)), err);
	ASSERT_EQ(sfc_edit_rule_del(&d, 10, err, sizeof(err)), -ENOENT, "rule del twice");
	ASSERT_STREQ(err, "no rule with pref 10", "rule del message");
	ASSERT_EQ(d.nrules, 1, "one rule left");
	sfc_doc_free(&d);
}

/* checks that chain-set replaces only the keys given */
static void test_chain_set_keeps_what_is_not_given(void)
{
	json_t *v = json_loads("{\"name\":\"web\",\"on-failure\":\"bypass\"}", 0, NULL);
	struct sfc_chain_cfg c;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(v, &c, true, err, sizeof(err)), err);
	json_decref(v);
	ASSERT_OK(sfc_edit_chain_set(&d, &c, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_chain(&d, "web")->on_failure, SFC_FAIL_BYPASS, "on-failure set");
	ASSERT_EQ(sfc_doc_chain(&d, "web")->nhops, 2, "hops kept");
	ASSERT_EQ(sfc_doc_chain(&d, "web")->spi, 1, "spi kept");
	ASSERT_EQ(sfc_doc_chain(&d, "web")->end, SFC_END_STACK, "end kept (default stack)");
	sfc_doc_free(&d);
}

/* checks that chain-set turns symmetric on and off, keeps it when not given, and refuses a non-boolean by name */
static void test_chain_set_symmetric(void)
{
	json_t *on = json_loads("{\"name\":\"web\",\"symmetric\":true}", 0, NULL);
	json_t *off = json_loads("{\"name\":\"web\",\"symmetric\":false}", 0, NULL);
	json_t *other = json_loads("{\"name\":\"web\",\"end\":\"xdp\"}", 0, NULL);
	json_t *bad = json_loads("{\"name\":\"web\",\"symmetric\":\"on\"}", 0, NULL);
	json_t *whole = json_loads("{\"name\":\"c2\",\"hops\":[\"ids\"]}", 0, NULL);
	struct sfc_chain_cfg c;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_TRUE(!sfc_doc_chain(&d, "web")->symmetric, "not symmetric by default");
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(on, &c, true, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_set(&d, &c, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_chain(&d, "web")->symmetric, "symmetric set");
	ASSERT_EQ(sfc_doc_chain(&d, "web")->nhops, 2, "hops kept");
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(other, &c, true, err, sizeof(err)), err);
	ASSERT_TRUE(c.symmetric, "symmetric kept by a set of something else");
	ASSERT_EQ(sfc_chain_from_json(bad, &c, true, err, sizeof(err)), -EINVAL, "\"on\" refused");
	ASSERT_STREQ(err, "chain \"web\": symmetric: expected true or false, got \"on\"",
		     "\"on\" refused, message");
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(off, &c, true, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_set(&d, &c, err, sizeof(err)), err);
	ASSERT_TRUE(!sfc_doc_chain(&d, "web")->symmetric, "symmetric cleared");
	/* a whole chain (chain add) without the key is not symmetric */
	c.symmetric = true;
	ASSERT_OK(sfc_chain_from_json(whole, &c, false, err, sizeof(err)), err);
	ASSERT_TRUE(!c.symmetric, "chain add without symmetric: not symmetric");
	json_decref(whole);
	json_decref(on);
	json_decref(off);
	json_decref(other);
	json_decref(bad);
	sfc_doc_free(&d);
}

/* checks that an SF added later to a group a symmetric chain names is refused when it is two-arm with a mac and no out-mac, and taken two-arm with an out-mac, two-arm without a mac, or one-arm */
static void test_sf_joining_a_symmetric_chain_with_a_mac_needs_an_out_mac(void)
{
	static const char *const taken[] = {
		("{\"name\":\"p3\",\"dev\":\"s5\",\"out-dev\":\"s6\",\"group\":\"pool\","
		 "\"mac\":\"02:00:00:00:00:05\",\"out-mac\":\"02:00:00:00:00:06\"}"),
		"{\"name\":\"p3\",\"dev\":\"s5\",\"out-dev\":\"s6\",\"group\":\"pool\"}",
		"{\"name\":\"p3\",\"dev\":\"s7\",\"group\":\"pool\",\"mac\":\"02:00:00:00:00:07\"}",
	};
	json_t *unset = json_loads("{\"name\":\"p2\",\"dev\":\"s5\",\"out-dev\":\"s6\","
				   "\"group\":\"pool\",\"mac\":\"02:00:00:00:00:05\"}", 0, NULL);
	json_t *sym = json_loads("{\"name\":\"web\",\"symmetric\":true}", 0, NULL);
	struct sfc_chain_cfg c;
	struct sfc_sf_cfg sf;
	struct sfc_doc d, next;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(sym, &c, true, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_set(&d, &c, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	/* as sfcd does: edit a copy, validate it against the current one */
	ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
	ASSERT_OK(sfc_sf_from_json(unset, &sf, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_add(&next, &sf, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&next, &d, err, sizeof(err)), -EINVAL, "mac, no out-mac");
	ASSERT_STREQ(err, "chain \"web\": hop 2: group \"pool\" includes SF \"p2\", which is "
		     "two-arm (out-dev \"s6\") and has a mac but no out-mac, and the chain is "
		     "symmetric: its replies enter the SF from its out-dev side, where the fabric "
		     "must address them to the SF's MAC on that side: set \"out-mac\"",
		     "mac, no out-mac: message");
	sfc_doc_free(&next);
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		json_t *j = json_loads(taken[i], 0, NULL);

		ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
		ASSERT_OK(sfc_sf_from_json(j, &sf, err, sizeof(err)), err);
		json_decref(j);
		ASSERT_OK(sfc_edit_sf_add(&next, &sf, err, sizeof(err)), err);
		ASSERT_OK(sfc_doc_validate(&next, &d, err, sizeof(err)), taken[i]);
		ASSERT_TRUE(sfc_doc_chain(&next, "web")->symmetric, "still symmetric");
		sfc_doc_free(&next);
	}
	json_decref(unset);
	json_decref(sym);
	sfc_doc_free(&d);
}

/* checks that chain-set changes the end mode alone, and a bad mode is refused by name */
static void test_chain_set_end(void)
{
	json_t *v = json_loads("{\"name\":\"web\",\"end\":\"auto\"}", 0, NULL);
	json_t *bad = json_loads("{\"name\":\"web\",\"end\":\"fast\"}", 0, NULL);
	struct sfc_chain_cfg c;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(v, &c, true, err, sizeof(err)), err);
	ASSERT_EQ(c.end, SFC_END_AUTO, "end auto parsed");
	ASSERT_EQ(c.nhops, 2, "hops kept");
	ASSERT_EQ(sfc_chain_from_json(bad, &c, true, err, sizeof(err)), -EINVAL, "end fast refused");
	ASSERT_STREQ(err, "chain \"web\": end: \"fast\": expected \"stack\", \"xdp\" or \"auto\"",
		     "end error message");
	json_decref(v);
	json_decref(bad);
	sfc_doc_free(&d);
}

/* the SF sf-set request v (JSON text) makes of SF name in d, in *sf */
static int sf_set(struct sfc_doc *d, const char *name, const char *v, struct sfc_sf_cfg *sf,
		  char *err, size_t len)
{
	json_t *j = json_loads(v, 0, NULL);
	int ret;

	*sf = *sfc_doc_sf(d, name);
	ret = sfc_sf_set_from_json(j, sf, err, len);
	json_decref(j);
	return ret;
}

/* checks that sf-set changes only the weight, and refuses other keys, no weight and bad weights by name */
static void test_sf_set_changes_only_the_weight(void)
{
	struct sfc_sf_cfg sf, ghost = { .name = "nosuch", .dev = "s9", .weight = 2 };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sf_set(&d, "p1", "{\"name\":\"p1\",\"weight\":7}", &sf, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_set(&d, &sf, err, sizeof(err)), err);
	ASSERT_TRUE(!d.validated, "an edit asks for validation");
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "p1")), 7, "weight set");
	ASSERT_STREQ(sfc_doc_sf(&d, "p1")->group, "pool", "group kept");
	ASSERT_STREQ(sfc_doc_sf(&d, "p1")->dev, "s2", "dev kept");
	ASSERT_EQ(sf_set(&d, "p1", "{\"name\":\"p1\",\"weight\":0}", &sf, err, sizeof(err)),
		  -EINVAL, "weight 0");
	ASSERT_STREQ(err, "SF \"p1\": weight: expected an integer from 1 to 1000, got 0",
		     "weight 0 message");
	ASSERT_EQ(sf_set(&d, "p1", "{\"name\":\"p1\",\"dev\":\"s5\",\"weight\":2}", &sf, err,
			 sizeof(err)), -EINVAL, "dev");
	ASSERT_STREQ(err, "SF \"p1\": \"dev\" cannot be set (sf set changes \"weight\", "
		     "\"out-mac\", \"health\" and the probe-* keys; delete and add the SF to "
		     "change the rest)", "dev message");
	ASSERT_EQ(sf_set(&d, "p1", "{\"name\":\"p1\"}", &sf, err, sizeof(err)), -EINVAL,
		  "nothing to set");
	ASSERT_STREQ(err, "SF \"p1\": nothing to set (expected \"weight\", \"out-mac\", "
		     "\"health\", \"probe\", \"probe-from\", \"probe-interval\", \"probe-fail\" "
		     "or \"probe-recover\")", "nothing message");
	ASSERT_EQ(sfc_edit_sf_set(&d, &ghost, err, sizeof(err)), -ENOENT, "sf set nosuch");
	ASSERT_STREQ(err, "no SF named \"nosuch\"", "sf set nosuch message");
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "p1")), 7, "refusals changed nothing");
	sfc_doc_free(&d);
}

/* checks that a repeated CNI ADD of a pod keeps the weight its SF was given */
static void test_cni_reattach_keeps_the_weight(void)
{
	struct sfc_cni_attach a = { .network = "n", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "veth1", .sf = "pool" };
	struct sfc_sf_cfg sf;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_EQ(sfc_sf_weight(&d.sfs[d.nsfs - 1]), 1, "a pod's SF starts at weight 1");
	sf = d.sfs[d.nsfs - 1];
	sf.weight = 4;
	ASSERT_OK(sfc_edit_sf_set(&d, &sf, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(d.nsfs, 4, "one SF for the pod");
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, sf.name)), 4, "weight kept");
	sfc_doc_free(&d);
}

/* sf-set request v on SF name of d, applied and validated whole; err on refusal */
static int sf_set_apply(struct sfc_doc *d, const char *name, const char *v, char *err,
			size_t len)
{
	struct sfc_sf_cfg sf;
	int ret = sf_set(d, name, v, &sf, err, len);

	if (!ret)
		ret = sfc_edit_sf_set(d, &sf, err, len);
	if (!ret)
		ret = sfc_doc_validate(d, NULL, err, len);
	return ret;
}

/* checks that sf-set sets, replaces and (null) removes an out-mac, keeps the rest, refuses a value that is no MAC by name, and that the document refuses an out-mac on a one-arm SF and one removed while a symmetric chain needs it */
static void test_sf_set_out_mac(void)
{
	struct sfc_sf_cfg rt = { .name = "rt", .kind = SFC_KIND_IFACE, .dev = "s5",
				 .out_dev = "s6", .has_mac = true,
				 .mac = { 0x02, 0, 0, 0, 0, 0x05 }, .weight = 3 };
	json_t *sym = json_loads("{\"name\":\"web\",\"symmetric\":true,\"hops\":[\"fw\",\"rt\"]}",
				 0, NULL);
	const struct sfc_sf_cfg *p;
	struct sfc_chain_cfg c;
	struct sfc_sf_cfg sf;
	struct sfc_doc d, next;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_add(&d, &rt, err, sizeof(err)), err);
	ASSERT_OK(sf_set_apply(&d, "rt", "{\"name\":\"rt\",\"out-mac\":\"02:00:00:00:00:06\"}", err,
			       sizeof(err)), err);
	p = sfc_doc_sf(&d, "rt");
	ASSERT_TRUE(p->has_out_mac && !memcmp(p->out_mac, (__u8[6]){ 2, 0, 0, 0, 0, 6 }, 6),
		    "out-mac set");
	ASSERT_TRUE(p->has_mac && !memcmp(p->mac, rt.mac, 6), "mac kept");
	ASSERT_EQ(sfc_sf_weight(p), 3, "weight kept");
	ASSERT_STREQ(p->out_dev, "s6", "out-dev kept");
	ASSERT_OK(sf_set_apply(&d, "rt", "{\"name\":\"rt\",\"out-mac\":\"2:0:0:0:0:7\","
			       "\"weight\":2}", err, sizeof(err)), err);
	p = sfc_doc_sf(&d, "rt");
	ASSERT_TRUE(p->has_out_mac && !memcmp(p->out_mac, (__u8[6]){ 2, 0, 0, 0, 0, 7 }, 6),
		    "out-mac replaced");
	ASSERT_EQ(sfc_sf_weight(p), 2, "weight set with it");
	ASSERT_EQ(sf_set(&d, "rt", "{\"name\":\"rt\",\"out-mac\":\"zz\"}", &sf, err, sizeof(err)),
		  -EINVAL, "out-mac zz");
	ASSERT_STREQ(err, "SF \"rt\": out-mac: expected a MAC address (aa:bb:cc:dd:ee:ff) or null, "
		     "got \"zz\"", "out-mac zz: message");
	ASSERT_EQ(sf_set(&d, "rt", "{\"name\":\"rt\",\"out-mac\":5}", &sf, err, sizeof(err)),
		  -EINVAL, "out-mac 5");
	ASSERT_STREQ(err, "SF \"rt\": out-mac: expected a MAC address (aa:bb:cc:dd:ee:ff) or null, "
		     "got 5", "out-mac 5: message");
	ASSERT_EQ(sf_set_apply(&d, "fw", "{\"name\":\"fw\",\"out-mac\":\"02:00:00:00:00:09\"}", err,
			       sizeof(err)), -EINVAL, "out-mac on one-arm fw");
	ASSERT_STREQ(err, "SF \"fw\": out-mac: the SF is one-arm (no out-dev other than its dev); "
		     "out-mac is its MAC on its out-dev side, which only a two-arm SF has",
		     "out-mac on one-arm fw: message");
	sfc_doc_free(&d);

	/* rt in a symmetric chain: its out-mac cannot go */
	ASSERT_OK(base(&d, err, sizeof(err)), err);
	rt.has_out_mac = true;
	memcpy(rt.out_mac, (__u8[6]){ 2, 0, 0, 0, 0, 6 }, 6);
	ASSERT_OK(sfc_edit_sf_add(&d, &rt, err, sizeof(err)), err);
	c = *sfc_doc_chain(&d, "web");
	ASSERT_OK(sfc_chain_from_json(sym, &c, true, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_set(&d, &c, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
	ASSERT_OK(sf_set(&next, "rt", "{\"name\":\"rt\",\"out-mac\":null}", &sf, err, sizeof(err)),
		  err);
	ASSERT_TRUE(!sf.has_out_mac, "null removes the out-mac");
	ASSERT_OK(sfc_edit_sf_set(&next, &sf, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&next, &d, err, sizeof(err)), -EINVAL, "out-mac removed");
	ASSERT_STREQ(err, "chain \"web\": hop 2: SF \"rt\" is two-arm (out-dev \"s6\") and has a "
		     "mac but no out-mac, and the chain is symmetric: its replies enter the SF "
		     "from its out-dev side, where the fabric must address them to the SF's MAC "
		     "on that side: set \"out-mac\"", "out-mac removed: message");
	sfc_doc_free(&next);
	ASSERT_TRUE(sfc_doc_sf(&d, "rt")->has_out_mac, "the document keeps it");
	json_decref(sym);
	sfc_doc_free(&d);
}

/* checks sf-set of the health keys: probe implies health probe, keys present overwrite, link or none clear the probe, the rest is kept */
static void test_sf_set_health_settings(void)
{
	struct sfc_doc d;
	char err[512] = "", buf[96];
	const struct sfc_sf_cfg *p1;

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"weight\":4}", err, sizeof(err)), err);
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"probe\":\"tcp 198.18.3.1:80\","
			       "\"probe-from\":\"198.18.3.9\"}", err, sizeof(err)), err);
	p1 = sfc_doc_sf(&d, "p1");
	ASSERT_EQ(p1->health, SFC_HEALTH_PROBE, "probe without health is health probe");
	ASSERT_STREQ(sfc_probe_format(&p1->probe, buf, sizeof(buf)), "tcp 198.18.3.1:80", "probe");
	ASSERT_TRUE(p1->probe.has_from, "probe-from set");
	ASSERT_EQ(sfc_sf_weight(p1), 4, "weight kept");
	ASSERT_STREQ(p1->group, "pool", "group kept");
	/* one key: the others stay */
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"probe-interval\":300}", err,
			       sizeof(err)), err);
	p1 = sfc_doc_sf(&d, "p1");
	ASSERT_EQ(p1->probe.interval_ms, 300, "interval set");
	ASSERT_EQ(p1->probe.port, 80, "probe kept");
	ASSERT_TRUE(p1->probe.has_from, "probe-from kept");
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"probe\":\"icmp 198.18.3.2\","
			       "\"probe-fail\":6,\"probe-recover\":7}", err, sizeof(err)), err);
	p1 = sfc_doc_sf(&d, "p1");
	ASSERT_STREQ(sfc_probe_format(&p1->probe, buf, sizeof(buf)), "icmp 198.18.3.2",
		     "probe replaced");
	ASSERT_EQ(p1->probe.interval_ms, 300, "interval kept over a new probe");
	ASSERT_EQ(p1->probe.fail * 100 + p1->probe.recover, 607, "fail and recover set");
	/* a probe of the other family with the old probe-from: refused */
	ASSERT_EQ(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"probe\":\"icmp 2001:db8::1\"}", err,
			       sizeof(err)), -EINVAL, "IPv6 probe, IPv4 probe-from");
	ASSERT_STREQ(err, "SF \"p1\": probe-from 198.18.3.9 is IPv4 and the probe's address "
		     "2001:db8::1 IPv6: they must be of one family", "family message");
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"probe\":\"icmp 2001:db8::1\","
			       "\"probe-from\":\"2001:db8::9\"}", err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_sf(&d, "p1")->probe.family, 6, "IPv6 with its probe-from");
	/* health none: the probe settings go */
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"health\":\"none\"}", err,
			       sizeof(err)), err);
	p1 = sfc_doc_sf(&d, "p1");
	ASSERT_EQ(p1->health, SFC_HEALTH_NONE, "health none");
	ASSERT_EQ(p1->probe.type, SFC_PROBE_OFF, "probe cleared");
	ASSERT_TRUE(!p1->probe.has_from && !p1->probe.interval_ms && !p1->probe.fail &&
		    !p1->probe.recover, "probe keys cleared");
	ASSERT_EQ(sfc_sf_weight(p1), 4, "weight kept through health");
	/* health probe with a probe in one request, then link clears it again */
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"health\":\"probe\","
			       "\"probe\":\"tcp [2001:db8::1]:22\"}", err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_sf(&d, "p1")->health, SFC_HEALTH_PROBE, "health probe");
	ASSERT_OK(sf_set_apply(&d, "p1", "{\"name\":\"p1\",\"health\":\"link\"}", err,
			       sizeof(err)), err);
	p1 = sfc_doc_sf(&d, "p1");
	ASSERT_EQ(p1->health, SFC_HEALTH_LINK, "health link");
	ASSERT_EQ(p1->probe.type, SFC_PROBE_OFF, "probe cleared by link");
	sfc_doc_free(&d);
}

/* checks that sf-set refuses health settings that do not go together, naming the SF, and leaves the SF as it was */
static void test_sf_set_health_refusals(void)
{
	static const char *const cases[][2] = {
		{ "{\"name\":\"fw\",\"health\":\"probe\"}",
		  "SF \"fw\": health probe needs \"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\"" },
		{ "{\"name\":\"fw\",\"probe-interval\":500}",
		  "SF \"fw\": \"probe-interval\" without \"probe\": nothing to probe (expected "
		  "\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")" },
		{ "{\"name\":\"fw\",\"health\":\"none\",\"probe\":\"icmp 2001:db8::1\"}",
		  "SF \"fw\": \"probe\" with health none: the probe would never be used (only "
		  "health probe probes)" },
		{ "{\"name\":\"fw\",\"health\":\"link\",\"probe-fail\":2}",
		  "SF \"fw\": \"probe-fail\" with health link: the probe would never be used (only "
		  "health probe probes)" },
		{ "{\"name\":\"fw\",\"probe\":\"icmp 198.18.3.1\"}",
		  "SF \"fw\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address of the "
		  "SF's subnet that nothing else uses (sfcd sends from it and answers ARP for it)" },
		{ "{\"name\":\"fw\",\"probe\":\"udp 198.18.3.1:53\"}",
		  "SF \"fw\": probe: \"udp 198.18.3.1:53\": expected \"icmp ADDRESS\" or \"tcp "
		  "ADDRESS:PORT\"" },
		{ "{\"name\":\"fw\",\"health\":\"off\"}",
		  "SF \"fw\": health: \"off\": expected \"none\", \"link\" or \"probe\"" },
		{ "{\"name\":\"fw\",\"probe\":\"icmp 2001:db8::1\",\"probe-recover\":0}",
		  "SF \"fw\": probe-recover: expected an integer from 1 to 100, got 0" },
	};
	struct sfc_sf_cfg sf, before;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *j = json_loads(cases[i][0], 0, NULL);
		int ret;

		sf = before = *sfc_doc_sf(&d, "fw");
		ret = sfc_sf_set_from_json(j, &sf, err, sizeof(err));
		json_decref(j);
		ASSERT_EQ(ret, -EINVAL, cases[i][0]);
		ASSERT_STREQ(err, cases[i][1], cases[i][0]);
		ASSERT_TRUE(!memcmp(&sf, &before, sizeof(sf)), "a refusal leaves the SF as it was");
	}
	/* an SF with health none: a probe key alone is named as unused */
	ASSERT_OK(sf_set_apply(&d, "fw", "{\"name\":\"fw\",\"health\":\"none\"}", err, sizeof(err)),
		  err);
	ASSERT_EQ(sf_set_apply(&d, "fw", "{\"name\":\"fw\",\"probe-interval\":500}", err,
			       sizeof(err)), -EINVAL, "interval on health none");
	ASSERT_STREQ(err, "SF \"fw\": \"probe-interval\" with health none: the probe would never "
		     "be used (only health probe probes)", "health none message");
	/* ... and a probe makes it health probe */
	ASSERT_OK(sf_set_apply(&d, "fw", "{\"name\":\"fw\",\"probe\":\"icmp 2001:db8::1\"}", err,
			       sizeof(err)), err);
	ASSERT_EQ(sfc_doc_sf(&d, "fw")->health, SFC_HEALTH_PROBE, "none -> probe by a probe");
	sfc_doc_free(&d);
}

/* checks that a repeated CNI ADD of a pod keeps the health settings its SF was given */
static void test_cni_reattach_keeps_the_health_settings(void)
{
	struct sfc_cni_attach a = { .network = "n", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "veth1", .sf = "pool" };
	struct sfc_doc d;
	char err[512] = "", name[SFC_NAME_LEN], buf[96];
	const struct sfc_sf_cfg *sf;

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_EQ(d.sfs[d.nsfs - 1].health, SFC_HEALTH_LINK, "a pod's SF starts with health link");
	snprintf(name, sizeof(name), "%s", d.sfs[d.nsfs - 1].name);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_OK(sf_set_apply(&d, name, "{\"probe\":\"tcp 198.18.3.1:80\",\"probe-from\":"
			       "\"198.18.3.9\",\"probe-fail\":9,\"weight\":2}", err, sizeof(err)),
		  err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(d.nsfs, 4, "one SF for the pod");
	sf = sfc_doc_sf(&d, name);
	ASSERT_TRUE(sf != NULL, "the pod's SF");
	ASSERT_EQ(sf->health, SFC_HEALTH_PROBE, "health kept");
	ASSERT_STREQ(sfc_probe_format(&sf->probe, buf, sizeof(buf)), "tcp 198.18.3.1:80",
		     "probe kept");
	ASSERT_TRUE(sf->probe.has_from, "probe-from kept");
	ASSERT_EQ(sf->probe.fail, 9, "probe-fail kept");
	ASSERT_EQ(sfc_sf_weight(sf), 2, "weight kept");
	/* another pod starts from the defaults */
	a.container = "c2";
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_EQ(d.sfs[d.nsfs - 1].health, SFC_HEALTH_LINK, "another pod: health link");
	ASSERT_EQ(d.sfs[d.nsfs - 1].probe.type, SFC_PROBE_OFF, "another pod: no probe");
	sfc_doc_free(&d);
}

/* checks that a CNI SF declares its group, and the group goes with its last SF unless a chain names it */
static void test_cni_groups_follow_their_sfs(void)
{
	struct sfc_cni_attach a = { .network = "n", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "veth1", .sf = "cnig" };
	struct sfc_attachment att;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	a.container = "c2";
	a.dev = "veth2";
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_group(&d, "cnig") != NULL, "attach declared the group");
	ASSERT_EQ(d.nsfs, 5, "two CNI SFs");
	ASSERT_OK(sfc_doc_attachment(&d, "n", "c2", "eth0", &att), "attachment found");
	ASSERT_STREQ(att.dev, "veth2", "attachment dev");
	ASSERT_STREQ(att.role, "sf", "attachment role");
	ASSERT_EQ(sfc_edit_cni_detach(&d, "n", "c1", "eth0"), 1, "detach c1");
	ASSERT_TRUE(sfc_doc_group(&d, "cnig") != NULL, "group stays with one SF left");
	ASSERT_EQ(sfc_edit_cni_gc(&d, "n", NULL, 0), 1, "gc with nothing valid");
	ASSERT_TRUE(sfc_doc_group(&d, "cnig") == NULL, "group went with its last SF");
	ASSERT_TRUE(sfc_doc_group(&d, "pool") != NULL, "other groups stay");
	/* a group a chain names stays */
	a.sf = "pool";
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_del(&d, "p1", err, sizeof(err)), err);
	ASSERT_EQ(sfc_edit_cni_detach(&d, "n", NULL, NULL), 1, "detach the network");
	ASSERT_TRUE(sfc_doc_group(&d, "pool") != NULL, "group named by a chain stays");
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	sfc_doc_free(&d);
}

/* checks that an edit dropping CNI-made objects is reported by name, and one keeping them is not */
static void test_cni_removal_is_warned(void)
{
	struct sfc_cni_attach a = { .network = "n", .container = "c1", .ifname = "eth0",
				    .role = "ingress", .dev = "pod0" };
	struct sfc_doc d, next;
	char err[512] = "";
	json_t *w;

	ASSERT_OK(base(&d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
	w = sfc_doc_warnings(&d, &next, true);
	ASSERT_TRUE(w == NULL, "no warning while it stays");
	ASSERT_OK(sfc_edit_ingress_del(&next, "pod0", err, sizeof(err)), err);
	w = sfc_doc_warnings(&d, &next, true);
	ASSERT_EQ(json_array_size(w), 1, "one warning");
	ASSERT_STREQ(json_string_value(json_array_get(w, 0)),
		     "ingress point \"pod0\" of CNI attachment (network \"n\", container \"c1\", "
		     "interface \"eth0\") removed", "warning text");
	json_decref(w);
	sfc_doc_free(&next);
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_delete_in_use_names_the_user),
		UNIT_TEST(test_group_add_del),
		UNIT_TEST(test_spis_numbered_by_the_model),
		UNIT_TEST(test_rule_add_numbers_prefs),
		UNIT_TEST(test_chain_set_keeps_what_is_not_given),
		UNIT_TEST(test_chain_set_end),
		UNIT_TEST(test_chain_set_symmetric),
		UNIT_TEST(test_sf_joining_a_symmetric_chain_with_a_mac_needs_an_out_mac),
		UNIT_TEST(test_sf_set_changes_only_the_weight),
		UNIT_TEST(test_cni_reattach_keeps_the_weight),
		UNIT_TEST(test_sf_set_out_mac),
		UNIT_TEST(test_sf_set_health_settings),
		UNIT_TEST(test_sf_set_health_refusals),
		UNIT_TEST(test_cni_reattach_keeps_the_health_settings),
		UNIT_TEST(test_cni_groups_follow_their_sfs),
		UNIT_TEST(test_cni_removal_is_warned),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
