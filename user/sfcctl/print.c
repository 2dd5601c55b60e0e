// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One print path: every command that prints builds a JSON view first. With
 * -j the view is dumped as it is; otherwise a text renderer lays out that
 * same view, reading nothing else, so text and JSON cannot disagree.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sfcctl.h"

void print_view(struct ctx *c, json_t *view, render_fn text)
{
	if (c->json || !text) {
		json_dumpf(view, stdout, c->pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		text(stdout, view);
	}
	fflush(stdout);
}

const char *fmt_any(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(row, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

/* true -> "up", false -> "down", anything else "-" */
const char *fmt_up(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(row, key);

	(void)buf;
	(void)len;
	return json_is_boolean(v) ? (json_is_true(v) ? "up" : "down") : "-";
}

/* true -> "on", false -> "off" (what on|off keywords take), else "-" */
const char *fmt_onoff(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(row, key);

	(void)buf;
	(void)len;
	return json_is_boolean(v) ? (json_is_true(v) ? "on" : "off") : "-";
}

/* [["fw","fw2"],{"tap":["ids"]},["nat"]] -> "fw,fw2 -> tap:ids -> nat" */
const char *fmt_hops(json_t *row, const char *key, char *buf, size_t len)
{
	size_t off = 0, i, j;
	json_t *hop, *sf;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, key), i, hop) {
		if (i && off < len)
			off += snprintf(buf + off, len - off, " -> ");
		if (json_is_string(hop) && off < len)
			off += snprintf(buf + off, len - off, "%s", json_string_value(hop));
		if (json_is_object(hop)) {
			hop = json_object_get(hop, "tap");
			if (off < len)
				off += snprintf(buf + off, len - off, "tap:");
		}
		json_array_foreach(hop, j, sf)
			if (off < len)
				off += snprintf(buf + off, len - off, "%s%s", j ? "," : "",
						json_string_value(sf));
	}
	return off ? buf : "-";
}

/* Aligned columns: widths from the header and every cell. */
void print_table(FILE *f, const char *indent, const struct col *cols, json_t *rows)
{
	size_t nrows = json_array_size(rows), ncols = 0, r, k;
	char **cells, buf[4096];
	int *width;

	while (cols[ncols].head)
		ncols++;
	cells = calloc((nrows + 1) * ncols, sizeof(*cells));
	width = calloc(ncols, sizeof(*width));
	if (!cells || !width)
		goto out;
	for (k = 0; k < ncols; k++) {
		cells[k] = strdup(cols[k].head);
		width[k] = strlen(cols[k].head);
	}
	for (r = 0; r < nrows; r++) {
		json_t *row = json_array_get(rows, r);

		for (k = 0; k < ncols; k++) {
			const char *s = (cols[k].fmt ? cols[k].fmt : fmt_any)(row, cols[k].key, buf,
									       sizeof(buf));
			char **cell = &cells[(r + 1) * ncols + k];

			*cell = strdup(s);
			if (*cell && (int)strlen(*cell) > width[k])
				width[k] = strlen(*cell);
		}
	}
	for (r = 0; r <= nrows; r++) {
		fputs(indent, f);
		for (k = 0; k < ncols; k++) {
			const char *s = cells[r * ncols + k] ? cells[r * ncols + k] : "";
			bool last = k + 1 == ncols;

			if (cols[k].right)
				fprintf(f, "%*s", width[k], s);
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s", width[k], s);
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
out:
	if (cells)
		for (r = 0; r < (nrows + 1) * ncols; r++)
			free(cells[r]);
	free(cells);
	free(width);
}

/* {"hop-down-drop":3,"missing-sf":1} -> "hop-down-drop 3, missing-sf 1"; "-" for none */
const char *fmt_reasons(json_t *row, const char *key, char *buf, size_t len)
{
	const char *name;
	size_t off = 0;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(json_object_get(row, key), name, v) {
		if (!json_integer_value(v) || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s%s %lld", off ? ", " : "", name,
				(long long)json_integer_value(v));
	}
	return buf[0] ? buf : "-";
}

/* {"a":0.75,"e":0.25} -> "a 75%, e 25%"; "-" for a hop of one instance or none */
const char *fmt_shares(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *o = json_object_get(row, key), *v;
	const char *name;
	size_t off = 0;

	buf[0] = '\0';
	if (json_object_size(o) < 2)
		return "-";
	json_object_foreach(o, name, v) {
		if (off >= len)
			break;
		off += snprintf(buf + off, len - off, "%s%s %.3g%%", off ? ", " : "", name,
				json_number_value(v) * 100);
	}
	return buf;
}

/* A duration in ns as "850ns", "12.3us", "4.56ms", "1.20s" */
const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
	return buf;
}

/* row's "latency" object's key (p50_ns...) as a duration; "-" unmeasured */
const char *fmt_latency(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(json_object_get(row, "latency"), key);

	if (!json_is_integer(v))
		return "-";
	return fmt_ns((double)json_integer_value(v), buf, len);
}

const char *fmt_age(long long s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh", s / 3600);
	else
		snprintf(buf, len, "%lldd", s / 86400);
	return buf;
}

/* {"state": "up", "since": T} -> "up 12s" (time since T); pending has no
 * age worth showing; absent: "-" */
const char *fmt_check(json_t *row, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(row, key), *since = json_object_get(v, "since");
	const char *state = json_string_value(json_object_get(v, "state"));
	char age[32];

	if (!state)
		return "-";
	if (!strcmp(state, "pending") || !json_is_number(since))
		return state;
	fmt_age((long long)time(NULL) - (long long)json_number_value(since), age, sizeof(age));
	snprintf(buf, len, "%s %s", state, age);
	return buf;
}
