// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcd: the sfc daemon. Loads (or adopts) the pinned datapath, applies the
 * desired state from its state file, follows the kernel's links through
 * rtnetlink and serves the JSON API socket. Stopping or killing it leaves
 * the datapath running from the pins; the next sfcd adopts it.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apply.h"
#include "datapath.h"
#include "jsonl.h"
#include "link_update.h"
#include "log.h"
#include "model.h"
#include "path_pool.h"
#include "metrics.h"
#include "observe.h"
#include "sfcd.h"
#include "state.h"
#include "stats.h"
#include "text.h"
#include "yield.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sfcd [OPTIONS]\n"
		"\n"
		"Runs in the foreground until SIGTERM or SIGINT; SIGHUP re-reads the state file.\n"
		"\n"
		"  -f, --state-file FILE   desired-state document (default %s)\n"
		"  -P, --pin-dir DIR       where maps are pinned (default %s)\n"
		"  -s, --socket PATH       API socket (default %s)\n"
		"  -o, --once              apply the state file and exit (the datapath keeps running)\n"
		"      --client-timeout S  close an API connection that sent no whole request and\n"
		"                          read nothing for S seconds (default %d)\n"
		"      --steer auto|xdp|tc how packets are taken in on each interface: auto (the\n"
		"                          default) steers with XDP where frames arrive as XDP\n"
		"                          frames (native drivers, veths whose peer runs XDP)\n"
		"                          and at tc where skbs do (veths to pods and to SFs\n"
		"                          that route or bridge); xdp everywhere (generic mode\n"
		"                          where the driver has none); tc everywhere\n"
		"      --no-peer-xdp       never attach to the far end of an SF's veth; send to\n"
		"                          such SFs through tc instead of XDP redirect (slower)\n"
		"      --metrics ADDR:PORT serve the counters for Prometheus at\n"
		"                          http://ADDR:PORT/metrics (off by default; a loopback\n"
		"                          address such as 127.0.0.1:9464 or [::1]:9464 keeps\n"
		"                          them on this host)\n"
		"      --sf-latency on|off time packets from the fabric to each SF and back (on by\n"
		"                          default; `sfcctl stats sf` shows p50/p90/p99). off\n"
		"                          saves the datapath a few ns per SF hop\n"
		"      --flow-idle S       a flow of a version an edit replaced keeps that version,\n"
		"                          and so its SF instances, until it has been idle for S\n"
		"                          seconds (default %d, 2 to %d)\n"
		"      --check             validate the state file and exit; touches nothing\n"
		"      --stats             print counters from the pinned maps and exit\n"
		"  -j, --json              with --stats: JSON output\n"
		"  -p, --pretty            with --json: indented\n"
		"      --unload            detach from every interface and remove the pins\n"
		"  -v, --verbose           more logging (repeat for libbpf debug output)\n"
		"  -h, --help              this text\n",
		SFC_API_DEFAULT_STATE, SFC_DEFAULT_PIN_DIR, SFC_API_DEFAULT_SOCKET,
		SFCD_CLIENT_TIMEOUT, SFC_FLOW_IDLE_MS / 1000, SFC_FLOW_IDLE_MAX_MS / 1000);
}

enum { OPT_STATS = 256, OPT_UNLOAD, OPT_CHECK, OPT_NO_PEER_XDP, OPT_CLIENT_TIMEOUT,
       OPT_STEER, OPT_METRICS, OPT_SF_LATENCY, OPT_FLOW_IDLE };

static bool no_peer_xdp;
static const char *metrics_spec; /* --metrics ADDRESS:PORT, NULL: off */
static enum sfc_steer steer = SFC_STEER_AUTO;
static bool sf_latency = true;
static unsigned int flow_idle_ms = SFC_FLOW_IDLE_MS; /* --flow-idle */

