/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sfc-cni: a chained CNI plugin (spec 0.4.0, 1.0.0, 1.1.0). After the main
 * plugin has made the pod's veth, it finds the veth's host end and asks
 * sfcd to make it an SF instance of a group or an ingress point. It never
 * touches the datapath itself: every change goes through sfcd's socket.
 */
#ifndef SFC_CNI_H
#define SFC_CNI_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <jansson.h>

#include "sfc_api.h"

#define SFC_CNI_DEFAULT_TIMEOUT 30      /* seconds for one sfcd reply */
#define SFC_CNI_LATEST          "1.1.0"
/* containerd's capability for passing pod annotations in runtimeConfig */
#define SFC_CNI_ANNOTATIONS     "io.kubernetes.cri.pod-annotations"
#define SFC_CNI_ANNOT_ROLE      "sfc/role"
#define SFC_CNI_ANNOT_SF        "sfc/sf"

/* Error codes: 1-99 are the spec's, 100+ this plugin's. The spec reserves
 * none for a CHECK that finds the attachment differing from the
 * configuration, so that one is the plugin's own (102). */
enum cni_code {
	CNI_ERR_VERSION      = 1,   /* incompatible CNI version */
	CNI_ERR_ENV          = 4,   /* invalid or missing environment variables */
	CNI_ERR_IO           = 5,   /* reading stdin, writing stdout */
	CNI_ERR_DECODE       = 6,   /* stdin is not a JSON object */
	CNI_ERR_CONFIG       = 7,   /* invalid network configuration */
	CNI_ERR_TRY_AGAIN    = 11,  /* sfcd unreachable, busy or slow */
	CNI_ERR_UNAVAILABLE  = 50,  /* STATUS: cannot serve ADD */
	CNI_ERR_LIMITED      = 51,  /* STATUS: and existing pods may suffer */
	SFC_CNI_ERR_SFCD     = 100, /* sfcd refused the request (its reason in msg) */
	SFC_CNI_ERR_LINK     = 101, /* CNI_IFNAME or its host end is not usable */
	SFC_CNI_ERR_MISMATCH = 102, /* CHECK: sfcd holds another role, group or interface */
	SFC_CNI_ERR_INTERNAL = 999, /* out of memory, a failed setns back, ... */
};

struct cni_error {
	int code;
	char msg[512];
	char details[1024];
};

/* Fill e and return -1: "return cni_fail(e, CNI_ERR_CONFIG, ...)" */
int cni_fail(struct cni_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a longer explanation to an error already filled. */
void cni_details(struct cni_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The environment, as the runtime set it ("" when unset). */
struct cni_env {
	const char *command, *containerid, *netns, *ifname, *args, *path;
};

/* run.c: one CNI call, as main() makes it: the result or the error object
 * goes to out; 0, or 1 (the exit status). */
int cni_run(const struct cni_env *env, FILE *in, FILE *out);

enum sfc_role { ROLE_UNSET, ROLE_NONE, ROLE_SF, ROLE_INGRESS };

struct cni_conf {
	json_t *root;              /* stdin, owned */
	const char *version;       /* cniVersion */
	const char *name;          /* network name */
	const char *socket;        /* sfcd's API socket */
	int timeout_s;
	json_t *prev_result;       /* borrowed from root, NULL when absent */
	enum sfc_role role;        /* after every per-pod source was applied */
	char sf[64];               /* SF group, role sf */
	char role_from[64];        /* where role came from, for messages */
};

/* conf.c */
extern const char *const cni_supported_versions[];
bool cni_version_supported(const char *v);
int cni_version_cmp(const char *a, const char *b);
int conf_load(const char *buf, size_t len, struct cni_conf *c, struct cni_error *e);
int conf_check_version(const struct cni_conf *c, const char *min, const char *cmd,
		       struct cni_error *e);
int conf_resolve_role(struct cni_conf *c, const char *cni_args, struct cni_error *e);
json_t *result_for_version(json_t *prev, const char *version, struct cni_error *e);
const char *role_name(enum sfc_role r);

/* link.c: where the pod's veth ends in our netns */
struct host_end {
	char name[IFNAMSIZ];       /* host end of the veth */
	int ifindex;
	int pod_ifindex;           /* CNI_IFNAME's ifindex inside the pod */
};

int netns_open(const char *path, struct cni_error *e);
int find_host_end(const char *netns_path, const char *ifname, struct host_end *h,
		  struct cni_error *e);
int check_qdiscs(const struct host_end *h, struct cni_error *e);
/* conf.c: the host end is one prevResult lists */
int check_prev_result(json_t *prev, const struct host_end *h, const char *ifname,
		      struct cni_error *e);

/* client.c: one request to sfcd, one reply */
enum sfcd_status { SFCD_OK = 0, SFCD_UNREACHABLE = -1, SFCD_REFUSED = -2 };
int sfcd_call(const struct cni_conf *c, json_t *req, json_t **reply, struct cni_error *e);

#endif
