/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between sfcd and its clients (sfcctl, sfc-cni, any
 * orchestrator): a unix stream socket, one JSON object per line each way.
 *
 * A request is {"cmd": NAME, ...arguments}. A reply is {"ok": true, ...}
 * or {"ok": false, "error": "message naming the object"}. A reply to an
 * edit may carry "warnings": ["..."] (an edit that removed objects sfc-cni
 * made, a rule whose in-dev is not an ingress point), "attach-failed":
 * [{"dev", "error"}] and "attach-missing": ["dev"] (see below). Requests and their
 * arguments:
 *
 *   get                                  -> doc
 *   apply      doc, [dry-run]            -> diff, applied
 *   health                               -> pid, generation, link_updates,
 *                                           reconciles, ... (SFC_KEY_*)
 *   stats      [reset, chain | sf]       -> stats
 *   ingress-add / ingress-del  dev
 *   sf-add     the SF object; sf-del name
 *   sf-set     sf: {name, weight}, a new weight (1 to 1000) for that SF;
 *              no other key of an SF can be set
 *   group-add / group-del      name
 *   chain-add / chain-set      the chain object (sfcd numbers a chain
 *                              without spi); chain-del name
 *   rule-add   the rule object         -> pref; rule-del pref
 *   attach     network, container, ifname, role, dev, [sf, mac]  (CNI)
 *   detach     network, [container, ifname] -> removed
 *   check      network, container, ifname, [role, sf, dev]
 *              -> ok; or error, with mismatch: true when the attachment
 *              sfcd holds has another role, SF group or dev than asked
 *   gc         network, valid: [{container, ifname}]
 *   monitor    [chain, sf, drops, sample] -> ok; then the connection is a
 *              stream of trace events (see below) until the client closes
 *
 * While sfcd works on one long request (an apply of 100k rules), other
 * connections still get get, health, stats without reset, and check
 * answered (get and check from the document before that request); every
 * other request, dry runs included, waits and is answered after it, in
 * order (user/sfcd/api.c marks which requests only read).
 */
#ifndef SFC_API_H
#define SFC_API_H

#define SFC_API_DEFAULT_SOCKET "/run/sfc/sfcd.sock"
#define SFC_API_DEFAULT_STATE  "/var/lib/sfc/state.json"
#define SFC_API_GROUP          "sfc"            /* may use the socket besides root */
#define SFC_API_MAX_REQUEST    (64u << 20)      /* bytes in one line: a few 100k rules */

/* request names ("cmd") */
#define SFC_REQ_GET         "get"
#define SFC_REQ_APPLY       "apply"
#define SFC_REQ_HEALTH      "health"
#define SFC_REQ_STATS       "stats"
#define SFC_REQ_INGRESS_ADD "ingress-add"
#define SFC_REQ_INGRESS_DEL "ingress-del"
#define SFC_REQ_SF_ADD      "sf-add"
#define SFC_REQ_SF_SET      "sf-set"
#define SFC_REQ_SF_DEL      "sf-del"
#define SFC_REQ_GROUP_ADD   "group-add"
#define SFC_REQ_GROUP_DEL   "group-del"
#define SFC_REQ_CHAIN_ADD   "chain-add"
#define SFC_REQ_CHAIN_SET   "chain-set"
#define SFC_REQ_CHAIN_DEL   "chain-del"
#define SFC_REQ_RULE_ADD    "rule-add"
#define SFC_REQ_RULE_DEL    "rule-del"
#define SFC_REQ_ATTACH      "attach"
#define SFC_REQ_DETACH      "detach"
#define SFC_REQ_CHECK       "check"
#define SFC_REQ_GC          "gc"
#define SFC_REQ_MIGRATE     "migrate"    /* {"chain": NAME} or every chain */
#define SFC_REQ_MONITOR     "monitor"

/* keys of requests and replies */
#define SFC_KEY_CMD       "cmd"
#define SFC_KEY_OK        "ok"
#define SFC_KEY_ERROR     "error"
#define SFC_KEY_DOC       "doc"
#define SFC_KEY_DIFF      "diff"
#define SFC_KEY_APPLIED   "applied"
#define SFC_KEY_DRY_RUN   "dry-run"
#define SFC_KEY_STATS     "stats"
#define SFC_KEY_RESET     "reset"
#define SFC_KEY_PREF      "pref"
#define SFC_KEY_REMOVED   "removed"
#define SFC_KEY_WARNINGS  "warnings"
#define SFC_KEY_NETWORK   "network"
#define SFC_KEY_CONTAINER "container"
#define SFC_KEY_IFNAME    "ifname"
#define SFC_KEY_VALID     "valid"
#define SFC_KEY_MISMATCH  "mismatch"
/* arguments of edits and CNI requests */
#define SFC_KEY_DEV       "dev"
#define SFC_KEY_NAME      "name"
#define SFC_KEY_SF        "sf"
#define SFC_KEY_CHAIN     "chain"
#define SFC_KEY_RULE      "rule"
#define SFC_KEY_ROLE      "role"
#define SFC_KEY_MAC       "mac"
/* CNI roles */
#define SFC_ROLE_SF       "sf"
#define SFC_ROLE_INGRESS  "ingress"
#define SFC_ROLE_NONE     "none"
/* health */
#define SFC_KEY_PID              "pid"
#define SFC_KEY_GENERATION       "generation"
#define SFC_KEY_RECONCILES       "reconciles"
#define SFC_KEY_NETLINK_EVENTS   "netlink_events"
#define SFC_KEY_NETLINK_OVERRUNS "netlink_overruns"
#define SFC_KEY_PIN_DIR          "pin_dir"
#define SFC_KEY_STATE_FILE       "state_file"
#define SFC_KEY_CLIENTS          "clients"
#define SFC_KEY_CLIENTS_DROPPED  "clients_dropped"
/* health: sfcctl monitor connections open now; whether SF latency is
 * measured (sfcd --sf-latency) */
