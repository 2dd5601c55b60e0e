// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What fuzz_cni replaces of sfc-cni's surroundings: the pod's veth (link.c:
 * the host end is always found, its qdiscs are free), sfcd's socket (every
 * request gets fuzz_cni_reply as its reply line) and the pauses between
 * retries. client.c itself runs as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonl.h"
#include "sfc_cni.h"

const char *fuzz_cni_reply;     /* NULL: sfcd is unreachable */

int find_host_end(const char *netns_path, const char *ifname, struct host_end *h,
		  struct cni_error *e)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->name, "veth-host");
	h->ifindex = 7;
	h->pod_ifindex = 2;
	return 0;
}

int check_qdiscs(const struct host_end *h, struct cni_error *e)
{
	return 0;
}

int sfc_jsonl_connect(const char *path, int timeout_s)
{
	return fuzz_cni_reply ? open("/dev/null", O_RDWR | O_CLOEXEC) : -ECONNREFUSED;
}

int sfc_jsonl_send(int fd, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);

	if (!s)
		abort();   /* sfc-cni built a request that is not JSON */
	free(s);
	return 0;
}

ssize_t sfc_jsonl_read_line(int fd, struct sfc_jsonl_reader *r)
{
	size_t len = strlen(fuzz_cni_reply);

	r->buf = malloc(len + 1);
	if (!r->buf)
		return -ENOMEM;
	memcpy(r->buf, fuzz_cni_reply, len);
	r->buf[len] = '\n';
	r->len = r->cap = len + 1;
	return len;
}

void sfc_jsonl_reader_free(struct sfc_jsonl_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return 0;
}
