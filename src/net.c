#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "net.h"

/**
 * net_now_ms():
 * Return the monotonic clock in milliseconds.
 */
int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/**
 * net_set_nonblock(fd, on):
 * Make ${fd} non-blocking if ${on}, else blocking.  Returns 0 or -1.
 */
int
net_set_nonblock(int fd, int on)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
	return (fcntl(fd, F_SETFL, flags));
}

/* Fill ${ss} with the numeric address ${addr} and ${port}. */
static int
parse_addr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return (0);
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return (0);
	}
	return (-1);
}

/* Bind a listening socket to ${addr}:${port}; errno tells why not. */
static int
listen_on(const char *addr, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, saved;

	if (parse_addr(addr, port, &ss, &len)) {
		errno = EINVAL;
		return (-1);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1)
		return (-1);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog))
		goto err;
	return (fd);

err:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

/**
 * net_listen(addr, port, backlog, err):
 * Return a listening TCP socket bound to the numeric address ${addr} and
 * ${port} (0: the kernel's choice), close-on-exec and non-blocking, or -1
 * with a message in ${err} (NET_ERR_LEN bytes).
 */
int
net_listen(const char *addr, int port, int backlog, char err[NET_ERR_LEN])
{
	int fd;

	if ((fd = listen_on(addr, port, backlog)) == -1)
		snprintf(err, NET_ERR_LEN, "cannot listen on %s port %d: %s",
		    addr, port, strerror(errno));
	return (fd);
}

/**
 * net_listen_random(addr, low, high, port, err):
 * As net_listen, on a port picked at random in [${low}, ${high}] (both 0:
 * the kernel's choice), trying other random ports while they are in use.
 * Stores the port in ${port}.
 */
int
net_listen_random(const char *addr, int low, int high, int *port,
    char err[NET_ERR_LEN])
{
	uint32_t span = (uint32_t)(high - low) + 1;
	int fd, tries, p;

	/* Random picks, never sequential: a guessable port can be raced. */
	tries = span < 64 ? (int)span * 4 : 256;
	for (; tries > 0; tries--) {
		p = (low == 0) ? 0 : low + (int)randombytes_uniform(span);
		if ((fd = listen_on(addr, p, 4)) != -1) {
			*port = net_local_port(fd);
			return (fd);
		}
		if (errno != EADDRINUSE)
			break;
	}
	snprintf(err, NET_ERR_LEN, "no free data port in %d-%d on %s: %s",
	    low, high, addr, strerror(errno));
	return (-1);
}

/**
 * net_accept(lfd, sa, sa_len):
 * Accept a connection on the listening socket ${lfd}, storing the peer's
 * address in ${sa} (${sa_len} bytes in and out).  Returns the new socket,
 * non-blocking, close-on-exec, with TCP_NODELAY, or -1 with errno set.
 */
int
net_accept(int lfd, struct sockaddr *sa, socklen_t *sa_len)
{
	int fd, saved, one = 1;

	if ((fd = accept(lfd, sa, sa_len)) == -1)
		return (-1);

	/* Messages go out as they are written: no Nagle delay on replies. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 || net_set_nonblock(fd, 1)) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	return (fd);
}

/**
 * net_local_addr(fd, out):
 * Write the numeric local address of the socket ${fd} (no port) into ${out}
 * (NET_ADDRSTR_LEN bytes).  Returns 0 or -1.
 */
int
net_local_addr(int fd, char out[NET_ADDRSTR_LEN])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const void *addr;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return (-1);
	if (ss.ss_family == AF_INET)
		addr = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return (-1);
	return (inet_ntop(ss.ss_family, addr, out, NET_ADDRSTR_LEN) ? 0 : -1);
}

/**
 * net_local_port(fd):
 * Return the local port of the socket ${fd}, or -1.
 */
int
net_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return (-1);
	if (ss.ss_family == AF_INET)
		return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
	if (ss.ss_family == AF_INET6)
		return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	return (-1);
}

/* Wait until ${fd} has ${events} or ${deadline} passes; 0, or -1/errno. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int r;

	do {
		left = (deadline < 0) ? -1 : deadline - net_now_ms();
		if (deadline >= 0 && left <= 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		r = poll(&pfd, 1, (left > 0x7fffffff) ? 0x7fffffff : (int)left);
	} while (r == -1 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return (-1);
	}
	return (r < 0 ? -1 : 0);
}

/* Connect ${fd} to ${sa} within ${timeout_ms}; 0, or -1 with errno. */
static int
connect_timeout(int fd, const struct sockaddr *sa, socklen_t len,
    int timeout_ms)
{
	socklen_t elen = sizeof(int);
	int e = 0;

	if (net_set_nonblock(fd, 1))
		return (-1);
	if (connect(fd, sa, len) == -1) {
		if (errno != EINPROGRESS)
			return (-1);
		if (wait_fd(fd, POLLOUT, net_now_ms() + timeout_ms))
			return (-1);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen))
			return (-1);
		if (e != 0) {
			errno = e;
			return (-1);
		}
	}
	return (net_set_nonblock(fd, 0));
}

