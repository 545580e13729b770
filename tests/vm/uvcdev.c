// SPDX-License-Identifier: GPL-2.0
/*
 * uvcdev - a UVC 1.10 camera made of one process, for the test VMs.
 *
 * It is the device side of a USB/IP connection: it makes a connected
 * stream socket pair, hands one end to vhci-hcd (the USB/IP host
 * controller) through /sys/devices/platform/vhci_hcd.0/attach, and answers
 * the URBs that arrive on the other end (USBIP_CMD_SUBMIT, USBIP_CMD_UNLINK)
 * itself: the descriptors, the UVC probe and commit requests and, on a
 * bulk IN endpoint, the video payloads.  The host's uvcvideo sees a
 * high-speed USB camera, with no hardware and no gadget stack.
 *
 * The camera has one format, YUYV, at 160x120 (frame 1) and 320x240
 * (frame 2), 30 frames per second; each frame is one UVC payload (a
 * 12-byte header with PTS and SCR, then the image) spread over as many
 * bulk URBs as it takes, and its picture is uvcdev.h's, numbered from 0.
 *
 *	uvcdev [-p PORT] [-r FPS]
 *
 * PORT: the vhci port (default 0, a high-speed port of vhci_hcd.0).
 * Runs until vhci-hcd closes the connection (the port is detached) or it
 * is killed.  What it did goes to stderr, one line per event worth
 * knowing (enumeration requests, stream starts and stops, every 100th
 * frame, anything it refused).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uvcdev.h"

#define USBIP_CMD_SUBMIT	1
#define USBIP_CMD_UNLINK	2
#define USBIP_RET_SUBMIT	3
#define USBIP_RET_UNLINK	4
#define USBIP_DIR_IN		1

#define SPEED_HIGH		3	/* enum usb_device_speed */
#define EP_VIDEO		1	/* bulk IN, address 0x81 */
#define BULK_PACKET		512
#define PAYLOAD_HEADER		12
#define PROBE_LEN		34	/* UVC 1.1 probe/commit control */
#define MAX_PENDING		64

/* struct usbip_header, on the wire: big endian, 48 bytes. */
struct usbip_hdr {
	uint32_t command;
	uint32_t seqnum;
	uint32_t devid;
	uint32_t direction;
	uint32_t ep;
	union {
		struct {
			uint32_t transfer_flags;
			uint32_t length;
			uint32_t start_frame;
			uint32_t number_of_packets;
			uint32_t interval;
			uint8_t setup[8];
		} submit;
		struct {
			uint32_t status;
			uint32_t actual_length;
			uint32_t start_frame;
			uint32_t number_of_packets;
			uint32_t error_count;
		} ret;
		struct {
			uint32_t seqnum;
		} unlink;
		uint8_t pad[28];
	} u;
};

_Static_assert(sizeof(struct usbip_hdr) == 48, "USB/IP header size");

static const uint8_t dev_desc[18] = {
	18, 1, 0x00, 0x02,	/* USB 2.0 */
	0xef, 0x02, 0x01,	/* miscellaneous, interface association */
	64,
	0x6b, 0x1d, 0x02, 0x01,	/* 1d6b:0102, Linux's webcam gadget */
	0x00, 0x01, 1, 2, 3, 1,
};

#define LE16(v)		((v) & 0xff), (((v) >> 8) & 0xff)
#define LE32(v)		LE16((v) & 0xffff), LE16((uint32_t)(v) >> 16)
#define INTERVAL	333333	/* 100 ns units: 30 frames per second */
#define FRAME_DESC(idx, w, h)						\
	30, 0x24, 0x05, idx, 0, LE16(w), LE16(h),			\
	LE32((w) * (h) * 16 * 30), LE32((w) * (h) * 16 * 30),		\
	LE32((w) * (h) * 2), LE32(INTERVAL), 1, LE32(INTERVAL)

#define VC_LEN		(13 + 18 + 9)
#define VS_LEN		(14 + 27 + 30 + 30 + 6)
#define CONF_LEN	(9 + 8 + 9 + VC_LEN + 9 + VS_LEN + 7)

