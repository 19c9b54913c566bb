/*
 * The master process.
 *
 * Roles: the master owns the listening sockets, the server's long-term key
 * and the allowlist.  It runs every handshake itself, in one poll(2) loop,
 * with non-blocking sockets and a deadline per handshake, so a slow or
 * silent client costs it one small slot (struct hs_conn) and never stalls
 * the others.  The only network data it parses are the three fixed-size
 * handshake messages, through the proto functions (fuzzed, bounded).
 *
 * Only a handshake that proves an allowlisted key gets a process: the
 * master forks a session child, which wipes the long-term key and every
 * other handshake's state from its memory and runs session_run().  A
 * refused client is told so with an encrypted REFUSED record and closed.
 *
 * Signals only set flags and write a byte to a self-pipe that wakes the
 * loop; the loop reaps children and stops.  Later the loop grows more kinds
 * of descriptors (room relays over socketpairs to the children): each is
 * one more entry in the poll set built at the top of each iteration.
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

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

#include "allow.h"
#include "channel.h"
#include "children.h"
#include "conf.h"
#include "key.h"
#include "log.h"
#include "net.h"
#include "privsep.h"
#include "proto.h"
#include "session.h"
#include "source.h"
#include "master.h"

/* Where one handshake in progress stands. */
enum hs_state {
	HS_READ_HELLO,		/* reading the client's HELLO */
	HS_WRITE_REPLY,		/* sending our REPLY */
	HS_READ_AUTH,		/* reading the client's AUTH */
	HS_WRITE_LAST		/* sending an ERROR or REFUSED, then close */
};

/* One handshake in progress. */
struct hs_conn {
	int fd;
	enum hs_state state;
	int64_t deadline;
	struct proto_hs *hs;
	uint8_t in[PROTO_AUTH_LEN > PROTO_HELLO_LEN ? PROTO_AUTH_LEN :
	    PROTO_HELLO_LEN];
	size_t in_len, in_need;
	uint8_t out[PROTO_REPLY_LEN];
	size_t out_len, out_off;
	struct sockaddr_storage sa;	/* the client's address */
	char peer[NET_ADDRSTR_LEN];
	int settled;		/* ends without counting as a failure */
};

struct master {
	struct conf *conf;
	struct key_pair *id;
	const int *listeners;
	int nlisteners;
	struct hs_conn *conns;	/* cap slots */
	int cap;		/* the largest max_startups seen */
	int nconns;
	struct children *children;
	struct sources *sources;
	struct pollfd *pfds;
};

#define STOP_WAIT_MS	5000	/* for sessions to close at shutdown */

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_child;
static volatile sig_atomic_t got_reload;
static int wake_pipe[2] = { -1, -1 };
static sigset_t session_signals;	/* blocked across fork */

/* Note a signal and wake the loop. */
static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGCHLD)
		got_child = 1;
	else if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
	if (write(wake_pipe[1], "", 1) == -1) {
		/* Full already: the loop will wake. */
	}
	errno = saved;
}

/* Install the signal handlers and the self-pipe; 0 or -1. */
static int
signals_setup(void)
{
	struct sigaction sa;

	if (pipe(wake_pipe) || fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK) ||
	    fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK) ||
	    fcntl(wake_pipe[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(wake_pipe[1], F_SETFD, FD_CLOEXEC))
		return (-1);
	sigemptyset(&session_signals);
	sigaddset(&session_signals, SIGTERM);
	sigaddset(&session_signals, SIGINT);
	sigaddset(&session_signals, SIGUSR1);
	sigaddset(&session_signals, SIGUSR2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGCHLD, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGINT, &sa, NULL) || sigaction(SIGHUP, &sa, NULL))
		return (-1);
	sa.sa_handler = SIG_IGN;
	return (sigaction(SIGPIPE, &sa, NULL));
}

/* Drop handshake ${i}: wipe its state and close its socket. */
static void
conn_drop(struct master *m, int i)
{
	struct hs_conn *c = &m->conns[i];

	proto_hs_free(c->hs);
	close(c->fd);
	sodium_memzero(c, sizeof(*c));

	/* Keep the live slots packed at the front. */
	if (i != m->nconns - 1)
		memcpy(c, &m->conns[m->nconns - 1], sizeof(*c));
	sodium_memzero(&m->conns[m->nconns - 1], sizeof(*c));
	m->nconns--;
}