/* sfc_obs's latency switch as --sf-latency says */
static void set_sf_latency(const struct sfc_dp *dp)
{
	int err = sfc_obs_update(dp, sf_latency ? SFC_OBS_LATENCY : 0,
				 sf_latency ? 0 : SFC_OBS_LATENCY);

	if (err)
		pr_warn("SF latency cannot be switched %s: %s\n", sf_latency ? "on" : "off",
			strerror(-err));
}
static unsigned int client_timeout = SFCD_CLIENT_TIMEOUT;

/* The pin directory on a bpffs, created, and locked for us: fd in *fd. */
static int claim_pin_dir(const char *pin_dir, int *fd)
{
	char err[PATH_MAX + 128];

	if (sfc_dp_ensure_bpffs(pin_dir))
		return -1;
	if (sfcd_lock_pin_dir(pin_dir, fd, err, sizeof(err))) {
		fprintf(stderr, "sfcd: %s; refusing, nothing was changed\n", err);
		return -1;
	}
	return 0;
}

static int do_stats(const char *pin_dir, int json, int pretty)
{
	struct sfc_dp *dp;
	json_t *st;
	int err;

	err = sfc_dp_open_pinned(pin_dir, &dp);
	if (err) {
		fprintf(stderr, "sfcd: no sfc datapath pinned at %s (is sfcd running with "
			"this --pin-dir?)\n", pin_dir);
		return 1;
	}
	st = sfc_stats_json(dp);
	if (json) {
		json_dumpf(st, stdout, pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		sfc_stats_print_text(stdout, st);
	}
	json_decref(st);
	sfc_dp_close(dp);
	return 0;
}

static int do_unload(const char *pin_dir)
{
	char why[PATH_MAX + 128];
	struct sfc_dp *dp;
	int err, lock = -1;

	err = sfcd_lock_pin_dir(pin_dir, &lock, why, sizeof(why));
	if (err == -EBUSY) {
		fprintf(stderr, "sfcd: %s; stop it first, nothing was unloaded\n", why);
		return 1;
	}
	err = sfc_dp_open_pinned(pin_dir, &dp);
	if (err == -EPROTO) {
		fprintf(stderr, "sfcd: nothing was unloaded\n");
		goto fail;
	}
	if (!err) {
		int stay = sfc_detach_all(dp);

		sfc_dp_close(dp);
		if (stay) {
			/* the pins describe what is still attached */
			fprintf(stderr, "sfcd: %d interface%s still carr%s sfc (see above); "
				"%s kept\n", stay, stay == 1 ? "" : "s", stay == 1 ? "ies" : "y",
				pin_dir);
			goto fail;
		}
	}
	err = sfc_dp_unpin(pin_dir);
	if (lock >= 0)
		close(lock);
	if (err) {
		fprintf(stderr, "sfcd: removing %s: %s\n", pin_dir, strerror(-err));
		return 1;
	}
	return 0;
fail:
	if (lock >= 0)
		close(lock);
	return 1;
}

static int do_apply(const char *pin_dir, const char *state, int check_only)
{
	struct sfc_apply_report rep;
	char err[SFC_ERR_LEN * 2];
	struct sfc_doc doc;
	struct sfc_dp *dp;
	int ret, lock = -1, missing;
	json_t *root;

	/* the state file read as the daemon reads it (a directory is one) */
	root = sfc_state_load(state, &missing, err, sizeof(err));
	ret = root ? sfc_doc_from_json(root, &doc, err, sizeof(err)) : -EINVAL;
	json_decref(root);
	if (ret) {
		fprintf(stderr, "sfcd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: valid (%d ingress points, %d SFs, %d chains, %d rules)\n", state,
		       doc.ningress, doc.nsfs, doc.nchains, doc.nrules);
		sfc_doc_free(&doc);
		return 0;
	}
	if (claim_pin_dir(pin_dir, &lock)) {
		sfc_doc_free(&doc);
		return 1;
	}
	ret = sfc_dp_load(pin_dir, &dp);
	if (ret) {
		sfc_doc_free(&doc);
		close(lock);
		return 1;
	}
	dp->no_peer_xdp = no_peer_xdp;
	dp->steer = steer;
	dp->flow_idle_ms = flow_idle_ms;
	set_sf_latency(dp);
	ret = sfc_apply(dp, &doc, &rep, err, sizeof(err));
	for (int i = 0; i < rep.nifaces; i++)
		if (rep.ifaces[i].outcome == SFC_IFACE_FAILED)
			fprintf(stderr, "sfcd: %s\n", rep.ifaces[i].error);
	sfc_apply_report_free(&rep);
	if (ret) {
		fprintf(stderr, "sfcd: %s: %s\n", state, err[0] ? err : strerror(-ret));
	} else {
		pr_info("applied %s: %d interfaces attached (%d missing), %d SFs down, "
			"%d chains switched, %zu classifier entries in %d tuples\n", state,
			rep.ifaces_attached, rep.ifaces_missing, rep.sfs_down,
			rep.chains_switched, rep.rule_entries, rep.tuples);
	}
	sfc_dp_close(dp);
	sfc_doc_free(&doc);
	close(lock);
	return ret ? 1 : 0;
}

/* sfc_apply, timed and counted for --metrics */
static int timed_apply(struct sfcd *d, struct sfc_doc *doc, struct sfc_apply_report *rep,
		       char *err, size_t errlen)
{
	struct timespec a, b;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ret = sfc_apply(d->dp, doc, rep, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &b);
	d->last_apply_seconds = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	d->apply_seconds += d->last_apply_seconds;
	d->applies++;
	if (ret)
		d->apply_failures++;
	return ret;
}

int sfcd_commit(struct sfcd *d, struct sfc_doc *doc, char *err, size_t errlen)
{
	struct sfc_apply_report rep = { .want_links = true }, back = { .want_links = true };
	struct sfc_doc next = *doc, old;
	char inner[1024];
	json_t *text;
	int ret;

	memset(doc, 0, sizeof(*doc));
	ret = next.validated ? 0 : sfc_doc_validate(&next, &d->doc, err, errlen);
	if (ret) {
		sfc_doc_free(&next);
		return ret;
	}
	/* Link events at the yield points of its rules compiler still run
	 * against d->doc (nothing is written yet); from its first write,
	 * against next (apply_live.c). Once next is in the maps, they follow
	 * next. */
	ret = timed_apply(d, &next, &rep, err, errlen);
	if (ret)
		d->links_held = true;
	else
		sfcd_monitor_reindex(d, &next, rep.links);
	rep.links = NULL;     /* the monitor's now */
	if (!ret) {
		text = sfc_doc_to_json(&next);
		ret = text ? sfc_state_save(d->state_path, text, err, errlen) : -ENOMEM;
		if (!text)
			snprintf(err, errlen, "%s: out of memory", d->state_path);
		json_decref(text);
	}
	if (ret) {
		sfc_apply_report_free(&rep);
		/* put the datapath back as the stored document says */
		timed_apply(d, &d->doc, &back, inner, sizeof(inner));
		d->links_held = false;
		sfcd_monitor_reindex(d, &d->doc, back.links);
		sfc_apply_report_free(&back);
		sfc_doc_free(&next);
		return ret;
	}
	old = d->doc;
	/* the same arrays, which the index points into; only the struct moves */
	d->doc = next;
	d->links_doc = &d->doc;
	d->reload_error[0] = '\0';
	sfcd_probe_sync(d);
	sfc_apply_report_free(&d->last_report);
	d->last_report = rep;
	pr_info("applied: %d interfaces, %d SFs down, %d chains switched, %zu rule entries%s\n",
		rep.ifaces_attached, rep.sfs_down, rep.chains_switched, rep.rule_entries,
		rep.rules_installed ? " (rules switched)" : "");
	/* last: its yield points may answer reads, from d->doc */
	sfc_doc_free_yielding(&old);
	return 0;
}

int sfcd_reconcile(struct sfcd *d)
{
	struct sfc_apply_report rep = { .want_links = true };
	char err[1024];
	int ret;

	/* it reads every link again: what waited is covered */
	d->reconcile_pending = false;
	d->nlink_queue = 0;
	d->reconciles++;
	ret = timed_apply(d, &d->doc, &rep, err, sizeof(err));
	sfcd_monitor_reindex(d, &d->doc, rep.links);
	sfc_apply_report_free(&rep);
	if (ret)
		pr_warn("reconcile: %s\n", err);
	else
		pr_info("reconciled: %d interfaces attached, %d missing, %d SFs down, "
			"%d chains switched\n", rep.ifaces_attached, rep.ifaces_missing,
			rep.sfs_down, rep.chains_switched);
	return ret;
}

/* The yield hook (user/common/yield.h): during a long request, link
 * events first, then the other API clients' reads; and inside those
 * (a get of 100k rules, stats of 10k chains take a while), link events. */
static void yield_hook(void *arg)
{
	sfcd_monitor_yield(arg);
	sfcd_server_yield(arg);
}

static void yield_inner(void *arg)
{
	sfcd_monitor_yield(arg);
}

static void reload(struct sfcd *d)
{
	struct sfc_doc doc;
	char err[1024];
	json_t *text;
	int missing, ret;

	text = sfc_state_load(d->state_path, &missing, err, sizeof(err));
	ret = text ? sfc_doc_parse(text, &doc, err, sizeof(err)) : -1;
	json_decref(text);
	if (!ret)
		ret = sfcd_commit(d, &doc, err, sizeof(err));
	if (!ret) {
		d->reload_error[0] = '\0';
		return;
	}
	/* health reports it until a load or commit succeeds */
	pr_warn("SIGHUP: %s; keeping the current state\n", err);
	snprintf(d->reload_error, sizeof(d->reload_error), "%s", err);
	d->reload_error_time = time(NULL);
}

static int run_daemon(const char *pin_dir, const char *state, const char *sock)
{
	struct sfcd d = { .pin_dir = pin_dir, .state_path = state, .socket_path = sock,
			  .listen_fd = -1, .nl_fd = -1, .sig_fd = -1, .timer_fd = -1,
			  .metrics_fd = -1, .metrics_timer_fd = -1,
			  .client_timeout_s = client_timeout };
	struct epoll_event ev = { .events = EPOLLIN }, evs[32];
	struct sfcd_state_lock state_lock = { .fd = -1 };
	char err[PATH_MAX + 512];
	int missing, ret = 1, pin_lock = -1, stale;
	sigset_t mask;
	json_t *text;

	/* Claim the state file, the pin directory and the socket path before
	 * anything is touched: a refused start changes nothing. */
	if (sfcd_lock_state(state, &state_lock, err, sizeof(err))) {
		fprintf(stderr, "sfcd: %s; refusing to start, nothing was changed\n", err);
		return 1;
	}
	if (sfcd_server_check_path(sock, err, sizeof(err))) {
		fprintf(stderr, "sfcd: %s; refusing to start, nothing was changed\n", err);
		goto out_unlock;
	}
	if (metrics_spec) {
		d.metrics_fd = sfcd_metrics_listen(metrics_spec, err, sizeof(err));
		if (d.metrics_fd < 0) {
			fprintf(stderr, "sfcd: %s; refusing to start, nothing was changed\n", err);
			goto out_unlock;
		}
	}
	if (claim_pin_dir(pin_dir, &pin_lock))
		goto out_unlock;
	stale = sfc_state_clean_temps(state);
	if (stale > 0)
		pr_info("removed %d temporary file%s a previous sfcd left beside %s\n", stale,
			stale == 1 ? "" : "s", state);
	text = sfc_state_load(state, &missing, err, sizeof(err));
	if (!text && !missing) {
		fprintf(stderr, "sfcd: %s\nsfcd: refusing to start; the file is left as it is\n", err);
		goto out_unlock;
	}
	if (!text) {
		pr_info("%s does not exist: starting with an empty desired state\n", state);
		text = sfc_state_empty();
	}
	ret = sfc_doc_from_json(text, &d.doc, err, sizeof(err));
	json_decref(text);
	if (ret) {
		fprintf(stderr, "sfcd: %s: %s\n", state, err);
		goto out_unlock;
	}
	ret = 1;
	if (sfc_dp_load(pin_dir, &d.dp))
		goto out;
	d.dp->no_peer_xdp = no_peer_xdp;
	d.dp->steer = steer;
	d.dp->flow_idle_ms = flow_idle_ms;
	set_sf_latency(d.dp);
	if (d.dp->adopted)
		pr_info("adopted %d running programs from %s\n", d.dp->adopted, pin_dir);
	sfcd_trace_open(&d);

	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ev.data.fd = d.sig_fd;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sig_fd, &ev);

	/* before the first reconcile: an SF the datapath has down for its
	 * probe stays down until the probe says otherwise */
	if (sfcd_probe_open(&d)) {
		pr_warn("health probes: %s\n", strerror(errno));
		goto out;
	}
	sfcd_probe_sync(&d);
	/* Subscribe before the first reconcile so no link change slips by. */
	if (sfcd_monitor_open(&d)) {
		pr_warn("cannot subscribe to rtnetlink: %s\n", strerror(errno));
		goto out;
	}
	sfcd_reconcile(&d);
	sfc_yield_set(yield_hook, &d, SFC_YIELD_INTERVAL_US);
	sfc_yield_set_inner(yield_inner);
	sfc_json_yielding_allocs();
	if (sfcd_server_open(&d))
		goto out;
	pr_info("serving %s\n", sock);
	if (sfcd_metrics_open(&d)) {
		pr_warn("--metrics: %s\n", strerror(errno));
		goto out;
	}
	if (metrics_spec)
		pr_info("serving metrics on http://%s/metrics\n", metrics_spec);

	while (!d.stop) {
		/* the collector of chain versions, a step at a time (path_pool.h) */
		long gc = sfc_path_gc_step(d.dp, sfc_now_ms(), SFCD_GC_STEP_FLOWS);
		int n = epoll_wait(d.epfd, evs, 32, d.reconcile_pending ? 0 :
				   gc < 0 ? -1 : gc > 60000 ? 60000 : (int)gc);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d.sig_fd) {
				struct signalfd_siginfo si;

				while (read(d.sig_fd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP)
						reload(&d);
					else
						d.stop = true;
				}
			} else if (fd == d.nl_fd) {
				sfcd_monitor_event(&d);
			} else if (sfcd_server_owns(&d, fd)) {
				sfcd_server_event(&d, fd, evs[i].events);
			} else if (sfcd_metrics_owns(&d, fd)) {
				sfcd_metrics_event(&d, fd, evs[i].events);
			} else if (sfcd_trace_owns(&d, fd)) {
				sfcd_trace_event(&d);
			} else if (sfcd_probe_owns(&d, fd)) {
				sfcd_probe_event(&d, fd);
			}
		}
		if (d.reconcile_pending && !d.stop)
			sfcd_reconcile(&d);
		/* what came during a long request and waited for it */
		if (!d.stop)
			sfcd_server_resume(&d);
	}
	pr_info("stopping; the datapath keeps running from %s\n", pin_dir);
	ret = 0;
