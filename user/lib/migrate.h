/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Upgrades of the pinned datapath: maps pinned by an older sfc whose layout
 * changed are converted while traffic flows (SFC_ABI_VERSION 1: names and
 * bookkeeping in the values; 2: 32 drop reasons; 4: flows without their
 * resolved steps). The version is recorded
 * in the pins (sfc_record_abi) since 3; older pins are told by their
 * maps' shapes, and pins of a newer sfc are refused before anything is
 * touched. Before the new object is loaded their pins are set aside
 * (pinned as NAME_v1 instead: bpffs has no rename and refuses dots; the
 * running programs keep using them); once the new maps exist their
 * contents are copied over, the names
 * into the control plane's record, and the old pins removed. The new
 * programs replace the old ones on each interface atomically when sfcd
 * next attaches (sfc_apply), so a packet sees either the old maps with the
 * old programs or the new ones with the new.
 */
#ifndef SFC_MIGRATE_H
#define SFC_MIGRATE_H

struct sfc_dp;

#define SFC_MIGRATE_MAPS 6

struct sfc_migration {
	int old_fd[SFC_MIGRATE_MAPS];  /* set aside, by index in migrate.c's table; 0: none */
};

/* -EPROTO, with a message, when pin_dir holds the datapath of a newer sfc
 * (a higher ABI version than this one's). */
int sfc_migrate_check_version(const char *pin_dir);
/* Set aside the pins of pin_dir that have an older layout. Negative errno
 * (logged) when a pinned map has a layout this sfc does not know. */
int sfc_migrate_prepare(const char *pin_dir, struct sfc_migration *mig);
/* Convert what was set aside into dp's new maps and record, then drop it. */
int sfc_migrate_finish(struct sfc_dp *dp, struct sfc_migration *mig);
/* Loading failed: put the old pins back as they were. */
void sfc_migrate_abort(const char *pin_dir, struct sfc_migration *mig);
/* For readers of the pins (--stats, --unload): -EPROTO, with a message
 * saying what to do, when they still have an older layout. */
int sfc_migrate_check_layout(const struct sfc_dp *dp);

#endif