#define SFC_KEY_MONITORS         "monitors"
#define SFC_KEY_SF_LATENCY       "sf_latency"
#define SFC_KEY_PROBES           "probes"       /* health: probes pending, up, down */
#define SFC_KEY_FLOW_IDLE_S      "flow_idle_s" /* health paths: sfcd --flow-idle, as applied */
/* health: a SIGHUP that could not load the state file, until a load or
 * a commit works: {"error": why, "time": ISO 8601 UTC, "unix_time": N} */
#define SFC_KEY_RELOAD_ERROR "reload_error"
#define SFC_KEY_TIME         "time"
#define SFC_KEY_UNIX_TIME    "unix_time"
/* in a reply to a committed edit or apply: [{"dev": NAME, "error": WHY}],
 * the interfaces named by the document sfcd could not attach to */
#define SFC_KEY_ATTACH_FAILED  "attach-failed"
/* and [NAME...]: those that do not exist (yet); sfcd attaches when they appear */
#define SFC_KEY_ATTACH_MISSING "attach-missing"

/* health: how sfcd followed the kernel's links. A link event that touches
 * the document rewrites only the objects naming the interface (one
 * link_update each); reconciles counts full re-applies of the document
 * (at start, after a netlink overrun, or when a link update could not be
 * done incrementally). */
#define SFC_KEY_LINK_UPDATES     "link_updates"
/* those of them applied while an apply was writing the maps, against the
 * document being applied (each runs again as a link update after it) */
#define SFC_KEY_LINK_UPDATES_APPLYING "link_updates_applying"

/* health: "paths": chain versions (user/lib/path_pool.h). live: those the
 * chain heads point at; retired: older ones still used by flows (or not
 * collected yet); flows_aged/ended: entries of retired versions the
 * collector marked idle / removed after a whole interval idle;
 * flows_migrated: removed by migrate; versions_freed. migrate replies
 * {"ok": true, "migrated": N} */
#define SFC_KEY_PATHS          "paths"
#define SFC_KEY_LIVE           "live"
#define SFC_KEY_RETIRED        "retired"
#define SFC_KEY_FLOWS_AGED     "flows_aged"
#define SFC_KEY_FLOWS_ENDED    "flows_ended"
#define SFC_KEY_FLOWS_MIGRATED "flows_migrated"
#define SFC_KEY_VERSIONS_FREED "versions_freed"
#define SFC_KEY_GC_PASSES      "gc_passes"
#define SFC_KEY_MIGRATED       "migrated"

/*
 * monitor: {"cmd": "monitor", "chain": NAME?, "sf": NAME?, "drops": true?,
 * "sample": N?} (the events of that chain, of packets to or from that SF,
 * drops only, one decision in N). An unknown chain or SF is refused like
 * any request. The reply {"ok": true} is followed by one line per event:
 *
 *   {"time": CLOCK_MONOTONIC ns, "ts": "2026-12-03T09:27:47.123456Z",
 *    "chain": NAME, "spi": N, "si": N, "sf": NAME, "from_sf": NAME,
 *    "ifindex": N, "ifname": NAME, "hook": "xdp"|"tc-ingress"|"tc-egress",
 *    "verdict": "to-sf"|"end"|"drop", "reason": NAME, "len": N,
 *    "packet": HEX}
 *
 * (an id sfcd has no name for is given as its number; "sf" with to-sf,
 * "reason" with drop; "from_sf", "ifname" only when known), and, about
 * every second and when the client shuts down its sending side, a line
 * {"lost": N, "lost_datapath": N}: events this client did not get since
 * it began, because it read too slowly (sfcd holds at most
 * SFC_MONITOR_QUEUE_MAX bytes for it) and because the datapath's ring
 * buffer was full (the monitor-event-lost reason, for every monitor).
 * Requests sent after monitor are not read. After a shutdown of the
 * client's sending side, sfcd sends that last loss report and closes.
 */
#define SFC_MONITOR_QUEUE_MAX (1u << 20)
#define SFC_KEY_DROPS         "drops"
#define SFC_KEY_SAMPLE        "sample"
#define SFC_KEY_TS            "ts"
#define SFC_KEY_SPI           "spi"
#define SFC_KEY_SI            "si"
#define SFC_KEY_FROM_SF       "from_sf"
#define SFC_KEY_IFINDEX       "ifindex"
#define SFC_KEY_HOOK          "hook"
#define SFC_KEY_VERDICT       "verdict"
#define SFC_KEY_REASON        "reason"
#define SFC_KEY_LEN           "len"
#define SFC_KEY_PACKET        "packet"
#define SFC_KEY_LOST          "lost"
#define SFC_KEY_LOST_DATAPATH "lost_datapath"

#endif
