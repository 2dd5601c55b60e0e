/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sfcctl: the operators' CLI. It talks only to sfcd's API socket.
 *
 * The grammar is table driven, like iproute2: an object (sf, chain, ...)
 * has a cmds[] table, a command has a keyword table. Adding a keyword, a
 * command or an object is a table entry; the parser, the help text and the
 * "expected ..." lists in error messages all come from the tables.
 */
#ifndef SFCCTL_H
#define SFCCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "jsonl.h"
#include "sfc_api.h"

#define SFCCTL_ERR_LEN        1024

struct ctx {
	bool json, pretty;
	const char *sock_path;
	int fd;                  /* connection to sfcd, opened on first use */
	struct sfc_jsonl_reader rd; /* reply bytes read past the last line */
	char err[SFCCTL_ERR_LEN];
};

/* Keyword value types: each turns a token into a JSON value or refuses it
 * with a message naming the token and what was expected. */
enum kw_type {
	KW_FLAG,     /* no value: true */
	KW_NAME,     /* SF, group or chain name */
	KW_IFNAME,   /* network interface name */
	KW_UINT,     /* integer within [min, max] */
	KW_CHOICE,   /* one of choices[] */
	KW_PREFIX,   /* IPv4 or IPv6 prefix */
	KW_PROTO,    /* tcp, udp, sctp, icmp, icmpv6 or 0-255 */
	KW_PORTS,    /* P or P-P */
	KW_MAC,      /* aa:bb:cc:dd:ee:ff */
	KW_HOP,      /* SF[,SF...]: appended to an array of hops */
	KW_TAP,      /* SF[,SF...]: appended to the same array as {"tap": [...]} */
	KW_PATH,     /* a file name, "-" for stdin */
	KW_ADDR,     /* an IPv4 or IPv6 address */
	KW_PROBE,    /* two words, "icmp ADDRESS" or "tcp ADDRESS:PORT": one string */
	KW_BOOL,     /* on or off: true or false */
};

#define KW_REQUIRED (1u << 0)
#define KW_REPEAT   (1u << 1) /* may be given more than once (KW_HOP, KW_TAP) */
/* KW_UINT or KW_BOOL whose value may be left out: true then. Left out
 * when nothing follows, or (KW_UINT) a word that is not a number, or
 * (KW_BOOL) a keyword of the command. */
#define KW_OPTVAL   (1u << 2)
/* the value "none" clears the setting: JSON null */
#define KW_NONE     (1u << 3)

struct kw {
	const char *name;             /* the keyword as typed */
	enum kw_type type;
	const char *key;              /* JSON key it fills */
	unsigned int flags;
	const char *meta;             /* value placeholder in help: "IFNAME" */
	const char *const *choices;   /* KW_CHOICE */
	long long min, max;           /* KW_UINT */
};

struct cmd;
typedef int (*cmd_fn)(struct ctx *c, const struct cmd *cmd, json_t *args);

/* The first argument of some commands is a name: "sf add NAME ...". */
enum name_arg { NAME_NONE, NAME_REQUIRED, NAME_OPTIONAL };

struct cmd {
	const char *name;             /* NULL: the object's only command */
	cmd_fn fn;
	const char *summary;          /* one line for help */
	enum name_arg name_arg;
	const char *name_meta;        /* "NAME", "SF" */
	const struct kw *kws;         /* ends with {} */
	const char *note;             /* extra help text, may be NULL */
	/* An edit: the request {"cmd": op, req_key: value}, value being the
	 * whole parsed arguments (whole) or the argument req_key. */
	const char *op;
	const char *req_key;
	bool whole;
	/* checks across keywords, at parse time: 0 or errf() */
	int (*check)(struct ctx *c, const char *what, json_t *args);
};

struct object {
	const char *name;
	const struct cmd *cmds;       /* ends with {} */
	const char *dflt;             /* command run when none is named */
	const char *summary;
};

extern const struct object obj_ingress, obj_group, obj_sf, obj_chain, obj_rule, obj_stats,
	obj_top, obj_monitor,
	obj_apply, obj_diff, obj_dump, obj_health;

/*
 * grammar.c: one command line, parsed without contacting sfcd, then run.
 * A line asking for help (help, -h, --help anywhere) parses to the help of
 * the level it names: everything, an object, or a command.
 */
enum cli_help { HELP_NONE, HELP_TOP, HELP_OBJECT, HELP_CMD };

struct cli_line {
	const struct object *o;
	const struct cmd *cmd;
	json_t *args;                 /* parsed keywords, NULL for help */
	enum cli_help help;
};

/* 0 with l filled, or -1 with c->err set. */
int cli_parse(struct ctx *c, int argc, char **argv, struct cli_line *l);
/* 0, or -1 with c->err set. */
int cli_exec(struct ctx *c, const struct cli_line *l);
void cli_line_free(struct cli_line *l);
/* The request an edit command sends, or NULL for a command that is not a
 * plain edit (show, stats, apply, ...). */
