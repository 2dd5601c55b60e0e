// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl top: the rates of `stats -s` on a terminal, redrawn in place:
 * chains with their hops, SFs with their state, and the drop reasons that
 * counted in the last interval. Plain ANSI escapes (the alternate screen,
 * cursor home, clear to end of line), so it works in any terminal and over
 * SSH; lines are cut to the window's width and the view to its height. q
 * quits; so do SIGINT and SIGTERM, and the terminal is put back as it was
 * either way.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "sfcctl.h"

static const struct kw top_kws[] = {
	{ .name = "chain", .type = KW_NAME, .key = "chain", .meta = "NAME" },
	{ .name = "-s", .type = KW_UINT, .key = "interval", .flags = KW_OPTVAL,
	  .meta = "SECONDS", .min = 1, .max = 3600 },
	{ .name = "count", .type = KW_UINT, .key = "count", .meta = "N", .min = 1,
	  .max = 1000000 },
	{},
};

static volatile sig_atomic_t stop;
static struct termios saved;
static bool raw;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void term_enter(void)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		struct termios t = saved;

		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		raw = !tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	/* the alternate screen, cursor hidden */
	fputs("\033[?1049h\033[?25l", stdout);
	fflush(stdout);
}

static void term_leave(void)
{
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw = false;
}

/* Wait until t (monotonic seconds) for a key: true when q was pressed or
 * a signal asked to stop. */
static bool quit_before(double t)
{
	while (!stop) {
		double left = t - stats_now_s();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char k;

		if (left <= 0)
			return false;
		if (!raw) {
			stats_sleep_until(t);
			return stop;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0 && read(STDIN_FILENO, &k, 1) == 1 &&
		    (k == 'q' || k == 'Q'))
			return true;
	}
	return true;
}

/* The text, redrawn from the top left, cut to the window. */
static void draw(const char *head, const char *text)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int rows, cols, row = 0;
	const char *p = text;

	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	rows = ws.ws_row ? ws.ws_row : 24;
	cols = ws.ws_col ? ws.ws_col : 80;
	printf("\033[H%.*s\033[K\n", cols, head);
	row++;
	while (*p && row < rows - 1) {
		size_t n = strcspn(p, "\n");

		printf("%.*s\033[K\n", (int)(n < (size_t)cols ? n : (size_t)cols), p);
		row++;
		p += n + (p[n] == '\n');
	}
	/* the rest of the window: blank */
	fputs("\033[J", stdout);
	fflush(stdout);
}

static bool top_wait(double t, void *arg)
{
	(void)arg;
	return quit_before(t);
}

/* The view as stats -s prints it, under top's own title line. */
static void top_show(struct ctx *c, json_t *view, void *arg)
{
	const double *interval = arg;
	char head[256], when[16], *text = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	FILE *m = open_memstream(&text, &len);

	(void)c;
	if (m) {
		stats_rates_text(m, view);
		fclose(m);
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	snprintf(head, sizeof(head), "sfc top  %s  every %g s   (q quits)", when, *interval);
	/* stats -s's first line (time, interval) is in the title */
	draw(head, text ? strchr(text, '\n') ? strchr(text, '\n') + 1 : text : "");
	free(text);
}

static int top_run(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *chain = json_string_value(json_object_get(args, "chain"));
	json_t *iv = json_object_get(args, "interval");
	double interval = json_is_integer(iv) ? (double)json_integer_value(iv) : 1.0;
	struct rates_sink sink = { .wait = top_wait, .show = top_show, .arg = &interval };
	char head[128];
	int ret;

	(void)cmd;
	if (c->json)
		return errf(c, "top draws on a terminal; for rates as JSON, "
			    "sfcctl -j stats -s [SECONDS]");
	if (!isatty(STDOUT_FILENO))
		return errf(c, "top draws on a terminal, and standard output is not one; "
			    "sfcctl stats -s [SECONDS] prints rates to a pipe or a file");
	term_enter();
	snprintf(head, sizeof(head), "sfc top: every %g s, first figures in %g s   (q quits)",
		 interval, interval);
	draw(head, "");
	ret = stats_rates_loop(c, chain, NULL, args, &sink);
	term_leave();
	return ret;
}

static const struct cmd top_cmds[] = {
	{ .fn = top_run,
	  .summary = "chains, hops and SFs with their packets/s, bits/s and drops/s, and the "
	             "drop reasons of the last interval, redrawn every SECONDS (1) on the "
	             "terminal until q, or for count N refreshes",
	  .kws = top_kws },
	{},
};

const struct object obj_top = {
	.name = "top", .cmds = top_cmds,
	.summary = "a live view of rates and drops, in the terminal",
};
