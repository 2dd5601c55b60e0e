/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reconcile the datapath with a desired-state document: attach to the
 * interfaces it names, write SFs, chains (make-before-break) and rules,
 * then remove what the document no longer has.
 *
 * The steps for one interface and one SF are also callable on their own
 * (attach one interface, detach one, compute or write one SF): link_update.c
 * uses them for one link event, and builds the chains from chains.c's
 * build_chain, so both paths write the same values.
 */
#ifndef SFC_APPLY_H
#define SFC_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include "datapath.h"
#include "model.h"
#include "nl.h"
#include "record.h"

enum sfc_iface_outcome {
	SFC_IFACE_OK,          /* attached, its sfc_ifaces entry written */
	SFC_IFACE_MISSING,     /* no interface of that name (yet) */
	SFC_IFACE_FAILED,      /* there, but sfc could not attach: see error */
};

/* What became of one interface the document names. */
struct sfc_iface_result {
	char dev[IFNAMSIZ];
	enum sfc_iface_outcome outcome;
	char error[160];       /* why, when SFC_IFACE_FAILED */
};

struct sfc_apply_report {
	int sfs_down;          /* SFs whose interfaces are missing or down */
	int chains_switched;   /* chains that got a new path */
	int ifaces_attached;
	int ifaces_missing;
	int ifaces_failed;
	int rules_skipped;     /* rules naming a missing in-dev */
	int rules_installed;   /* the rule set changed and was switched */
	size_t rule_entries;
	int tuples;
	int link_events;       /* link events applied while the maps were written */
	int link_events_later; /* and those left for after the apply */
	/* every interface the document names, in document order */
	struct sfc_iface_result *ifaces;
	int nifaces;
	/* Set want_links before the call to get, on success, the link index
	 * of doc (link_update.h), built while link events are still applied
	 * against the apply (apply_live.c): the caller's to free
	 * (sfc_apply_report_free does not); NULL with the apply's success
	 * when it could not be built. */
	bool want_links;
	struct sfc_link_index *links;
};

/* "ok", "missing", "failed" */
const char *sfc_iface_outcome_name(enum sfc_iface_outcome o);
/* The result for interface dev, or NULL when the document did not name it. */
const struct sfc_iface_result *sfc_apply_report_iface(const struct sfc_apply_report *rep,
						      const char *dev);
/* Free the interface list; rep can be filled again. */
void sfc_apply_report_free(struct sfc_apply_report *rep);

struct sfc_link_index;

/*
 * Everything is validated before the first map write; on a validation
 * error nothing changes and err says what and where. Negative errno.
 * rep (may be NULL) is overwritten but for want_links: free it with
 * sfc_apply_report_free after every call, failed or not.
 */
int sfc_apply(struct sfc_dp *dp, const struct sfc_doc *doc,
	      struct sfc_apply_report *rep, char *err, size_t errlen);

/* --- one interface (attach.c, detach.c) */

/* An interface sfc attaches to: the caller fills name, roles and sf_id,
 * sfc_attach_iface the rest. */
struct sfc_iface_state {
	char name[IFNAMSIZ];
	__u32 roles;           /* SFC_IF_INGRESS | SFC_IF_SF_OUT | SFC_IF_SF_RETURN */
	__u32 sf_id;           /* the SF that returns here (SFC_IF_SF_RETURN) */
	enum sfc_iface_outcome outcome;
	int ifindex;           /* 0: missing */
	struct sfc_link link;  /* as read when attaching */
	struct sfc_iface v;    /* the sfc_ifaces value written */
	struct sfc_iface_record rec; /* and sfcd's record of it (XDP mode, veth peer) */
	char error[160];       /* why, when SFC_IFACE_FAILED */
};

/*
 * Attach sfc's programs to one interface for its roles and write its
 * sfc_ifaces (and sfc_tx_ports) entries and its record. What became of the interface is in
 * st->outcome (a missing or refusing interface is not an error here); the
 * return value is 0, or a negative errno when sfc's own maps could not be
 * written (st->error says which).
 */