json_t *cli_request(const struct cli_line *l);
void cli_usage(FILE *f);
/* the generic cmd_fn of an edit command (op, req_key) */
int cmd_edit(struct ctx *c, const struct cmd *cmd, json_t *args);

/*
 * batch.c: a batch file is parsed whole (every line: quoting, objects,
 * commands, keywords, values) before any line runs.
 */
struct batch_line {
	size_t lineno;
	struct cli_line l;
};

struct batch {
	const char *name;             /* for messages: the path, or "<stdin>" */
	struct batch_line *lines;
	size_t n, cap;
};

/* Number of lines that did not parse (each told on errs as
 * "NAME:LINE: why"), or -errno if f could not be read. */
int batch_parse(struct ctx *c, FILE *f, const char *name, FILE *errs, struct batch *b);
/* Runs the lines in order; a line sfcd refuses stops the batch unless
 * force. Returns the number of lines that failed. */
int batch_run(struct ctx *c, const struct batch *b, bool force, FILE *errs);
void batch_free(struct batch *b);
/* blanks separate, '...' and "..." quote, backslash escapes, # starts a
 * comment. Returns the word count, or -1 with *why set. */
int split_line(char *line, char **argv, int max, const char **why);

/* errors: the message goes to c->err, the caller prints it with its
 * prefix ("sfcctl: " or "FILE:LINE: "). Returns -1. */
int errf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* parse.c */
int kw_parse(struct ctx *c, const char *what, const struct cmd *cmd, int argc,
	     char **argv, json_t *args);
void cmd_usage(FILE *f, const char *object, const struct cmd *cmd);
int check_name(struct ctx *c, const char *what, const char *label, const char *s);

/* client.c */
int sfcd_request(struct ctx *c, json_t *req, json_t **reply);
int sfcd_get_doc(struct ctx *c, json_t **doc);
/* An edit request (ingress-add, chain-set, ...); sfcd's refusal, which
 * names the object, is c->err as it came. */
int sfcd_edit(struct ctx *c, const char *op, const char *key, json_t *val);
void sfcd_close(struct ctx *c);
/* the warnings array of a reply, on stderr */
void print_warnings(json_t *reply);

/* print.c: one print path. A command builds a JSON view; -j dumps it, the
 * text renderer reads nothing but that view. */
typedef void (*render_fn)(FILE *f, json_t *view);
void print_view(struct ctx *c, json_t *view, render_fn text);

struct col {
	const char *head;
	const char *key;
	const char *(*fmt)(json_t *row, const char *key, char *buf, size_t len);
	bool right;               /* right-aligned (numbers) */
};
void print_table(FILE *f, const char *indent, const struct col *cols, json_t *rows);
const char *fmt_any(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_hops(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_up(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_onoff(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_reasons(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_shares(json_t *row, const char *key, char *buf, size_t len);
const char *fmt_latency(json_t *row, const char *key, char *buf, size_t len);
/* row's key, an object {"state", "since" (unix s)}: "up 12s", "pending" */
const char *fmt_check(json_t *row, const char *key, char *buf, size_t len);
/* seconds as one unit: 12s, 5m, 3h, 2d */
const char *fmt_age(long long s, char *buf, size_t len);
const char *fmt_ns(double ns, char *buf, size_t len);

/* group.c: what "group show [NAME]" prints, from a document: one entry per
 * group, {"name", "sfs": [member SFs], "used-by": [{"chain", "hop"}]}. */
json_t *group_show_view(json_t *doc, const char *name);

/* sf.c: what "sf show [NAME]" prints, from a document and the stats
 * reply's "stats" object: the document's SFs with kind, weight and health
 * filled in, "up" and "probe-state" (the stats' "probe") when known. */
json_t *sf_show_view(json_t *doc, json_t *stats, const char *name);

/* helpers shared by the objects */
json_t *find_by(json_t *arr, const char *key, const char *name);

/* stats.c, stats_rates.c: totals, and rates between two readings */
void stats_name_hops(json_t *chain, json_t *doc);
int stats_rates(struct ctx *c, const char *chain, const char *sf, json_t *args);
/* Readings every interval (args: "interval", "count") until count or
 * until wait says stop; each interval's view to show. */
struct rates_sink {
	bool (*wait)(double t, void *arg);   /* until monotonic t; true: stop */
	void (*show)(struct ctx *c, json_t *view, void *arg);
	void *arg;
};
int stats_rates_loop(struct ctx *c, const char *chain, const char *sf, json_t *args,
		     const struct rates_sink *sink);
json_t *stats_reading(struct ctx *c);
json_t *stats_rates_view(json_t *prev, json_t *cur, double dt, const char *chain,
			 const char *sf, json_t *doc);
void stats_rates_text(FILE *f, json_t *view);
double stats_now_s(void);
void stats_sleep_until(double t);

#endif