/* Open a socket for ${sa} and connect it; -1 with errno on failure. */
static int
connect_addr(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	int fd, one = 1, saved;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect_timeout(fd, sa, len, timeout_ms))
		goto err;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (fd);

err:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

/**
 * net_connect(host, port, timeout_ms, err):
 * Connect to ${host} (name or address) on ${port}, trying each address in
 * turn, each within ${timeout_ms}.  Returns a blocking, close-on-exec
 * socket with TCP_NODELAY, or -1 with a message in ${err}.
 */
int
net_connect(const char *host, int port, int timeout_ms,
    char err[NET_ERR_LEN])
{
	struct addrinfo hints, *res, *ai;
	char service[16];
	int fd = -1, r, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if ((r = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(err, NET_ERR_LEN, "cannot resolve %s: %s", host,
		    gai_strerror(r));
		return (-1);
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = connect_addr(ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (fd == -1)
			saved = errno;
	}
	freeaddrinfo(res);
	if (fd == -1)
		snprintf(err, NET_ERR_LEN, "cannot connect to %s port %d: %s",
		    host, port, strerror(saved));
	return (fd);
}

/**
 * net_connect_peer(fd, port, timeout_ms, err):
 * Connect to the address that the connected socket ${fd} is connected to,
 * on ${port} instead.  Returns a socket as net_connect does, or -1.
 */
int
net_connect_peer(int fd, int port, int timeout_ms, char err[NET_ERR_LEN])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char name[NET_ADDRSTR_LEN];
	int s;

	if (getpeername(fd, (struct sockaddr *)&ss, &len)) {
		snprintf(err, NET_ERR_LEN, "getpeername: %s", strerror(errno));
		return (-1);
	}
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	if ((s = connect_addr((struct sockaddr *)&ss, len, timeout_ms)) == -1) {
		net_addr_str((struct sockaddr *)&ss, name);
		snprintf(err, NET_ERR_LEN, "cannot connect to data port %s: %s",
		    name, strerror(errno));
	}
	return (s);
}

/**
 * net_read_full(fd, buf, len, deadline):
 * Read exactly ${len} bytes from the socket ${fd} before the monotonic time
 * ${deadline} (ms; -1 for none).  Returns 0 on success, 1 on EOF before
 * the first byte, or -1 on error, early EOF (errno = EPIPE) or timeout
 * (errno = ETIMEDOUT).  Blocking and non-blocking sockets alike: it tries
 * first, and waits only when there is nothing to read.
 */
int
net_read_full(int fd, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, p + got, len - got, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLIN, deadline))
				return (-1);
			continue;
		}
		if (n == -1)
			return (-1);
		if (n == 0) {
			if (got == 0)
				return (1);
			errno = EPIPE;
			return (-1);
		}
		got += (size_t)n;
	}
	return (0);
}

/**
 * net_read_some(fd, buf, len, deadline):
 * Read at least one and at most ${len} bytes from the socket ${fd} before
 * ${deadline} (ms; -1 for none).  Returns the number read, 0 on EOF, or -1
 * on error or timeout (errno = ETIMEDOUT).
 */
ssize_t
net_read_some(int fd, void *buf, size_t len, int64_t deadline)
{
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK))
			return (n);
		if (errno != EINTR && wait_fd(fd, POLLIN, deadline))
			return (-1);
	}
}

/**
 * net_write_full(fd, buf, len, deadline):
 * Write all ${len} bytes of ${buf} to the socket ${fd} before ${deadline}
 * (ms; -1 for none).  Returns 0, or -1 on error or timeout (errno =
 * ETIMEDOUT).  It tries first, and waits only when the socket is full.
 */
int
net_write_full(int fd, const void *buf, size_t len, int64_t deadline)
{
	const uint8_t *p = buf;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, p + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline))
				return (-1);
			continue;
		}
		if (n == -1)
			return (-1);
		off += (size_t)n;
	}
	return (0);
}

/**
 * net_addr_str(sa, out):
 * Format the address and port of ${sa} as "ADDR:PORT" or "[ADDR]:PORT"
 * into ${out} (NET_ADDRSTR_LEN bytes).
 */
void
net_addr_str(const struct sockaddr *sa, char out[NET_ADDRSTR_LEN])
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(out, NET_ADDRSTR_LEN, "%s:%d", host,
		    ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(out, NET_ADDRSTR_LEN, "[%s]:%d", host,
		    ntohs(sin6->sin6_port));
	} else {
		snprintf(out, NET_ADDRSTR_LEN, "(unknown)");
	}
}
