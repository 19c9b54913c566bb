/*
 * A session child.  It is forked by the master after an accepted
 * handshake, holds only this session's keys (the master's long-term secret
 * was wiped before session_run), and exits at the end of the conversation
 * or at the first protocol error: one client's trouble never reaches the
 * master or another session.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "conf.h"
#include "log.h"
#include "net.h"
#include "privsep.h"
#include "proto.h"
#include "session.h"

#define MAX_CANDIDATES	8	/* data connections proving at once */
#define LINGER_MS	2000	/* to drain the client after our CLOSE */
#define IN_BUF		(2 * CHANNEL_FRAME_MAX)	/* room for a frame and more */

static volatile sig_atomic_t got_term;		/* SIGTERM, SIGINT */
static volatile sig_atomic_t got_revoke;	/* SIGUSR1 */
static volatile sig_atomic_t got_expired;	/* SIGUSR2 */
static int sig_pipe[2] = { -1, -1 };

/* One connection to the data port that has not proved the session yet. */
struct candidate {
	int fd;
	uint8_t hello[PROTO_DATA_HELLO_LEN];
	size_t got;
	char peer[NET_ADDRSTR_LEN];
};

/* The state of the conversation. */
struct session {
	struct session_params *p;
	struct channel_dir tx, rx;
	int fd;
	uint8_t *in;		/* frames received, IN_BUF bytes */
	size_t in_start, in_end;	/* what is not consumed yet */
	uint8_t *record;	/* a decrypted record */
	uint8_t *out;		/* a frame to send */
	uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
	int64_t started;
};

/* Note a signal from the master and wake the loop. */
static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGUSR1)
		got_revoke = 1;
	else if (sig == SIGUSR2)
		got_expired = 1;
	else
		got_term = 1;
	if (write(sig_pipe[1], "", 1) == -1) {
		/* Full already: the loop will wake. */
	}
	errno = saved;
}

/* Catch SIGTERM, SIGINT, SIGUSR1 and SIGUSR2 through a self-pipe; 0/-1. */
static int
signals_setup(void)
{
	struct sigaction sa;
	sigset_t set;

	if (pipe(sig_pipe) || fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK) ||
	    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK))
		return (-1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR2, &sa, NULL))
		return (-1);

	/* The master blocked them across fork: what came since, comes now. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	return (sigprocmask(SIG_UNBLOCK, &set, NULL));
}

/* Send ${record} as the first encrypted record, on the handshake
 * connection; 0 or -1. */
static int
send_first(struct session *s, const uint8_t *record, size_t len, int final)
{
	uint8_t buf[CHANNEL_HEADER_LEN + CHANNEL_LEN_LEN + CHANNEL_ABYTES + 3];
	size_t frame_len;
	int64_t deadline;

	channel_tx_start(&s->tx, s->p->keys->tx_key, buf);
	if (channel_seal(&s->tx, record, len, final,
	    buf + CHANNEL_HEADER_LEN, &frame_len) != CHANNEL_OK)
		return (-1);
	deadline = net_now_ms() + 1000 * (int64_t)s->p->conf->handshake_timeout;
	if (net_write_full(s->p->hs_fd, buf, CHANNEL_HEADER_LEN + frame_len,
	    deadline)) {
		log_warn("session %s: cannot send to %s: %s", s->p->name,
		    s->p->peer, strerror(errno));
		return (-1);
	}
	return (0);
}

/* Send the data ${port} as the first encrypted record; 0 or -1. */
static int
send_port(struct session *s, int port)
{
	uint8_t record[3];

	record[0] = CHANNEL_T_PORT;
	record[1] = (uint8_t)(port >> 8);
	record[2] = (uint8_t)(port & 0xff);
	return (send_first(s, record, sizeof(record), 0));
}

