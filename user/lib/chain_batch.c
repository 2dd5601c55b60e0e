// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Many chains rewritten at once, one syscall per map: the hops,
 * positions and paths of their new versions (fresh path ids: nothing to
 * clear first) in, then every chain head switched in one write (make-before-break, as
 * chains.c's write_chain() does one chain at a time). Used by link
 * updates (link_update.c) and by link events during an apply
 * (apply_live.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "front.h"

/* Room for n more elements of size sz in *p (capacity *cap). */
static int room(void **p, size_t *cap, size_t used, size_t n, size_t sz)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (used + n <= *cap)
		return 0;
	while (c < used + n)
		c *= 2;
	q = realloc(*p, c * sz);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

void chain_batch_free(struct chain_batch *b)
{
	free(b->hk);
	free(b->hv);
	free(b->pk);
	free(b->pv);
	free(b->ck);
	free(b->pathk);
	free(b->pathv);
	free(b->headv);
	free(b->revk);
	free(b->revv);
	memset(b, 0, sizeof(*b));
}

/* The hops and positions of version path_id, built in cb. */
static int add_version(struct chain_batch *b, __u32 path_id, const struct chain_build *cb)
{
	if (room((void **)&b->hk, &b->caph, b->nh, cb->path.nhops, sizeof(*b->hk)) ||
	    room((void **)&b->hv, &b->caphv, b->nh, cb->path.nhops, sizeof(*b->hv)) ||
	    room((void **)&b->pk, &b->capp, b->np, cb->npos, sizeof(*b->pk)) ||
	    room((void **)&b->pv, &b->cappv, b->np, cb->npos, sizeof(*b->pv)))
		return -ENOMEM;
	for (__u32 si = 1; si <= cb->path.nhops; si++) {
		b->hk[b->nh] = (struct sfc_hop_key){ .path_id = path_id, .si = si };
		b->hv[b->nh++] = cb->hops[si];
	}
	for (int q = 0; q < cb->npos; q++) {
		b->pk[b->np] = cb->pos[q].k;
		b->pv[b->np++] = cb->pos[q].v;
	}
	return 0;
}

int chain_batch_add(struct chain_batch *b, __u32 cid, __u32 next, const struct chain_build *cb,
		    __u32 rev, const struct chain_build *rcb)
{
	int n = rev ? 2 : 1;

	if (add_version(b, next, cb) || (rev && add_version(b, rev, rcb)) ||
	    room((void **)&b->ck, &b->capc, b->nc, 1, sizeof(*b->ck)) ||
	    room((void **)&b->pathk, &b->cappathk, b->nr, n, sizeof(*b->pathk)) ||
	    room((void **)&b->pathv, &b->cappath, b->nr, n, sizeof(*b->pathv)) ||
	    room((void **)&b->headv, &b->caphead, b->nc, 1, sizeof(*b->headv)) ||
	    room((void **)&b->revk, &b->caprk, b->nc, 1, sizeof(*b->revk)) ||
	    room((void **)&b->revv, &b->caprv, b->nc, 1, sizeof(*b->revv)))
		return -ENOMEM;
	/* path entries: one per version, the reply version's too (nr) */
	b->pathk[b->nr] = next;
	b->pathv[b->nr++] = cb->path;
	if (rev) {
		b->pathk[b->nr] = rev;
		b->pathv[b->nr++] = rcb->path;
	}
	b->revk[b->nc] = next;
	b->revv[b->nc] = rev;
	b->ck[b->nc] = cid;
	/* the record (name, SPI) stays: a link event changes neither */
	b->headv[b->nc] = (struct sfc_chain){ .path_id = next };
	b->nc++;
	return 0;
}

static int update_batch(int fd, const void *k, const void *v, size_t n)
{
	__u32 count = n;

	if (!n)
		return 0;
	return bpf_map_update_batch(fd, k, v, &count, NULL) ? -errno : 0;
}

int chain_batch_flush(const struct sfc_maps *m, struct chain_batch *b)
{
	int err;

	err = update_batch(m->hops, b->hk, b->hv, b->nh);
	if (!err)
		sfc_hop_front_fill(m, b->hk, b->hv, b->nh);
	if (!err)
		err = update_batch(m->sf_pos, b->pk, b->pv, b->np);
	if (!err)
		sfc_pos_front_fill(m, b->pk, b->pv, b->np);
	if (!err)
		err = update_batch(m->paths, b->pathk, b->pathv, b->nr);
	if (!err && m->path_rev >= 0)
		err = update_batch(m->path_rev, b->revk, b->revv, b->nc);
	/* the switch: every head in one write, after all it points at */
	if (!err)
		err = update_batch(m->chains, b->ck, b->headv, b->nc);
	return err;
}