int sfc_attach_iface(struct sfc_dp *dp, struct sfc_iface_state *st);
/*
 * The current sfc_tc_ingress on every interface of this netns that sfc's
 * record lists and that runs an older one (an upgrade), before any is
 * steered at tc: an older program sends a packet that finished its chain
 * to the ingress of the interface it was classified on without the mark
 * (SFC_MARK_END) that tells the tc steering there to let it through, and
 * would have it chained again.
 */
void sfc_tc_ingress_refresh(struct sfc_dp *dp);

/*
 * An attached ingress veth whose far end gained or lost an XDP program of
 * its own (the kernel reports that here as a feature change): its
 * SFC_IF_XDP_TX_OK and sfc_tx_ports entry follow. st holds the ifindex,
 * the link and the sfc_ifaces value as they are now. 0 or a negative errno.
 */
int sfc_refresh_peer_xdp(struct sfc_dp *dp, struct sfc_iface_state *st);

/*
 * Take sfc's programs off one interface (XDP in the mode it was attached,
 * tc, the veth peer's program) and forget it. 0, -ENOENT when sfc does not
 * know ifindex, or another negative errno (logged, naming the interface)
 * when something stays attached: then it stays recorded too.
 */
int sfc_detach_iface(struct sfc_dp *dp, __u32 ifindex);
/* Detach from every interface the datapath knows; the number of those on
 * which something stays attached (each logged with why). */
int sfc_detach_all(struct sfc_dp *dp);

/* --- one SF (sfs.c) */

/* How the chains of a document use one SF (user/lib/sf_use.c). */
struct sfc_sf_use {
	__u32 chain_id;          /* with SFC_SF_SOLE: the one chain it serves */
	__u16 flags;             /* SFC_SF_SOLE, SFC_SF_MISS_DROP, SFC_SF_POS_MAC */
	__u32 if_flags;          /* its return interface's: SFC_IF_POS_MAC[_ONLY] */
	bool back;               /* two-arm, in a symmetric chain: replies come back
				  * on its dev (SFC_SF_ID_BACK) */
};

/*
 * Write the datapath entry of SF sf under id: its interfaces' ifindexes and
 * MACs and whether it is up, from the states of its two ends (out: where the
 * fabric sends, ret: where it comes back; the same for a one-arm SF). Only
 * outcome, ifindex, link.mac, link.up and v.flags of each are read. is_new
 * zeroes the SF's counters. The value written is copied to v_out (may be
 * NULL). 0 or a negative errno.
 */
int sfc_sf_write(struct sfc_dp *dp, const struct sfc_sf_cfg *sf, __u32 id, bool is_new,
		 const struct sfc_iface_state *out, const struct sfc_iface_state *ret,
		 const struct sfc_sf_use *use, struct sfc_sf *v_out);
/* Store an SF's value, its other side's (sfc_sf_back) and its record
 * under id (the record first). */
int sfc_sf_store(struct sfc_dp *dp, __u32 id, const struct sfc_sf *v, const struct sfc_sf *back,
		 const struct sfc_sf_record *rec);
/* What sfc_sf_write writes, computed only: the datapath value, the value
 * of its other side (where a symmetric chain's replies enter a two-arm
 * SF: SFC_SF_ID_BACK) and the record. use: from sfc_sf_uses, NULL for
 * none. Up: its interfaces are attached, up unless its health is "none",
 * and it does not fail its health probe (dp->sf_failing). */
void sfc_sf_value(const struct sfc_dp *dp, const struct sfc_sf_cfg *sf, const struct sfc_iface_state *out,
		  const struct sfc_iface_state *ret, const struct sfc_sf_use *use,
		  struct sfc_sf *v, struct sfc_sf *back, struct sfc_sf_record *rec);

/* out[i] for every doc->sfs[i]; chain_ids: per doc->chains[i]. 0 or -ENOMEM. */
int sfc_sf_uses(const struct sfc_doc *doc, const __u32 *chain_ids, struct sfc_sf_use *out);

#endif