/* Read from candidate ${c}; 1 if it proved the session, 0 to wait, -1 bad. */
static int
candidate_read(struct session *s, struct candidate *c)
{
	uint8_t stream_header[PROTO_STREAM_HDR_LEN];
	size_t need;
	ssize_t n;
	int r;

	need = (c->got < PROTO_HDR_LEN) ? PROTO_HDR_LEN : sizeof(c->hello);
	n = read(c->fd, c->hello + c->got, need - c->got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n <= 0) {
		log_warn("session %s: data connection from %s ended before "
		    "proving the session%s%s", s->p->name, c->peer,
		    n == 0 ? "" : ": ", n == 0 ? "" : strerror(errno));
		return (-1);
	}
	c->got += (size_t)n;
	if (c->got == PROTO_HDR_LEN) {
		/* Refuse a stranger after 8 bytes, without crypto. */
		r = proto_check_header(c->hello, PROTO_T_DATA_HELLO,
		    PROTO_DATA_HELLO_BODY);
		goto check;
	}
	if (c->got < sizeof(c->hello))
		return (0);
	r = proto_data_check(s->p->keys, c->hello, stream_header);
	if (r == PROTO_OK &&
	    channel_rx_start(&s->rx, s->p->keys->rx_key, stream_header))
		r = PROTO_E_CRYPTO;
	sodium_memzero(stream_header, sizeof(stream_header));
	if (r == PROTO_OK)
		return (1);
check:
	if (r == PROTO_OK)
		return (0);
	log_warn("session %s: data connection from %s refused: %s",
	    s->p->name, c->peer, proto_strerror(r));
	return (-1);
}

/* Accept a connection on ${lfd} into a candidate slot. */
static void
candidate_accept(struct session *s, int lfd, struct candidate *cand,
    int *ncand)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = net_accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd == -1)
		return;

	/* Full: the oldest stranger makes room. */
	if (*ncand == MAX_CANDIDATES) {
		log_warn("session %s: dropping data connection from %s: "
		    "too many unproven", s->p->name, cand[0].peer);
		close(cand[0].fd);
		memmove(&cand[0], &cand[1], sizeof(cand[0]) * (*ncand - 1));
		(*ncand)--;
	}
	memset(&cand[*ncand], 0, sizeof(cand[0]));
	cand[*ncand].fd = fd;
	net_addr_str((struct sockaddr *)&ss, cand[*ncand].peer);
	(*ncand)++;
}

/* Serve the candidates poll found ready; returns the winner's fd or -1. */
static int
candidates_serve(struct session *s, struct pollfd *pfds,
    struct candidate *cand, int *ncand)
{
	int i, r, fd = -1;