/* Queue ${len} bytes of ${buf} as the last thing sent on handshake ${c}. */
static void
conn_send_last(struct hs_conn *c, const uint8_t *buf, size_t len)
{

	memcpy(c->out, buf, len);
	c->out_len = len;
	c->out_off = 0;
	c->state = HS_WRITE_LAST;
}

/* Queue an ERROR message with ${code} for handshake ${c}. */
static void
conn_send_error(struct hs_conn *c, int code)
{
	uint8_t msg[PROTO_ERROR_LEN];

	proto_error_message(code, msg);
	conn_send_last(c, msg, sizeof(msg));
}

/* Count a failed handshake from ${c}, and say so if it earns a penalty. */
static void
note_failure(struct master *m, const struct hs_conn *c)
{

	if (sources_failed(m->sources, (const struct sockaddr *)&c->sa,
	    net_now_ms(), m->conf->penalty_failures,
	    m->conf->penalty_duration))
		log_auth_warn("penalising %s for %d s: %d failed handshakes "
		    "in a row", c->peer, m->conf->penalty_duration,
		    m->conf->penalty_failures);
}

/* Return the handshakes in progress from the address of ${sa}. */
static int
startups_from(const struct master *m, const struct sockaddr *sa)
{
	int i, n = 0;

	for (i = 0; i < m->nconns; i++)
		n += source_same((const struct sockaddr *)&m->conns[i].sa, sa);
	return (n);
}