out:
	sfc_yield_set(NULL, NULL, 0);
	sfc_yield_set_inner(NULL);
	sfcd_server_close(&d);
	sfcd_trace_close(&d);
	sfcd_probe_close(&d);
	sfcd_metrics_close(&d);
	sfcd_monitor_close(&d);
	sfc_link_index_free(d.links);
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	sfc_dp_close(d.dp);
	sfc_doc_free(&d.doc);
	sfc_apply_report_free(&d.last_report);
out_unlock:
	if (d.metrics_fd >= 0)
		close(d.metrics_fd);
	if (pin_lock >= 0)
		close(pin_lock);
	sfcd_unlock_state(&state_lock);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "state-file", required_argument, NULL, 'f' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "socket", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "unload", no_argument, NULL, OPT_UNLOAD },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "no-peer-xdp", no_argument, NULL, OPT_NO_PEER_XDP },
		{ "steer", required_argument, NULL, OPT_STEER },
		{ "client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "sf-latency", required_argument, NULL, OPT_SF_LATENCY },
		{ "flow-idle", required_argument, NULL, OPT_FLOW_IDLE },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *pin_dir = SFC_DEFAULT_PIN_DIR, *state = SFC_API_DEFAULT_STATE;
	const char *sock = SFC_API_DEFAULT_SOCKET;
	int once = 0, stats = 0, unload = 0, check = 0, json = 0, pretty = 0, verbose = 0;
	int c;

	while ((c = getopt_long(argc, argv, "of:P:s:jpvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': once = 1; break;
		case 'f': state = optarg; break;
		case 'P': pin_dir = optarg; break;
		case 's': sock = optarg; break;
		case OPT_STATS: stats = 1; break;
		case OPT_UNLOAD: unload = 1; break;
		case OPT_CHECK: check = 1; break;
		case OPT_NO_PEER_XDP: no_peer_xdp = true; break;
		case OPT_STEER:
			if (!strcmp(optarg, "auto"))
				steer = SFC_STEER_AUTO;
			else if (!strcmp(optarg, "xdp"))
				steer = SFC_STEER_XDP;
			else if (!strcmp(optarg, "tc"))
				steer = SFC_STEER_TC;
			else {
				fprintf(stderr, "sfcd: --steer wants auto, xdp or tc, not \"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case OPT_CLIENT_TIMEOUT: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !optarg[0] || optarg[0] == '-' || !v || v > 86400) {
				fprintf(stderr, "sfcd: --client-timeout wants seconds, 1 to 86400, "
					"not \"%s\"\n", optarg);
				return 2;
			}
			client_timeout = v;
			break;
		}
		case OPT_METRICS: metrics_spec = optarg; break;
		case OPT_SF_LATENCY:
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "sfcd: --sf-latency wants on or off, not \"%s\"\n",
					optarg);
				return 2;
			}
			sf_latency = !strcmp(optarg, "on");
			break;
		case OPT_FLOW_IDLE: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !optarg[0] || optarg[0] == '-' || v < 2 ||
			    v > SFC_FLOW_IDLE_MAX_MS / 1000) {
				fprintf(stderr, "sfcd: --flow-idle wants seconds, 2 to %d, not \"%s\"\n",
					SFC_FLOW_IDLE_MAX_MS / 1000, optarg);
				return 2;
			}
			flow_idle_ms = v * 1000;
			break;
		}
		case 'j': json = 1; break;
		case 'p': pretty = 1; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sfcd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* health reports them in JSON, which holds UTF-8 only */
	for (int i = 0; i < 3; i++) {
		const char *opt[] = { "-f", "-P", "-s" }, *val[] = { state, pin_dir, sock };

		if (!sfc_utf8_valid(val[i])) {
			fprintf(stderr, "sfcd: %s: the path is not valid UTF-8\n", opt[i]);
			return 2;
		}
	}
	if (stats + unload + check + once > 1) {
		fprintf(stderr, "sfcd: --once, --check, --stats and --unload exclude each other\n");
		return 2;
	}
	if (metrics_spec && (stats || unload || check || once)) {
		fprintf(stderr, "sfcd: --metrics is served by the daemon; --once, --check, --stats "
			"and --unload exit at once\n");
		return 2;
	}
	sfc_log_set_prefix("sfcd");
	/* A daemon tells what it does; -v adds debug, -vv libbpf's too. */
	sfc_log_set_level(once || check || stats || unload ? verbose : verbose + 1);
	sfc_log_hook_libbpf();
	/* Large request buffers go back to the system when freed. No
	 * fastbins: freeing a large chunk then has no consolidation of a
	 * million small ones to do in one call (freeing the JSON tree of
	 * 100k rules stalled 80-150 ms in one free(); tests/bench/yieldgap). */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	mallopt(M_MXFAST, 0);

	if (stats)
		return do_stats(pin_dir, json, pretty);
	if (unload)
		return do_unload(pin_dir);
	if (check)
		return do_apply(pin_dir, state, 1);
	if (once)
		return do_apply(pin_dir, state, 0);
	return run_daemon(pin_dir, state, sock);
}