	for (i = *ncand - 1; i >= 0 && fd == -1; i--) {
		if (!(pfds[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((r = candidate_read(s, &cand[i])) == 0)
			continue;
		if (r == 1) {
			fd = cand[i].fd;
			log_info("session %s: client connected to the data "
			    "port from %s", s->p->name, cand[i].peer);
		} else
			close(cand[i].fd);
		memmove(&cand[i], &cand[i + 1],
		    sizeof(cand[0]) * (size_t)(*ncand - i - 1));
		(*ncand)--;
	}
	return (fd);
}

/*
 * Wait on the listener ${lfd}, until the data-accept deadline, for the
 * connection that proves this session; strangers are refused while the
 * wait goes on.  Returns the client's socket (blocking), or -1.
 */
static int
await_client(struct session *s, int lfd)
{
	struct candidate cand[MAX_CANDIDATES];
	struct pollfd pfds[1 + MAX_CANDIDATES];
	int64_t deadline, left;
	int i, ncand = 0, fd = -1;

	deadline = net_now_ms() +
	    1000 * (int64_t)s->p->conf->data_accept_timeout;
	while (fd == -1 && !got_term && !got_revoke && !got_expired &&
	    (left = deadline - net_now_ms()) > 0) {
		pfds[0].fd = lfd;
		pfds[0].events = POLLIN;
		for (i = 0; i < ncand; i++) {
			pfds[1 + i].fd = cand[i].fd;
			pfds[1 + i].events = POLLIN;
		}
		if (poll(pfds, (nfds_t)(1 + ncand), (int)left) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		fd = candidates_serve(s, pfds, cand, &ncand);
		if (fd == -1 && (pfds[0].revents & POLLIN))
			candidate_accept(s, lfd, cand, &ncand);
	}
	for (i = 0; i < ncand; i++)
		close(cand[i].fd);
	if (fd == -1 && (got_term || got_revoke || got_expired))
		log_info("session %s: ended before the client came to the "
		    "data port (%s)", s->p->name, got_term ? "server stopping" :
		    got_revoke ? "access revoked" : "key expired");
	else if (fd == -1)
		log_warn("session %s: client %s did not come to the data port "
		    "within %d s", s->p->name, s->p->peer,
		    s->p->conf->data_accept_timeout);
	else if (net_set_nonblock(fd, 0)) {
		close(fd);
		fd = -1;
	}
	return (fd);
}

/* Seal ${record} and send it to the client; 0 or -1. */
static int
send_record(struct session *s, const uint8_t *record, size_t len, int final)
{
	int64_t deadline;
	size_t out_len;
	int r;

	if ((r = channel_seal(&s->tx, record, len, final, s->out, &out_len))) {
		log_error("session %s: %s", s->p->name, channel_strerror(r));
		return (-1);
	}
	deadline = net_now_ms() + 1000 * (int64_t)s->p->conf->idle_timeout;
	if (net_write_full(s->fd, s->out, out_len, deadline)) {
		log_warn("session %s: cannot send to %s: %s", s->p->name,
		    s->p->peer, strerror(errno));
		return (-1);
	}
	if (record[0] == CHANNEL_T_MSG) {
		s->msgs_out++;
		s->bytes_out += len - 1;
	}
	return (0);
}

/* Send an orderly close carrying ${reason}; 0 or -1. */
static int
send_close(struct session *s, const char *reason)
{
	uint8_t record[1 + CHANNEL_CLOSE_REASON_MAX];
	size_t len = strlen(reason);

	if (len > CHANNEL_CLOSE_REASON_MAX)
		len = CHANNEL_CLOSE_REASON_MAX;
	record[0] = CHANNEL_T_CLOSE;
	memcpy(record + 1, reason, len);
	return (send_record(s, record, 1 + len, 1));
}

/*
 * Wait until the client sends something.  Returns NULL then, or the reason
 * the session must end first: a signal from the master (stop, revocation,
 * expiry) or the idle timeout.
 */
static const char *
wait_input(struct session *s, int64_t idle_deadline)
{
	struct pollfd pfds[2];
	int64_t now, deadline;
	char drain[16];

	pfds[0].fd = s->fd;
	pfds[1].fd = sig_pipe[0];
	pfds[0].events = pfds[1].events = POLLIN;
	for (;;) {
		if (got_term)
			return ("server shutting down");
		if (got_revoke)
			return ("access revoked");
		if (got_expired)
			return ("key expired");
		/* Bytes received already need no wait. */
		if (s->in_end > s->in_start)
			return (NULL);
		now = net_now_ms();
		if (now >= idle_deadline)
			return ("idle timeout");
		deadline = idle_deadline;
		pfds[0].revents = pfds[1].revents = 0;
		if (poll(pfds, 2, (int)(deadline - now)) == -1 &&
		    errno != EINTR)
			return ("poll failed");
		if (pfds[0].revents)
			return (NULL);
		while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
			continue;
	}
}

/*
 * Receive more into s->in, as much as the socket has and the buffer takes,
 * before ${deadline}.  Returns 0, 1 on EOF, or -1 (errno set).
 */
static int
receive(struct session *s, int64_t deadline)
{
	ssize_t n;

	/* Keep room for a whole frame after what is not consumed. */
	if (IN_BUF - s->in_start < CHANNEL_FRAME_MAX) {
		memmove(s->in, s->in + s->in_start, s->in_end - s->in_start);
		s->in_end -= s->in_start;
		s->in_start = 0;
	}
	n = net_read_some(s->fd, s->in + s->in_end, IN_BUF - s->in_end,
	    deadline);
	if (n <= 0)
		return (n == 0 ? 1 : -1);
	s->in_end += (size_t)n;
	return (0);
}

/*
 * Make ${need} bytes available at s->in + s->in_start.  Returns 0, 1 on
 * EOF before any of them, or -1 (errno set; EPIPE for EOF within).
 */
static int
have(struct session *s, size_t need, int64_t deadline)
{
	int r;

	while (s->in_end - s->in_start < need) {
		if ((r = receive(s, deadline)) == 1 &&
		    s->in_end == s->in_start)
			return (1);
		if (r == 1)
			errno = EPIPE;
		if (r != 0)
			return (-1);
	}
	return (0);
}

/*
 * Read the next frame, which has begun to arrive, into s->record.  Returns
 * its length, 0 on EOF at a frame boundary, or -1 with the problem logged.
 * One recv(2) usually brings a whole frame, or several.
 */
static ssize_t
read_record(struct session *s, int *final)
{
	int64_t deadline;
	size_t ct_len, len;
	int r;

	/* The rest of a frame must follow within the idle timeout. */
	deadline = net_now_ms() + 1000 * (int64_t)s->p->conf->idle_timeout;
	if ((r = have(s, CHANNEL_LEN_LEN, deadline)) == 1)
		return (0);
	if (r == -1)
		goto io;
	if ((r = channel_frame_length(s->in + s->in_start, &ct_len)) !=
	    CHANNEL_OK)
		goto proto;
	if (have(s, CHANNEL_LEN_LEN + ct_len, deadline))
		goto io;
	r = channel_open(&s->rx, s->in + s->in_start + CHANNEL_LEN_LEN, ct_len,
	    s->record, &len, final);
	s->in_start += CHANNEL_LEN_LEN + ct_len;
	if (s->in_start == s->in_end)
		s->in_start = s->in_end = 0;
	if (r != CHANNEL_OK)
		goto proto;
	return ((ssize_t)len);

io:
	log_warn("session %s: connection from %s lost: %s", s->p->name,
	    s->p->peer, errno == EPIPE ? "end of file within a frame" :
	    strerror(errno));
	return (-1);
proto:
	log_warn("session %s: protocol error from %s: %s", s->p->name,
	    s->p->peer, channel_strerror(r));
	return (-1);
}

/*
 * After our last record: stop sending, and read (and drop) what the client
 * still sends until it closes, for a moment at most, so that closing with
 * unread input does not reset the connection before our CLOSE is read.
 */
static void
linger(int fd)
{
	int64_t deadline = net_now_ms() + LINGER_MS;
	char buf[4096];

	(void)shutdown(fd, SHUT_WR);
	while (net_read_full(fd, buf, 1, deadline) == 0)
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
}

/* Handle the record just read (${len} bytes); NULL to go on, or why not. */
static const char *
handle_record(struct session *s, ssize_t len, int *status)
{

	if (s->record[0] == CHANNEL_T_CLOSE) {
		/* Every reply went before; our CLOSE goes last. */
		if (send_close(s, "") == 0)
			*status = 0;
		return ("client closed");
	}
	if (s->record[0] != CHANNEL_T_MSG) {
		log_warn("session %s: unexpected record type %d from %s",
		    s->p->name, s->record[0], s->p->peer);
		return ("error");
	}
	s->msgs_in++;
	s->bytes_in += (uint64_t)len - 1;

	/* Echo: the same record, sealed in our direction. */
	if (send_record(s, s->record, (size_t)len, 0))
		return ("error");
	return (NULL);
}

/* Run the conversation (echo mode) until it ends; the exit status. */
static int
converse(struct session *s)
{
	const char *why = NULL;
	int64_t idle_deadline;
	ssize_t len;
	int final, status = 1;

	while (why == NULL) {
		idle_deadline = net_now_ms() +
		    1000 * (int64_t)s->p->conf->idle_timeout;
		if ((why = wait_input(s, idle_deadline)) != NULL) {
			/* Ours to end: tell the client why, in order. */
			if (send_close(s, why) == 0)
				linger(s->fd);
			break;
		}
		if ((len = read_record(s, &final)) <= 0) {
			why = (len == 0) ? "client left without closing" :
			    "error";
			break;
		}
		why = handle_record(s, len, &status);
	}
	log_info("session %s from %s ended (%s) after %lld s: %llu messages "
	    "(%llu bytes) in, %llu messages (%llu bytes) out", s->p->name,
	    s->p->peer, why, (long long)((net_now_ms() - s->started) / 1000),
	    (unsigned long long)s->msgs_in, (unsigned long long)s->bytes_in,
	    (unsigned long long)s->msgs_out, (unsigned long long)s->bytes_out);
	return (status);
}

/* Allocate the frame buffers of ${s}; 0 or -1. */
static int
buffers_alloc(struct session *s)
{

	s->in = malloc(IN_BUF);
	s->record = malloc(CHANNEL_RECORD_MAX);
	s->out = malloc(CHANNEL_FRAME_MAX);
	if (s->in == NULL || s->record == NULL || s->out == NULL) {
		log_error("session %s: out of memory", s->p->name);
		return (-1);
	}
	return (0);
}

/* Wipe and free the frame buffers of ${s}. */
static void
buffers_free(struct session *s)
{

	if (s->record != NULL)
		sodium_memzero(s->record, CHANNEL_RECORD_MAX);
	free(s->in);
	free(s->record);
	free(s->out);
}

/**
 * session_run(p):
 * Run one session in a child process: open a data listener on a random
 * port of the configured range, send its number as the first encrypted
 * message over the handshake connection, wait (bounded) for the client to
 * connect and prove the session, then run the conversation until the
 * client closes, an error, or the idle timeout.  Returns the exit status
 * for the child: 0 after an orderly close, 1 otherwise.
 */
int
session_run(struct session_params *p)
{
	struct session s;
	char err[NET_ERR_LEN] = "no local address", local[NET_ADDRSTR_LEN];
	uint8_t refusal[2];
	int lfd, port, status = 1;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.fd = -1;
	s.started = net_now_ms();
	if (signals_setup() || buffers_alloc(&s))
		goto out;

	/* The data listener, on the address the client reached us at, then
	 * its port as the first record. */
	if (net_local_addr(p->hs_fd, local))
		lfd = -1;
	else
		lfd = net_listen_random(local, p->conf->data_port_min,
		    p->conf->data_port_max, &port, err);
	if (lfd == -1) {
		log_error("session %s: %s", p->name, err);
		refusal[0] = CHANNEL_T_REFUSED;
		refusal[1] = CHANNEL_REFUSE_BUSY;
		(void)send_first(&s, refusal, sizeof(refusal), 1);
		goto out;
	}
	log_debug("session %s: data port %d", p->name, port);
	if (send_port(&s, port) == 0)
		s.fd = await_client(&s, lfd);
	close(lfd);
	close(p->hs_fd);
	p->hs_fd = -1;

	/* The conversation, on the data connection alone. */
	if (s.fd != -1 && privsep_lockdown(&s, sizeof(s)))
		goto out;
	if (s.fd != -1)
		status = converse(&s);

out:
	if (s.fd != -1)
		close(s.fd);
	if (p->hs_fd != -1)
		close(p->hs_fd);
	buffers_free(&s);
	channel_dir_wipe(&s.tx);
	channel_dir_wipe(&s.rx);
	proto_session_wipe(p->keys);
	return (status);
}