static const uint8_t conf_desc[CONF_LEN] = {
	9, 2, LE16(CONF_LEN), 2, 1, 0, 0x80, 250,
	/* interface association: video, interfaces 0 and 1 */
	8, 0x0b, 0, 2, 0x0e, 0x03, 0, 2,
	/* interface 0: video control, no interrupt endpoint */
	9, 4, 0, 0, 0, 0x0e, 0x01, 0, 2,
	13, 0x24, 0x01, LE16(0x0110), LE16(VC_LEN), LE32(48000000), 1, 1,
	/* input terminal 1: camera, no controls */
	18, 0x24, 0x02, 1, LE16(0x0201), 0, 0, LE16(0), LE16(0), LE16(0),
	3, 0, 0, 0,
	/* output terminal 2: streaming, from 1 */
	9, 0x24, 0x03, 2, LE16(0x0101), 0, 1, 0,
	/* interface 1: video streaming, one bulk endpoint, one alternate */
	9, 4, 1, 0, 1, 0x0e, 0x02, 0, 0,
	14, 0x24, 0x01, 1, LE16(VS_LEN), 0x80 | EP_VIDEO, 0, 2, 0, 0, 0, 1, 0,
	/* format 1: uncompressed YUY2, 16 bits per pixel, default frame 1 */
	27, 0x24, 0x04, 1, 2,
	'Y', 'U', 'Y', '2', 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
	16, 1, 0, 0, 0, 0,
	FRAME_DESC(1, 160, 120),
	FRAME_DESC(2, 320, 240),
	/* colour matching: BT.709, BT.709, SMPTE 170M */
	6, 0x24, 0x0d, 1, 1, 4,
	/* endpoint 0x81: bulk, 512 bytes */
	7, 5, 0x80 | EP_VIDEO, 0x02, LE16(BULK_PACKET), 0,
};

static const char *const strings[] = { NULL, "camgate", UVCDEV_NAME, "0001" };

static const struct {
	unsigned int w, h;
} frames[] = { { 160, 120 }, { 320, 240 } };

struct pending {
	uint32_t seqnum;
	uint32_t len;
};

