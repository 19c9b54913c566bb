/*
 * The client's session: handshake on the handshake port, then the
 * conversation on the data port.  One poll(2) loop moves bytes between
 * stdin, stdout and the socket; it never blocks on a write while the server
 * may be waiting for us to read, so a long pipelined input cannot deadlock.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include <sodium.h>

#include "channel.h"
#include "key.h"
#include "log.h"
#include "net.h"
#include "proto.h"
#include "client-hostkey.h"
#include "client-ui.h"
#include "client.h"

#define CONNECT_TIMEOUT_MS	10000
#define HANDSHAKE_TIMEOUT_MS	15000
#define STDIN_BUF		(2 * CHANNEL_BODY_MAX + 2)

/* The conversation's state. */
struct chat {
	const struct client_opts *o;
	int fd;
	struct proto_session keys;
	struct channel_dir tx, rx;
	uint8_t *stdin_buf;	/* bytes read from stdin, not yet sent */
	size_t stdin_start, stdin_len;
	int stdin_eof, skipping;
	uint8_t *record;	/* a record to seal, or one opened */
	uint8_t *out;		/* the frame being sent */
	size_t out_len, out_off;
	uint8_t prefix[CHANNEL_LEN_LEN];
	uint8_t *in;		/* the frame being received */
	size_t in_have, in_need;
	int close_sent, close_received;
	int failure;		/* CLIENT_EXIT_* status of an error, or 0 */
	unsigned long long sent, received, too_long;
	int64_t deadline;
	struct client_ui *ui;	/* the terminal, if interactive */
};