/* Refuse a new connection ${fd} from ${peer} over a limit: say busy. */
static void
refuse_busy(int fd)
{
	uint8_t busy[PROTO_ERROR_LEN];

	/* Only if the socket takes it at once: we never wait for a refusal. */
	proto_error_message(PROTO_ERRCODE_BUSY, busy);
	(void)send(fd, busy, sizeof(busy), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Return 0 if the connection from ${sa} may start a handshake, else -1. */
static int
admit(struct master *m, int fd, const struct sockaddr *sa, const char *peer)
{

	/* A penalised source is refused without a word, and without a log
	 * line each time: the penalty was logged when it began. */
	if (sources_penalised(m->sources, sa, net_now_ms())) {
		log_debug("connection from %s refused: penalised", peer);
		close(fd);
		return (-1);
	}
	if (m->nconns >= m->conf->max_startups) {
		log_warn("connection from %s refused: max_startups (%d) "
		    "handshakes in progress", peer, m->conf->max_startups);
		refuse_busy(fd);
		return (-1);
	}
	if (startups_from(m, sa) >= m->conf->per_source_startups) {
		log_warn("connection from %s refused: per_source_startups "
		    "(%d) handshakes in progress from it", peer,
		    m->conf->per_source_startups);
		refuse_busy(fd);
		return (-1);
	}
	return (0);
}

/* Accept a connection on ${lfd} and give it a handshake slot. */
static void
accept_one(struct master *m, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char peer[NET_ADDRSTR_LEN];
	struct hs_conn *c;
	int fd;

	fd = net_accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	net_addr_str((struct sockaddr *)&ss, peer);
	if (admit(m, fd, (struct sockaddr *)&ss, peer))
		return;
	c = &m->conns[m->nconns];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	memcpy(&c->sa, &ss, sizeof(ss));
	memcpy(c->peer, peer, sizeof(peer));
	c->deadline = net_now_ms() + 1000 * (int64_t)m->conf->handshake_timeout;
	c->state = HS_READ_HELLO;
	c->in_need = PROTO_HDR_LEN;
	if ((c->hs = proto_server_new(m->id)) == NULL) {
		log_error("out of memory for a handshake from %s", peer);
		close(fd);
		return;
	}
	m->nconns++;
	log_debug("connection from %s", peer);
}

/* Close everything a session child must not keep, and run the session. */
static void
child_main(struct master *m, int i, struct proto_session *keys,
    const struct allow_entry *e, const char *fp)
{
	struct session_params p;
	struct sigaction sa;
	struct allow_entry entry = *e;
	int j, fd = m->conns[i].fd;
	char peer[NET_ADDRSTR_LEN];

	/* The long-term secret and other clients' handshakes: gone. */
	privsep_forget(m->id, key_pair_free);
	m->id = NULL;
	memcpy(peer, m->conns[i].peer, sizeof(peer));
	for (j = 0; j < m->nconns; j++) {
		proto_hs_free(m->conns[j].hs);
		if (j != i)
			close(m->conns[j].fd);
		sodium_memzero(&m->conns[j], sizeof(m->conns[j]));
	}
	for (j = 0; j < m->nlisteners; j++)
		close(m->listeners[j]);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	children_free(m->children);
	sources_free(m->sources);
	m->children = NULL;
	m->sources = NULL;

	/* Contained (user, chroot, limits), or not at all. */
	if (privsep_enter(m->conf, keys))
		exit(1);

	/* Default dispositions; session_run sets its own, SIGPIPE ignored. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	memset(&p, 0, sizeof(p));
	p.hs_fd = fd;
	p.keys = keys;
	p.conf = m->conf;
	p.name = entry.name;
	p.fingerprint = fp;
	p.peer = peer;
	exit(session_run(&p));
}

/* Queue an encrypted REFUSED record with ${reason} for handshake ${c}. */
static void
conn_refuse(struct hs_conn *c, struct proto_session *keys, int reason)
{
	struct channel_dir tx;
	uint8_t buf[CHANNEL_HEADER_LEN + CHANNEL_LEN_LEN + CHANNEL_ABYTES + 2];
	uint8_t record[2] = { CHANNEL_T_REFUSED, (uint8_t)reason };
	size_t len;

	channel_tx_start(&tx, keys->tx_key, buf);
	if (channel_seal(&tx, record, sizeof(record), 1,
	    buf + CHANNEL_HEADER_LEN, &len) == CHANNEL_OK)
		conn_send_last(c, buf, CHANNEL_HEADER_LEN + len);
	channel_dir_wipe(&tx);
}

/*
 * Decide whether the key ${keys}->peer (fingerprint ${fp}) may have a
 * session now: return its entry, or NULL with the refusal reason in
 * ${reason} and a log line.  Only a key that proved itself gets here, and
 * only an allowed key learns more than "not allowed".
 */
static const struct allow_entry *
policy_check(struct master *m, struct hs_conn *c, const uint8_t pub[32],
    const char *fp, int *reason)
{
	const struct allow_entry *e;
	const char *why;

	if ((e = allow_find(m->conf->allow, pub)) == NULL) {
		*reason = CHANNEL_REFUSE_NOT_ALLOWED;
		why = "not on the allowlist";
	} else if (e->expires != 0 && (int64_t)time(NULL) >= e->expires) {
		*reason = CHANNEL_REFUSE_EXPIRED;
		why = "key expired";
	} else if (!allow_from_ok(e, (struct sockaddr *)&c->sa)) {
		*reason = CHANNEL_REFUSE_SOURCE;
		why = "source address not allowed for the key";
	} else if (e->max_sessions != 0 &&
	    children_count_key(m->children, pub) >= e->max_sessions) {
		*reason = CHANNEL_REFUSE_KEY_LIMIT;
		why = "the key's max_sessions reached";
	} else if (children_count(m->children) >= m->conf->max_sessions) {
		*reason = CHANNEL_REFUSE_BUSY;
		why = "max_sessions reached";
	} else
		return (e);
	log_auth_warn("refused %s (%s) from %s: %s", e ? e->name : "unknown key",
	    fp, c->peer, why);
	return (NULL);
}

/* The handshake ${i} is done: fork a session or refuse.  0 keeps it. */
static int
conn_finish(struct master *m, int i)
{
	struct hs_conn *c = &m->conns[i];
	const struct allow_entry *e;
	struct proto_session keys;
	char fp[KEY_FP_LEN];
	sigset_t saved;
	int reason;
	pid_t pid;

	if (proto_hs_session(c->hs, &keys) != PROTO_OK)
		return (-1);
	key_fingerprint(keys.peer, fp);

	/* The allowlist decides, before any process is spent. */
	if ((e = policy_check(m, c, keys.peer, fp, &reason)) == NULL) {
		/* Being busy is not the client's failure. */
		c->settled = (reason == CHANNEL_REFUSE_BUSY);
		conn_refuse(c, &keys, reason);
		goto keep;
	}
	/* Signals wait until the child has its own handlers (session_run). */
	sigprocmask(SIG_BLOCK, &session_signals, &saved);
	if ((pid = fork()) == -1) {
		log_error("fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &saved, NULL);
		c->settled = 1;
		conn_refuse(c, &keys, CHANNEL_REFUSE_INTERNAL);
		goto keep;
	}
	if (pid == 0)
		child_main(m, i, &keys, e, fp);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (children_add(m->children, pid, keys.peer, e->name,
	    (struct sockaddr *)&c->sa, e->expires))
		log_error("out of memory: session pid %ld not tracked",
		    (long)pid);
	log_auth_info("accepted %s (%s) from %s: session pid %ld", e->name,
	    fp, c->peer, (long)pid);
	c->settled = 1;
	proto_session_wipe(&keys);
	return (-1);

keep:
	proto_session_wipe(&keys);
	return (0);
}

/* Check the header of the message being read, or queue an ERROR.  0. */
static int
conn_header(struct hs_conn *c, int type, size_t body)
{
	int r;

	if ((r = proto_check_header(c->in, type, body)) == PROTO_OK) {
		c->in_need = PROTO_HDR_LEN + body;
		return (0);
	}
	log_warn("handshake from %s failed: %s", c->peer, proto_strerror(r));
	conn_send_error(c, r == PROTO_E_VERSION ? PROTO_ERRCODE_VERSION :
	    PROTO_ERRCODE_MALFORMED);
	return (0);
}

/* A whole message is in: take the next handshake step.  0 keeps ${i}. */
static int
conn_message(struct master *m, int i)
{
	struct hs_conn *c = &m->conns[i];
	int r;

	if (c->state == HS_READ_HELLO && c->in_len == PROTO_HDR_LEN)
		return (conn_header(c, PROTO_T_HELLO, PROTO_HELLO_BODY));
	if (c->state == HS_READ_AUTH && c->in_len == PROTO_HDR_LEN)
		return (conn_header(c, PROTO_T_AUTH, PROTO_AUTH_BODY));
	if (c->state == HS_READ_HELLO) {
		r = proto_server_reply(c->hs, c->in, c->out);
		privsep_scrub_stack();
		if (r != PROTO_OK)
			goto fail;
		c->out_len = PROTO_REPLY_LEN;
		c->out_off = 0;
		c->state = HS_WRITE_REPLY;
		return (0);
	}
	r = proto_server_read_auth(c->hs, c->in);
	privsep_scrub_stack();
	if (r != PROTO_OK)
		goto fail;

	/* The session keys were derived there: no trace for the next child. */
	r = conn_finish(m, i);
	privsep_scrub_stack();
	return (r);

fail:
	log_warn("handshake from %s failed: %s", c->peer, proto_strerror(r));
	return (-1);
}

/* Read what handshake ${i} has for us.  Returns 0 to keep it, -1 to drop. */
static int
conn_read(struct master *m, int i)
{
	struct hs_conn *c = &m->conns[i];
	ssize_t n;

	n = read(c->fd, c->in + c->in_len, c->in_need - c->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n == -1) {
		log_info("connection from %s lost during the handshake: %s",
		    c->peer, strerror(errno));
		return (-1);
	}
	if (n == 0) {
		log_info("connection from %s closed during the handshake",
		    c->peer);
		return (-1);
	}
	c->in_len += (size_t)n;
	if (c->in_len < c->in_need)
		return (0);
	return (conn_message(m, i));
}

/* Send what handshake ${i} has queued.  Returns 0 to keep it, -1 to drop. */
static int
conn_write(struct master *m, int i)
{
	struct hs_conn *c = &m->conns[i];
	ssize_t n;

	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
	    MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n == -1) {
		log_info("connection from %s lost during the handshake: %s",
		    c->peer, strerror(errno));
		return (-1);
	}
	c->out_off += (size_t)n;
	if (c->out_off < c->out_len)
		return (0);
	if (c->state == HS_WRITE_LAST)
		return (-1);

	/* REPLY sent: wait for the AUTH. */
	sodium_memzero(c->in, sizeof(c->in));
	c->in_len = 0;
	c->in_need = PROTO_HDR_LEN;
	c->state = HS_READ_AUTH;
	return (0);
}

/* Reap every child that has exited, logging how. */
static void
reap_children(struct master *m)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		children_remove(m->children, pid);
		if (WIFSIGNALED(st))
			log_warn("session pid %ld killed by signal %d",
			    (long)pid, WTERMSIG(st));
		else
			log_info("session pid %ld exited with status %d",
			    (long)pid, WEXITSTATUS(st));
	}
}

/* Build the poll set; returns the poll timeout in ms (-1: none). */
static int
build_pollset(struct master *m, int64_t now)
{
	int64_t next = -1;
	int i, n = 0;

	m->pfds[n].fd = wake_pipe[0];
	m->pfds[n++].events = POLLIN;
	for (i = 0; i < m->nlisteners; i++) {
		m->pfds[n].fd = m->listeners[i];
		m->pfds[n++].events = POLLIN;
	}
	for (i = 0; i < m->nconns; i++) {
		m->pfds[n].fd = m->conns[i].fd;
		m->pfds[n++].events = (m->conns[i].state == HS_WRITE_REPLY ||
		    m->conns[i].state == HS_WRITE_LAST) ? POLLOUT : POLLIN;
		if (next == -1 || m->conns[i].deadline < next)
			next = m->conns[i].deadline;
	}
	for (i = 0; i < n; i++)
		m->pfds[i].revents = 0;
	if (next == -1)
		return (-1);
	return (next <= now ? 0 : (int)(next - now));
}

/* Tell the sessions whose key expired; ${timeout} bounded by the next. */
static int
expire_sessions(struct master *m, int timeout)
{
	int64_t now = (int64_t)time(NULL);
	int64_t next = children_expire(m->children, now), ms;

	if (next == 0)
		return (timeout);
	ms = (next - now) * 1000;
	if (ms > 0x7fffffff)
		ms = 0x7fffffff;
	return ((timeout < 0 || ms < timeout) ? (int)ms : timeout);
}

/* Serve the handshakes that poll found ready, and expire late ones. */
static void
serve_conns(struct master *m, int nbuilt, int64_t now)
{
	struct pollfd *pfd;
	int i, keep;

	/* Downwards: a dropped slot is refilled from a higher index. */
	for (i = nbuilt - 1; i >= 0; i--) {
		pfd = &m->pfds[1 + m->nlisteners + i];
		keep = 0;
		if (m->conns[i].deadline <= now) {
			/* Late, however busy: a trickle does not extend it. */
			log_warn("handshake from %s timed out",
			    m->conns[i].peer);
			keep = -1;
		} else if (pfd->revents & (POLLIN | POLLHUP | POLLERR))
			keep = (m->conns[i].state == HS_WRITE_REPLY ||
			    m->conns[i].state == HS_WRITE_LAST) ?
			    conn_write(m, i) : conn_read(m, i);
		else if (pfd->revents & POLLOUT)
			keep = conn_write(m, i);
		if (keep != 0) {
			/* Every way a handshake ends but a session or a busy
			 * server counts against its source. */
			if (!m->conns[i].settled)
				note_failure(m, &m->conns[i]);
			conn_drop(m, i);
		}
	}
}

/* Accept what is waiting on the listeners poll found ready. */
static void
serve_listeners(struct master *m)
{
	int i, k;

	for (i = 0; i < m->nlisteners; i++) {
		if (!(m->pfds[1 + i].revents & POLLIN))
			continue;
		/* A bounded batch, so that handshakes are served too. */
		for (k = 0; k < 16; k++)
			accept_one(m, m->listeners[i]);
	}
}

/* Make room for ${n} handshakes in progress; 0, or -1 if out of memory. */
static int
grow_slots(struct master *m, int n)
{
	struct hs_conn *conns;
	struct pollfd *pfds;

	if (n <= m->cap)
		return (0);
	conns = realloc(m->conns, (size_t)n * sizeof(*conns));
	if (conns == NULL)
		return (-1);
	m->conns = conns;
	pfds = realloc(m->pfds, (size_t)(1 + m->nlisteners + n) *
	    sizeof(*pfds));
	if (pfds == NULL)
		return (-1);
	m->pfds = pfds;
	m->cap = n;
	return (0);
}

/* Say so if ${what} changed between ${a} and ${b}: it needs a restart. */
static void
warn_restart(const char *what, const char *a, const char *b)
{

	if (strcmp(a, b) != 0)
		log_warn("reload: %s changed from %s to %s; that takes a "
		    "restart, the old value stays in force", what, a, b);
}

/*
 * SIGHUP: read the configuration again.  New handshakes use the new
 * allowlist, limits and timeouts; the address, port and key pair stay as
 * they are until a restart.  A configuration with errors changes nothing.
 */
static void
reload(struct master *m)
{
	struct conf *c;
	char err[CONF_ERR_LEN], perr[PRIVSEP_ERR_LEN], a[16], b[16];
	int i;

	if ((c = conf_load(m->conf->path, err)) == NULL ||
	    privsep_check(c, perr)) {
		log_error("reload failed, the running configuration stays: %s%s%s",
		    c == NULL ? err : c->path, c == NULL ? "" : ": ",
		    c == NULL ? "" : perr);
		conf_free(c);
		return;
	}
	if (grow_slots(m, c->max_startups)) {
		log_error("reload failed: out of memory");
		conf_free(c);
		return;
	}
	for (i = 0; i < c->nlisten || i < m->conf->nlisten; i++)
		warn_restart("listen", i < m->conf->nlisten ?
		    m->conf->listen[i] : "(none)", i < c->nlisten ?
		    c->listen[i] : "(none)");
	snprintf(a, sizeof(a), "%d", m->conf->port);
	snprintf(b, sizeof(b), "%d", c->port);
	warn_restart("port", a, b);
	warn_restart("secret_key", m->conf->secret_key, c->secret_key);
	warn_restart("public_key", m->conf->public_key, c->public_key);
	warn_restart("pid_file", m->conf->pid_file ? m->conf->pid_file : "",
	    c->pid_file ? c->pid_file : "");
	log_set(c->log_level, c->log_facility);
	conf_free(m->conf);
	m->conf = c;
	log_info("reloaded %s: %zu allowed keys", c->path,
	    allow_count(c->allow));

	/* Live revocation: sessions of keys no longer allowed end now. */
	children_revoke(m->children, c->allow, (int64_t)time(NULL));
}

/*
 * Stop: no more handshakes; every session is told to close in order
 * (SIGTERM), and waited for up to STOP_WAIT_MS, after which stragglers are
 * killed.  No child is left behind.
 */
static void
stop_all(struct master *m)
{
	int64_t deadline = net_now_ms() + STOP_WAIT_MS;
	struct pollfd pfd = { .fd = wake_pipe[0], .events = POLLIN };
	char drain[64];
	int i, n = children_count(m->children);
	pid_t pid;

	log_info("stopping: %d handshakes dropped, %d sessions to close",
	    m->nconns, n);
	for (i = 0; i < m->nlisteners; i++)
		close(m->listeners[i]);
	while (m->nconns > 0)
		conn_drop(m, m->nconns - 1);
	children_signal(m->children, SIGTERM);
	while (children_count(m->children) > 0 && net_now_ms() < deadline) {
		(void)poll(&pfd, 1, 100);
		while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
			continue;
		reap_children(m);
	}
	if (children_count(m->children) > 0) {
		log_warn("%d sessions did not close in time: killed",
		    children_count(m->children));
		children_signal(m->children, SIGKILL);
		while (children_count(m->children) > 0 &&
		    (pid = waitpid(-1, NULL, 0)) > 0)
			children_remove(m->children, pid);
	}
	log_info("stopped: %d sessions closed", n);
}

/* Free what master_run allocated. */
static void
master_free(struct master *m)
{

	free(m->conns);
	free(m->pfds);
	children_free(m->children);
	sources_free(m->sources);
	conf_free(m->conf);
}

/**
 * master_run(conf, id, listeners, nlisteners):
 * Serve the handshake port: accept on the ${nlisteners} listening sockets
 * ${listeners}, run handshakes without blocking (each with a deadline),
 * check each client's key against the allowlist of ${conf}, and fork one
 * session child per accepted handshake.  ${id} is the server's key pair.
 * SIGHUP reloads the configuration from the file it came from and ends
 * the sessions of keys it no longer allows.  SIGTERM or SIGINT stops: the
 * listeners are closed and every session is closed in order.  Takes
 * ownership of ${conf} and of the listening sockets, and frees them.
 * Returns the process exit status.
 */
int
master_run(struct conf *conf, struct key_pair *id, const int *listeners,
    int nlisteners)
{
	struct master m;
	char drain[64];
	int timeout, nbuilt;

	memset(&m, 0, sizeof(m));
	m.conf = conf;
	m.id = id;
	m.listeners = listeners;
	m.nlisteners = nlisteners;
	m.children = children_new();
	m.sources = sources_new();
	if (m.children == NULL || m.sources == NULL ||
	    grow_slots(&m, conf->max_startups) || signals_setup()) {
		log_error("cannot set up the server: %s", strerror(errno));
		goto err;
	}

	while (!got_stop) {
		timeout = expire_sessions(&m, build_pollset(&m, net_now_ms()));
		nbuilt = m.nconns;
		if (poll(m.pfds, (nfds_t)(1 + nlisteners + nbuilt),
		    timeout) == -1 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			goto err;
		}
		while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
			continue;
		if (got_child) {
			got_child = 0;
			reap_children(&m);
		}
		if (got_reload) {
			got_reload = 0;
			reload(&m);
		}
		serve_conns(&m, nbuilt, net_now_ms());
		serve_listeners(&m);
	}
	stop_all(&m);
	master_free(&m);
	return (0);

err:
	master_free(&m);
	return (1);
}