static struct {
	int sock;
	uint8_t probe[PROBE_LEN];
	unsigned int w, h;		/* committed frame size */
	uint8_t *frame;			/* the frame being sent */
	size_t sent;			/* payload bytes of it sent, 0: none */
	uint32_t n;			/* its number */
	uint8_t fid;
	uint64_t period_ns, due_ns;	/* frame period, next frame's time */
	struct pending q[MAX_PENDING];	/* bulk IN URBs waiting for data */
	unsigned int nq;
	unsigned long urbs, unlinks;
} d;

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("uvcdev: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int read_all(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t r;

	while (len) {
		r = read(d.sock, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

static int write_all(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (len) {
		r = write(d.sock, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

/* RET_SUBMIT for @seqnum: @status (0 or -errno), IN data @data/@len. */
static int ret_submit(uint32_t seqnum, int status, const void *data,
		      uint32_t len)
{
	struct usbip_hdr h;

	memset(&h, 0, sizeof(h));
	h.command = htonl(USBIP_RET_SUBMIT);
	h.seqnum = htonl(seqnum);
	h.u.ret.status = htonl((uint32_t)status);
	h.u.ret.actual_length = htonl(len);
	if (write_all(&h, sizeof(h)))
		return -1;
	return data && len ? write_all(data, len) : 0;
}

static int ret_unlink(uint32_t seqnum, int status)
{
	struct usbip_hdr h;

	memset(&h, 0, sizeof(h));
	h.command = htonl(USBIP_RET_UNLINK);
	h.seqnum = htonl(seqnum);
	h.u.ret.status = htonl((uint32_t)status);
	return write_all(&h, sizeof(h));
}

static void put32(uint8_t *p, uint32_t v)
{
	uvcdev_put32(p, v);
}

/* The probe/commit control for frame @index (1-based), as we stream it. */
static void probe_fill(uint8_t *p, unsigned int index)
{
	unsigned int w = frames[index - 1].w, h = frames[index - 1].h;

	memset(p, 0, PROBE_LEN);
	p[0] = 1;			/* bmHint: frame interval fixed */
	p[2] = 1;			/* bFormatIndex */
	p[3] = index;			/* bFrameIndex */
	put32(p + 4, INTERVAL);
	put32(p + 18, w * h * 2);			/* dwMaxVideoFrameSize */
	put32(p + 22, w * h * 2 + PAYLOAD_HEADER);	/* dwMaxPayloadTransferSize */
	put32(p + 26, 48000000);			/* dwClockFrequency */
	p[30] = 0x03;			/* bmFramingInfo: FID and EOF */
	p[31] = 1;			/* bPreferedVersion */
	p[32] = 1;
	p[33] = 1;
}

/* Start the next frame over: the next payload opens a new one. */
static void stream_reset(void)
{
	d.sent = 0;
	d.due_ns = now_ns();
}

/* A UVC request to interface @intf: a VS probe or commit, or a stall. */
static int uvc_request(const uint8_t *s, const uint8_t *out, uint8_t *in,
		       uint32_t *inlen)
{
	unsigned int req = s[1], cs = s[3], intf = s[4], index;
	uint16_t len = s[6] | s[7] << 8;

	if (intf != 1 || (cs != 1 && cs != 2))
		return -32;
	if (s[0] & 0x80) {			/* GET_* */
		switch (req) {
		case 0x81:	/* GET_CUR */
		case 0x82:	/* GET_MIN */
		case 0x83:	/* GET_MAX */
		case 0x87:	/* GET_DEF */
			if (req == 0x83)
				probe_fill(in, 2);
			else if (req == 0x82 || req == 0x87)
				probe_fill(in, 1);
			else
				memcpy(in, d.probe, PROBE_LEN);
			*inlen = len < PROBE_LEN ? len : PROBE_LEN;
			return 0;
		case 0x85:	/* GET_LEN */
			in[0] = PROBE_LEN;
			in[1] = 0;
			*inlen = len < 2 ? len : 2;
			return 0;
		case 0x86:	/* GET_INFO: GET and SET supported */
			in[0] = 0x03;
			*inlen = len < 1 ? len : 1;
			return 0;
		}
		return -32;
	}
	if (req != 0x01 || len < 4)		/* SET_CUR */
		return -32;
	index = out[3];
	if (index < 1 || index > 2)
		index = 1;
	probe_fill(d.probe, index);
	if (cs == 2) {
		d.w = frames[index - 1].w;
		d.h = frames[index - 1].h;
		stream_reset();
		say("commit: %ux%u, %u bytes a payload", d.w, d.h,
		    d.w * d.h * 2 + PAYLOAD_HEADER);
	}
	return 0;
}

/* A control transfer: @s is its setup packet.  Status 0 or -errno. */
static int control(const uint8_t *s, const uint8_t *out, uint8_t *in,
		   uint32_t *inlen)
{
	unsigned int type = s[0], req = s[1], val = s[2] | s[3] << 8;
	unsigned int idx = s[4] | s[5] << 8, len = s[6] | s[7] << 8, n;
	const char *str;

	*inlen = 0;
	if ((type & 0x60) == 0x20)
		return uvc_request(s, out, in, inlen);
	switch (req) {
	case 6:	/* GET_DESCRIPTOR */
		switch (val >> 8) {
		case 1:
			n = sizeof(dev_desc);
			memcpy(in, dev_desc, n);
			break;
		case 2:
			n = sizeof(conf_desc);
			memcpy(in, conf_desc, n);
			break;
		case 3:
			if ((val & 0xff) == 0) {
				n = 4;
				memcpy(in, "\x04\x03\x09\x04", 4);
				break;
			}
			if ((val & 0xff) >= sizeof(strings) / sizeof(strings[0]))
				return -32;
			str = strings[val & 0xff];
			n = 2 + 2 * strlen(str);
			in[0] = n;
			in[1] = 3;
			for (unsigned int i = 0; str[i]; i++) {
				in[2 + 2 * i] = str[i];
				in[3 + 2 * i] = 0;
			}
			break;
		default:
			say("no descriptor type %u index %u", val >> 8, val & 0xff);
			return -32;
		}
		*inlen = n < len ? n : len;
		return 0;
	case 0:	/* GET_STATUS */
		memset(in, 0, 2);
		*inlen = len < 2 ? len : 2;
		return 0;
	case 1:	/* CLEAR_FEATURE: bulk streams stop by a halt cleared */
		if ((type & 0x1f) == 2 && idx == (0x80 | EP_VIDEO)) {
			stream_reset();
			say("stream stopped (CLEAR_FEATURE(HALT) on 0x%02x) after frame %u",
			    idx, d.n);
		}
		return 0;
	case 9:	/* SET_CONFIGURATION */
		say("configuration %u", val);
		return 0;
	case 11:	/* SET_INTERFACE */
		say("interface %u alternate setting %u", idx, val);
		return val == 0 ? 0 : -32;
	}
	say("stall: request type 0x%02x request 0x%02x value 0x%04x index 0x%04x length %u",
	    type, req, val, idx, len);
	return -32;
}

/* Fill one bulk IN URB of @len bytes with the stream: its length. */
static uint32_t payload(uint8_t *buf, uint32_t len)
{
	size_t size = (size_t)d.w * d.h * 2, total = size + PAYLOAD_HEADER;
	size_t off = 0, n, scr;

	if (d.sent == 0) {
		if (len < PAYLOAD_HEADER)
			return 0;
		uvcdev_fill(d.frame, d.n, d.w, d.h);
		d.fid ^= 1;
		buf[0] = PAYLOAD_HEADER;
		/* EOH, SCR, PTS, EOF (one payload a frame), FID */
		buf[1] = 0x80 | 0x08 | 0x04 | 0x02 | d.fid;
		put32(buf + 2, d.n * (48000000 / 30));
		scr = d.n * (48000000 / 30) + 1000;
		put32(buf + 6, scr);
		buf[10] = (d.n * 4) & 0xff;	/* SOF: 8 ms a frame, low bits */
		buf[11] = (d.n * 4) >> 8 & 0x07;
		off = PAYLOAD_HEADER;
		d.sent = PAYLOAD_HEADER;
	}
	n = total - d.sent;
	if (n > len - off)
		n = len - off;
	memcpy(buf + off, d.frame + (d.sent - PAYLOAD_HEADER), n);
	d.sent += n;
	if (d.sent == total) {
		if (d.n % 100 == 0)
			say("frame %u sent (%ux%u)", d.n, d.w, d.h);
		d.n++;
		d.sent = 0;
		d.due_ns += d.period_ns;
		if (d.due_ns < now_ns())
			d.due_ns = now_ns();
	}
	return off + n;
}

/* Answer the bulk URBs that can be answered now. */
static int serve(void)
{
	static uint8_t buf[1 << 20];
	struct pending p;
	uint32_t n;

	while (d.nq && d.w && (d.sent || now_ns() >= d.due_ns)) {
		p = d.q[0];
		memmove(d.q, d.q + 1, --d.nq * sizeof(d.q[0]));
		if (p.len > sizeof(buf)) {
			say("bulk URB of %u bytes: too long", p.len);
			if (ret_submit(p.seqnum, -75, NULL, 0))
				return -1;
			continue;
		}
		n = payload(buf, p.len);
		if (ret_submit(p.seqnum, 0, buf, n))
			return -1;
	}
	return 0;
}

static int submit(const struct usbip_hdr *h)
{
	static uint8_t out[65536], in[65536];
	uint32_t seq = ntohl(h->seqnum), ep = ntohl(h->ep);
	uint32_t len = ntohl(h->u.submit.length), inlen;
	bool dir_in = ntohl(h->direction) == USBIP_DIR_IN;
	int status;

	d.urbs++;
	if (ntohl(h->u.submit.number_of_packets) != 0 &&
	    ntohl(h->u.submit.number_of_packets) != 0xffffffff) {
		say("isochronous URB on ep %u: not supported", ep);
		return -1;
	}
	if (!dir_in && len) {
		if (len > sizeof(out)) {
			say("OUT URB of %u bytes: too long", len);
			return -1;
		}
		if (read_all(out, len))
			return -1;
	}
	if (ep == 0) {
		status = control(h->u.submit.setup, out, in, &inlen);
		if (inlen > len)
			inlen = len;
		return ret_submit(seq, status, dir_in ? in : NULL,
				  dir_in ? inlen : (status ? 0 : len));
	}
	if (ep == EP_VIDEO && dir_in) {
		if (d.nq == MAX_PENDING) {
			say("more than %d bulk URBs pending", MAX_PENDING);
			return -1;
		}
		if (!d.nq && !d.sent && d.due_ns < now_ns())
			d.due_ns = now_ns();
		d.q[d.nq].seqnum = seq;
		d.q[d.nq].len = len;
		d.nq++;
		return 0;
	}
	say("URB to endpoint %u %s: stall", ep, dir_in ? "IN" : "OUT");
	return ret_submit(seq, -32, NULL, 0);
}

static int unlink_urb(const struct usbip_hdr *h)
{
	uint32_t victim = ntohl(h->u.unlink.seqnum);
	unsigned int i;

	d.unlinks++;
	for (i = 0; i < d.nq; i++) {
		if (d.q[i].seqnum != victim)
			continue;
		memmove(d.q + i, d.q + i + 1, (--d.nq - i) * sizeof(d.q[0]));
		return ret_unlink(ntohl(h->seqnum), -104);	/* -ECONNRESET */
	}
	return ret_unlink(ntohl(h->seqnum), 0);		/* already answered */
}

static int attach(int fd, unsigned int port)
{
	char cmd[64];
	int sys, n, err;

	sys = open("/sys/devices/platform/vhci_hcd.0/attach", O_WRONLY);
	if (sys < 0) {
		say("open vhci_hcd.0/attach: %s (is vhci-hcd loaded?)",
		    strerror(errno));
		return -1;
	}
	n = snprintf(cmd, sizeof(cmd), "%u %d %u %u", port, fd,
		     (1u << 16) | 2, SPEED_HIGH);
	err = write(sys, cmd, n) == n ? 0 : errno;
	close(sys);
	if (err) {
		say("attach \"%s\": %s", cmd, strerror(err));
		return -1;
	}
	say("attached to vhci_hcd.0 port %u (\"%s\")", port, cmd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int port = 0, fps = 30;
	struct usbip_hdr h;
	int sv[2], opt, timeout;
	uint64_t t;

	while ((opt = getopt(argc, argv, "p:r:")) != -1) {
		switch (opt) {
		case 'p':
			port = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			fps = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: uvcdev [-p PORT] [-r FPS]\n");
			return 2;
		}
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	d.period_ns = 1000000000ull / (fps ? fps : 30);
	d.frame = malloc(320 * 240 * 2);
	if (!d.frame)
		return 1;
	probe_fill(d.probe, 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		say("socketpair: %s", strerror(errno));
		return 1;
	}
	d.sock = sv[0];
	if (attach(sv[1], port))
		return 1;
	close(sv[1]);	/* vhci-hcd holds its own reference */

	for (;;) {
		struct pollfd p = { .fd = d.sock, .events = POLLIN };

		timeout = -1;
		if (d.nq && d.w) {
			t = now_ns();
			timeout = d.sent || t >= d.due_ns ? 0 :
				  (int)((d.due_ns - t + 999999) / 1000000);
		}
		if (poll(&p, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return 1;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (read_all(&h, sizeof(h))) {
				say("connection closed (detached) after %lu URBs, %lu unlinks, %u frames",
				    d.urbs, d.unlinks, d.n);
				return 0;
			}
			switch (ntohl(h.command)) {
			case USBIP_CMD_SUBMIT:
				if (submit(&h))
					goto broken;
				break;
			case USBIP_CMD_UNLINK:
				if (unlink_urb(&h))
					goto broken;
				break;
			default:
				say("unknown command 0x%x", ntohl(h.command));
				goto broken;
			}
		}
		if (serve())
			goto broken;
	}
broken:
	say("giving up after %lu URBs, %u frames", d.urbs, d.n);
	return 1;
}