static void say(const char *, ...) __attribute__((format(printf, 1, 2)));
static void chat_say(struct chat *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "secchat: " and the message of ${fmt} and ${ap} on stderr. */
static void
vsay(const char *fmt, va_list ap)
{

	fputs("secchat: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Print an error message on stderr. */
static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* Print an error message on stderr during the chat, around the prompt. */
static void
chat_say(struct chat *c, const char *fmt, ...)
{
	va_list ap;

	if (c->ui != NULL)
		client_ui_hide(c->ui);
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	if (c->ui != NULL)
		client_ui_show(c->ui);
}

/* Read one handshake message of ${type}; a CLIENT_EXIT_* status. */
static int
read_message(int fd, uint8_t *buf, int type, size_t body)
{
	int64_t deadline = net_now_ms() + HANDSHAKE_TIMEOUT_MS;
	int r;

	if ((r = net_read_full(fd, buf, PROTO_HDR_LEN, deadline)) != 0)
		goto io;
	if ((r = proto_check_header(buf, type, body)) == PROTO_E_REMOTE) {
		if (net_read_full(fd, buf + PROTO_HDR_LEN, 1, deadline))
			goto io;
		say("the server refused the handshake: %s",
		    proto_error_code_str(buf[PROTO_HDR_LEN]));
		return (buf[PROTO_HDR_LEN] == PROTO_ERRCODE_BUSY ?
		    CLIENT_EXIT_REFUSED : CLIENT_EXIT_PROTOCOL);
	}
	if (r != PROTO_OK) {
		say("handshake failed: %s", proto_strerror(r));
		return (CLIENT_EXIT_PROTOCOL);
	}
	if ((r = net_read_full(fd, buf + PROTO_HDR_LEN, body, deadline)) != 0)
		goto io;
	return (CLIENT_EXIT_OK);

io:
	say("handshake failed: %s", r == 1 ?
	    "the server closed the connection" : strerror(errno));
	return (CLIENT_EXIT_CONNECT);
}

/*
 * Read the server's REPLY ${msg} into ${hs} and check the key the server
 * proved in it, before we reveal ours: the pin, or known_hosts.  A
 * CLIENT_EXIT_* status; *${asked} is set if the user was asked.
 */
static int
check_reply(const struct client_opts *o, struct proto_hs *hs,
    const uint8_t msg[PROTO_REPLY_LEN], int *asked)
{
	uint8_t peer[KEY_LEN];
	int r;

	r = proto_client_read_reply(hs, msg);
	if (r == PROTO_E_PIN && proto_hs_peer(hs, peer) == PROTO_OK) {
		client_hostkey_changed(peer, o->pin, NULL, NULL, 0);
		return (CLIENT_EXIT_HOSTKEY);
	}
	if (r == PROTO_OK && o->pin == NULL)
		r = proto_hs_peer(hs, peer);
	if (r != PROTO_OK) {
		say("handshake failed: %s", proto_strerror(r));
		return (CLIENT_EXIT_PROTOCOL);
	}
	if (o->pin != NULL)
		return (CLIENT_EXIT_OK);
	return (client_hostkey_verify(o, peer, asked));
}

/*
 * Run the handshake on ${fd} into ${s}; a CLIENT_EXIT_* status.  Set
 * *${asked} if the user was asked whether to trust the server's key.
 */
static int
handshake(const struct client_opts *o, int fd, struct proto_session *s,
    int *asked)
{
	uint8_t msg[PROTO_REPLY_LEN];
	struct proto_hs *hs;
	int r, status = CLIENT_EXIT_PROTOCOL;

	if ((hs = proto_client_new(o->id, o->pin)) == NULL) {
		say("%s", "out of memory");
		return (CLIENT_EXIT_ERROR);
	}
	if ((r = proto_client_hello(hs, msg)) != PROTO_OK)
		goto fail;
	if (net_write_full(fd, msg, PROTO_HELLO_LEN,
	    net_now_ms() + HANDSHAKE_TIMEOUT_MS))
		goto io;
	if ((status = read_message(fd, msg, PROTO_T_REPLY,
	    PROTO_REPLY_BODY)) != CLIENT_EXIT_OK)
		goto out;
	if ((status = check_reply(o, hs, msg, asked)) != CLIENT_EXIT_OK)
		goto out;
	if ((r = proto_client_auth(hs, msg)) != PROTO_OK)
		goto fail;
	if (net_write_full(fd, msg, PROTO_AUTH_LEN,
	    net_now_ms() + HANDSHAKE_TIMEOUT_MS))
		goto io;
	r = proto_hs_session(hs, s);
	status = (r == PROTO_OK) ? CLIENT_EXIT_OK : CLIENT_EXIT_PROTOCOL;
	goto out;

fail:
	say("handshake failed: %s", proto_strerror(r));
	status = CLIENT_EXIT_PROTOCOL;
	goto out;
io:
	say("handshake failed: %s", strerror(errno));
	status = CLIENT_EXIT_CONNECT;
out:
	proto_hs_free(hs);
	sodium_memzero(msg, sizeof(msg));
	return (status);
}

/* Return what the refusal ${reason} (not "not allowed") means. */
static const char *
refusal_text(int reason)
{

	switch (reason) {
	case CHANNEL_REFUSE_BUSY:
		return ("it is busy, try again later");
	case CHANNEL_REFUSE_EXPIRED:
		return ("your key has expired on the server's allowlist");
	case CHANNEL_REFUSE_SOURCE:
		return ("your key may not be used from this address");
	case CHANNEL_REFUSE_KEY_LIMIT:
		return ("your key has as many sessions as it may have");
	default:
		return ("it could not start one");
	}
}

/* Explain that the server refused us with ${reason}. */
static void
report_refusal(const struct client_opts *o, int reason)
{
	char fp[KEY_FP_LEN], line[KEY_LINE_MAX + 1];
	const char *user = getenv("USER");

	if (reason != CHANNEL_REFUSE_NOT_ALLOWED) {
		say("the server refused the session: %s", refusal_text(reason));
		return;
	}
	key_fingerprint(o->id->pub, fp);
	key_format_public(o->id->pub, o->id->comment, line);
	fprintf(stderr, "secchat: the server refused your key %s: it is not "
	    "on the server's allowlist.\n"
	    "secchat: ask the server's admin to add this line to the [allow] "
	    "section of server.ini:\n%s = %s\n", fp,
	    (user != NULL && user[0] != '\0') ? user : "name", line);
}

/*
 * Read the server's first record on the handshake connection: the data
 * port, stored in ${port}, or a refusal.  A CLIENT_EXIT_* status.
 */
static int
read_first(const struct client_opts *o, int fd, struct chat *c, int *port)
{
	uint8_t header[CHANNEL_HEADER_LEN], prefix[CHANNEL_LEN_LEN];
	int64_t deadline = net_now_ms() + HANDSHAKE_TIMEOUT_MS;
	size_t ct_len, len;
	int r, final;

	if ((r = net_read_full(fd, header, sizeof(header), deadline)) ||
	    (r = net_read_full(fd, prefix, sizeof(prefix), deadline))) {
		say("the server closed the connection after the handshake%s",
		    r == 1 ? "" : " (reading its answer failed)");
		return (CLIENT_EXIT_CONNECT);
	}
	if ((r = channel_rx_start(&c->rx, c->keys.rx_key, header)) ||
	    (r = channel_frame_length(prefix, &ct_len)))
		goto proto;
	if (net_read_full(fd, c->in, ct_len, deadline)) {
		say("%s", "the connection was lost after the handshake");
		return (CLIENT_EXIT_CONNECT);
	}
	if ((r = channel_open(&c->rx, c->in, ct_len, c->record, &len, &final)))
		goto proto;
	if (c->record[0] == CHANNEL_T_REFUSED) {
		report_refusal(o, c->record[1]);
		return (CLIENT_EXIT_REFUSED);
	}
	if (c->record[0] != CHANNEL_T_PORT) {
		r = CHANNEL_E_FORMAT;
		goto proto;
	}
	if ((*port = (c->record[1] << 8) | c->record[2]) == 0) {
		r = CHANNEL_E_FORMAT;
		goto proto;
	}
	return (CLIENT_EXIT_OK);

proto:
	say("protocol error after the handshake: %s", channel_strerror(r));
	return (CLIENT_EXIT_PROTOCOL);
}

/* Seal ${record} of ${len} bytes into the output frame. */
static int
queue_record(struct chat *c, const uint8_t *record, size_t len, int final)
{
	int r;

	if ((r = channel_seal(&c->tx, record, len, final, c->out,
	    &c->out_len)) != CHANNEL_OK) {
		chat_say(c, "cannot send: %s", channel_strerror(r));
		c->failure = CLIENT_EXIT_ERROR;
		return (-1);
	}
	c->out_off = 0;
	return (0);
}

/* Drop ${n} bytes from the front of the stdin buffer. */
static void
stdin_consume(struct chat *c, size_t n)
{

	c->stdin_start += n;
	c->stdin_len -= n;
	if (c->stdin_len == 0)
		c->stdin_start = 0;
}

/* Say that the next message was too long and is not sent. */
static void
report_too_long(struct chat *c)
{

	c->too_long++;
	if (c->ui != NULL)
		chat_say(c, "this line is longer than %d bytes: not sent "
		    "(nothing was cut)", CHANNEL_BODY_MAX);
	else
		say("message %llu is longer than %d bytes: not sent",
		    c->sent + c->too_long, CHANNEL_BODY_MAX);
}

/*
 * Queue the line ${line} of ${len} bytes as a message, unless it is too
 * long; typed at the prompt, it may be a command instead.  Returns 0, or
 * -1 on error.
 */
static int
queue_line(struct chat *c, const uint8_t *line, size_t len)
{

	if (c->ui != NULL) {
		switch (client_ui_command(c->ui, &line, &len)) {
		case CLIENT_UI_QUIT:
			c->stdin_eof = 1;
			c->stdin_start = c->stdin_len = 0;
			return (0);
		case CLIENT_UI_NONE:
			return (0);
		default:
			break;		/* a message */
		}
	}
	if (len > CHANNEL_BODY_MAX) {
		report_too_long(c);
		return (0);
	}
	c->record[0] = CHANNEL_T_MSG;
	memcpy(c->record + 1, line, len);
	if (queue_record(c, c->record, 1 + len, 0))
		return (-1);
	c->sent++;
	return (0);
}

/*
 * Queue the next whole message from the stdin buffer, if there is one;
 * a message longer than the limit is reported and skipped, never cut.
 * Returns 0, or -1 on error.
 */
static int
queue_from_stdin(struct chat *c)
{
	uint8_t *base = c->stdin_buf + c->stdin_start, *sep;
	size_t len;

	sep = memchr(base, c->o->separator, c->stdin_len);
	if (sep == NULL && !(c->stdin_eof && c->stdin_len > 0)) {
		if (c->stdin_len > CHANNEL_BODY_MAX) {
			/* Too long already: skip up to the separator. */
			if (!c->skipping)
				report_too_long(c);
			c->skipping = 1;
			stdin_consume(c, c->stdin_len);
		}
		return (0);
	}
	len = (sep != NULL) ? (size_t)(sep - base) : c->stdin_len;
	stdin_consume(c, len + (sep != NULL));
	if (c->skipping) {
		c->skipping = 0;
		return (0);
	}

	/* The bytes stay in the buffer until the next read_stdin. */
	if (queue_line(c, base, len))
		return (-1);
	if (c->ui != NULL && c->stdin_len == 0)
		client_ui_prompt(c->ui);
	return (0);
}

/* Read what stdin has into the buffer; 0, or -1 on error. */
static int
read_stdin(struct chat *c)
{
	ssize_t n;

	if (c->stdin_start > 0) {
		memmove(c->stdin_buf, c->stdin_buf + c->stdin_start,
		    c->stdin_len);
		c->stdin_start = 0;
	}
	n = read(STDIN_FILENO, c->stdin_buf + c->stdin_len,
	    STDIN_BUF - c->stdin_len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (n == -1) {
		chat_say(c, "reading stdin: %s", strerror(errno));
		c->failure = CLIENT_EXIT_ERROR;
		return (-1);
	}
	if (n == 0)
		c->stdin_eof = 1;
	c->stdin_len += (size_t)n;
	return (0);
}

/*
 * Print ${len} bytes of ${body} for a terminal: characters that are valid
 * and printable in the locale pass (UTF-8 text stays readable), every other
 * byte becomes \xHH, so the peer can never send control sequences.
 */
static void
print_escaped(const uint8_t *body, size_t len)
{
	mbstate_t mbs;
	size_t off = 0, n;
	wchar_t wc;

	memset(&mbs, 0, sizeof(mbs));
	while (off < len) {
		n = mbrtowc(&wc, (const char *)body + off, len - off, &mbs);
		if (n == 0 || n > len - off || (!iswprint((wint_t)wc) &&
		    wc != L'\t') || (n == 1 && body[off] == '\\')) {
			/* Invalid, incomplete, NUL, unprintable, or '\'. */
			printf("\\x%02x", body[off]);
			memset(&mbs, 0, sizeof(mbs));
			n = 1;
		} else
			fwrite(body + off, 1, n, stdout);
		off += n;
	}
}

/* Print the message body ${body} of ${len} bytes on stdout. */
static void
print_message(struct chat *c, const uint8_t *body, size_t len)
{

	if (c->ui != NULL)
		client_ui_hide(c->ui);
	if (c->o->escape_output)
		print_escaped(body, len);
	else
		fwrite(body, 1, len, stdout);
	fputc(c->o->separator, stdout);
	fflush(stdout);
	if (c->ui != NULL)
		client_ui_show(c->ui);
}

/* Handle the record just opened; 0 to go on, 1 when the server closed. */
static int
handle_record(struct chat *c, size_t len)
{
	char reason[4 * CHANNEL_CLOSE_REASON_MAX + 8];

	if (c->record[0] == CHANNEL_T_MSG) {
		c->received++;
		print_message(c, c->record + 1, len - 1);
		return (0);
	}
	if (c->record[0] == CHANNEL_T_CLOSE) {
		c->close_received = 1;
		if (len > 1)
			chat_say(c, "the server closed the session: %s",
			    log_escape(c->record + 1, len - 1, reason,
			    sizeof(reason)));
		return (1);
	}
	chat_say(c, "%s", "protocol error: unexpected record from the server");
	c->failure = CLIENT_EXIT_PROTOCOL;
	return (-1);
}

/*
 * Read from the server what is there; open each whole frame.  Returns 0
 * to go on, 1 when the server closed the session, -1 on error (reported).
 */
static int
read_server(struct chat *c)
{
	uint8_t *dst;
	size_t len;
	ssize_t n;
	int r, final;

	dst = (c->in_need == 0) ? c->prefix + c->in_have : c->in + c->in_have;
	n = read(c->fd, dst, (c->in_need == 0 ? CHANNEL_LEN_LEN : c->in_need)
	    - c->in_have);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (n <= 0) {
		chat_say(c, "the connection to the server was lost (%s) after "
		    "%llu messages sent and %llu received", n == 0 ?
		    "end of file" : strerror(errno), c->sent, c->received);
		return (-1);
	}
	c->in_have += (size_t)n;
	if (c->in_need == 0) {
		if (c->in_have < CHANNEL_LEN_LEN)
			return (0);
		if ((r = channel_frame_length(c->prefix, &c->in_need)))
			goto proto;
		c->in_have = 0;
		return (0);
	}
	if (c->in_have < c->in_need)
		return (0);
	r = channel_open(&c->rx, c->in, c->in_need, c->record, &len, &final);
	c->in_have = c->in_need = 0;
	if (r != CHANNEL_OK)
		goto proto;
	return (handle_record(c, len));

proto:
	chat_say(c, "protocol error from the server: %s", channel_strerror(r));
	c->failure = CLIENT_EXIT_PROTOCOL;
	return (-1);
}

/* Send what is left of the output frame; 0, or -1 on error. */
static int
write_server(struct chat *c)
{
	ssize_t n;

	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (n == -1) {
		chat_say(c, "sending to the server: %s", strerror(errno));
		return (-1);
	}
	c->out_off += (size_t)n;
	if (c->out_off == c->out_len)
		c->out_len = c->out_off = 0;
	return (0);
}

/* Let the line editor read stdin; queue the line it finishes. */
static int
read_editor(struct chat *c)
{
	const uint8_t *line;
	size_t len;

	switch (client_ui_read(c->ui, &line, &len)) {
	case CLIENT_UI_QUIT:
		c->stdin_eof = 1;
		return (0);
	case CLIENT_UI_LINE:
		return (queue_line(c, line, len));
	default:
		return (0);
	}
}

/* Read what stdin has: through the line editor, or into the buffer. */
static int
read_input(struct chat *c)
{

	if (c->ui != NULL && client_ui_editing(c->ui))
		return (read_editor(c));
	return (read_stdin(c));
}

/* Queue what comes next for the server: a message, or our close. */
static int
queue_next(struct chat *c)
{
	static const uint8_t close_record[1] = { CHANNEL_T_CLOSE };

	if (c->out_len != 0 || c->close_sent)
		return (0);
	if (queue_from_stdin(c))
		return (-1);
	if (c->out_len == 0 && c->stdin_eof && c->stdin_len == 0) {
		if (c->ui != NULL)
			client_ui_end(c->ui);
		if (queue_record(c, close_record, 1, 1))
			return (-1);
		c->close_sent = 1;
		c->deadline = net_now_ms() + 1000 * (int64_t)c->o->wait;
	}
	return (0);
}

/* One turn of the loop: wait for what can move, and move it. */
static int
chat_turn(struct chat *c)
{
	struct pollfd pfds[2];
	int timeout = -1, r;
	int want_stdin = (c->out_len == 0 && !c->stdin_eof && !c->close_sent);

	pfds[0].fd = c->fd;
	pfds[0].events = POLLIN | (c->out_len != 0 ? POLLOUT : 0);
	pfds[1].fd = want_stdin ? STDIN_FILENO : -1;
	pfds[1].events = POLLIN;
	pfds[0].revents = pfds[1].revents = 0;
	if (c->close_sent) {
		timeout = (int)(c->deadline - net_now_ms());
		if (timeout <= 0) {
			chat_say(c, "no answer from the server within %d s "
			    "after the end of input (%llu messages sent, %llu "
			    "received)", c->o->wait, c->sent, c->received);
			return (-1);
		}
	}
	if (poll(pfds, 2, timeout) == -1)
		return (errno == EINTR ? 0 : -1);
	if ((pfds[0].revents & POLLOUT) && write_server(c))
		return (-1);
	if (pfds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
		if ((r = read_server(c)) != 0)
			return (r);
	}
	if ((pfds[1].revents & (POLLIN | POLLHUP | POLLERR)) && read_input(c))
		return (-1);
	return (queue_next(c));
}

/* Run the conversation on the data connection; a CLIENT_EXIT_* status. */
static int
converse(struct chat *c)
{
	uint8_t header[CHANNEL_HEADER_LEN], hello[PROTO_DATA_HELLO_LEN];
	int r;

	/* Prove the session, and start our direction of the channel. */
	channel_tx_start(&c->tx, c->keys.tx_key, header);
	proto_data_hello(&c->keys, header, hello);
	if (net_write_full(c->fd, hello, sizeof(hello),
	    net_now_ms() + HANDSHAKE_TIMEOUT_MS)) {
		say("sending to the data port: %s", strerror(errno));
		return (CLIENT_EXIT_CONNECT);
	}

	/* On a terminal, the prompt; then the chat. */
	if (c->o->interactive) {
		if ((c->ui = client_ui_new(1)) == NULL) {
			say("%s", "out of memory");
			return (CLIENT_EXIT_ERROR);
		}
		client_ui_prompt(c->ui);
	}
	if (queue_next(c))
		return (CLIENT_EXIT_ERROR);
	while ((r = chat_turn(c)) == 0)
		continue;
	if (r < 0)
		return (c->failure ? c->failure : CLIENT_EXIT_CONNECT);
	if (!c->close_sent)
		return (CLIENT_EXIT_CONNECT);	/* the server ended it */

	/* A line refused at the prompt was told there and then. */
	return ((c->too_long && c->ui == NULL) ? CLIENT_EXIT_ERROR :
	    CLIENT_EXIT_OK);
}

/* Allocate the buffers of ${c}; 0 or -1. */
static int
chat_alloc(struct chat *c)
{

	c->stdin_buf = malloc(STDIN_BUF);
	c->record = malloc(CHANNEL_RECORD_MAX);
	c->out = malloc(CHANNEL_FRAME_MAX);
	c->in = malloc(CHANNEL_CT_MAX);
	return ((c->stdin_buf && c->record && c->out && c->in) ? 0 : -1);
}

/* Wipe and free the buffers and keys of ${c}. */
static void
chat_free(struct chat *c)
{

	client_ui_free(c->ui);
	if (c->record != NULL)
		sodium_memzero(c->record, CHANNEL_RECORD_MAX);
	if (c->stdin_buf != NULL)
		sodium_memzero(c->stdin_buf, STDIN_BUF);
	free(c->stdin_buf);
	free(c->record);
	free(c->out);
	free(c->in);
	channel_dir_wipe(&c->tx);
	channel_dir_wipe(&c->rx);
	proto_session_wipe(&c->keys);
}

/*
 * Connect to the server, run the handshake and connect to the data port
 * of the session, into ${c}.  A CLIENT_EXIT_* status; *${asked} is set if
 * the user was asked whether to trust the server's key.
 */
static int
open_session(struct chat *c, int *asked)
{
	char err[NET_ERR_LEN];
	int hs_fd, port, status;

	if ((hs_fd = net_connect(c->o->host, c->o->port, CONNECT_TIMEOUT_MS,
	    err)) == -1) {
		say("%s", err);
		return (CLIENT_EXIT_CONNECT);
	}
	if ((status = handshake(c->o, hs_fd, &c->keys, asked)) ==
	    CLIENT_EXIT_OK && (status = read_first(c->o, hs_fd, c, &port)) ==
	    CLIENT_EXIT_OK) {
		/* The session lives on the data port, at the same address. */
		if ((c->fd = net_connect_peer(hs_fd, port, CONNECT_TIMEOUT_MS,
		    err)) == -1) {
			say("%s", err);
			status = CLIENT_EXIT_CONNECT;
		}
	}
	close(hs_fd);
	return (status);
}

/**
 * client_run(o):
 * Connect to the server, run the handshake, check the server's key (the
 * pin, or known_hosts) before revealing ours, move to the data port, then
 * send each message read from stdin and print each message received, until
 * stdin ends and the server has answered our orderly close.  Returns a
 * CLIENT_EXIT_* status, with the reason printed on stderr.
 */
int
client_run(const struct client_opts *o)
{
	struct chat c;
	int status, asked = 0;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.fd = -1;
	if (chat_alloc(&c)) {
		say("%s", "out of memory");
		status = CLIENT_EXIT_ERROR;
		goto out;
	}

	/*
	 * The server may give up on the handshake while the user reads the
	 * fingerprint; once the key is trusted, one more try goes through.
	 */
	if ((status = open_session(&c, &asked)) == CLIENT_EXIT_CONNECT &&
	    asked) {
		say("%s", "connecting again, as the server did not wait for "
		    "the answer");
		asked = 0;
		status = open_session(&c, &asked);
	}
	if (status == CLIENT_EXIT_OK)
		status = converse(&c);

out:
	if (c.fd != -1)
		close(c.fd);
	chat_free(&c);
	return (status);
}
