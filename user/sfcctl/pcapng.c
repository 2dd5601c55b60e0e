// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pcapng blocks: SHB, IDB, EPB, each with its options (pcapng.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define LINKTYPE_ETHERNET 1
#define OPT_END      0
#define OPT_COMMENT  1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME  2
#define OPT_MAX      1024    /* bytes of one option's value kept */

/* A block being built: its body grows in buf, lengths filled at the end. */
struct block {
	uint8_t buf[64 + PCAPNG_SNAPLEN + 2 * (4 + OPT_MAX) + 16];
	size_t len;
};

static void put(struct block *b, const void *p, size_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put16(struct block *b, uint16_t v)
{
	put(b, &v, 2);
}

static void pad4(struct block *b)
{
	while (b->len & 3)
		b->buf[b->len++] = 0;
}

/* An option whose value is text (not NUL-terminated in the file). */
static void put_opt(struct block *b, uint16_t code, const char *text)
{
	size_t n = strlen(text);

	if (n > OPT_MAX)
		n = OPT_MAX;
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, text, n);
	pad4(b);
}

static void begin(struct block *b, uint32_t type)
{
	b->len = 0;
	put32(b, type);
	put32(b, 0); /* total length, at the end */
}

static int end(struct pcapng *w, struct block *b)
{
	uint32_t total = (uint32_t)b->len + 4;

	memcpy(b->buf + 4, &total, 4);
	put32(b, total);
	if (fwrite(b->buf, 1, b->len, w->f) != b->len)
		return -(errno ? errno : EIO);
	return 0;
}

int pcapng_start(struct pcapng *w, FILE *f, const char *appl)
{
	struct block b;

	memset(w, 0, sizeof(*w));
	w->f = f;
	begin(&b, BT_SHB);
	put32(&b, BYTE_ORDER_MAGIC);
	put16(&b, 1);                       /* major */
	put16(&b, 0);                       /* minor */
	put32(&b, 0xffffffffu);             /* section length: not given */
	put32(&b, 0xffffffffu);
	if (appl) {
		put_opt(&b, OPT_SHB_USERAPPL, appl);
		put_opt(&b, OPT_END, "");
	}
	return end(w, &b);
}

int pcapng_iface(struct pcapng *w, uint32_t ifindex, const char *name)
{
	struct block b;
	unsigned int i;
	int err;

	for (i = 0; i < w->nifaces; i++)
		if (w->ifaces[i].ifindex == ifindex && !strcmp(w->ifaces[i].name, name))
			return (int)i;
	if (w->nifaces >= PCAPNG_MAX_IFACES)
		return -ENOSPC;
	begin(&b, BT_IDB);
	put16(&b, LINKTYPE_ETHERNET);
	put16(&b, 0);                       /* reserved */
	put32(&b, PCAPNG_SNAPLEN);
	/* if_tsresol left out: microseconds, the default */
	put_opt(&b, OPT_IF_NAME, name);
	put_opt(&b, OPT_END, "");
	err = end(w, &b);
	if (err)
		return err;
	w->ifaces[i].ifindex = ifindex;
	snprintf(w->ifaces[i].name, sizeof(w->ifaces[i].name), "%s", name);
	return (int)w->nifaces++;
}

int pcapng_packet(struct pcapng *w, int iface, uint64_t ts_us, const void *data,
		  uint32_t cap_len, uint32_t orig_len, const char *comment)
{
	struct block b;

	if (iface < 0 || (unsigned int)iface >= w->nifaces)
		return -EINVAL;
	if (cap_len > PCAPNG_SNAPLEN)
		cap_len = PCAPNG_SNAPLEN;
	if (orig_len < cap_len)
		orig_len = cap_len;
	begin(&b, BT_EPB);
	put32(&b, (uint32_t)iface);
	put32(&b, (uint32_t)(ts_us >> 32));
	put32(&b, (uint32_t)ts_us);
	put32(&b, cap_len);
	put32(&b, orig_len);
	put(&b, data, cap_len);
	pad4(&b);
	if (comment && comment[0]) {
		put_opt(&b, OPT_COMMENT, comment);
		put_opt(&b, OPT_END, "");
	}
	return end(w, &b);
}

int pcapng_flush(struct pcapng *w)
{
	return fflush(w->f) ? -errno : 0;
}
