#ifndef NET_H_
#define NET_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Socket helpers for the programs (never used by the protocol library):
 * listening, connecting, and reading or writing whole buffers before a
 * deadline on the monotonic clock.
 */

#define NET_ADDRSTR_LEN	64	/* "[v6 address]:port" */
#define NET_ERR_LEN	256

/**
 * net_now_ms():
 * Return the monotonic clock in milliseconds.
 */
int64_t net_now_ms(void);

/**
 * net_listen(addr, port, backlog, err):
 * Return a listening TCP socket bound to the numeric address ${addr} and
 * ${port} (0: the kernel's choice), close-on-exec and non-blocking, or -1
 * with a message in ${err} (NET_ERR_LEN bytes).
 */
int net_listen(const char *, int, int, char[NET_ERR_LEN]);

/**
 * net_listen_random(addr, low, high, port, err):
 * As net_listen, on a port picked at random in [${low}, ${high}] (both 0:
 * the kernel's choice), trying other random ports while they are in use.
 * Stores the port in ${port}.
 */
int net_listen_random(const char *, int, int, int *, char[NET_ERR_LEN]);

/**
 * net_accept(lfd, sa, sa_len):
 * Accept a connection on the listening socket ${lfd}, storing the peer's
 * address in ${sa} (${sa_len} bytes in and out).  Returns the new socket,
 * non-blocking, close-on-exec, with TCP_NODELAY, or -1 with errno set.
 */
int net_accept(int, struct sockaddr *, socklen_t *);

/**
 * net_local_addr(fd, out):
 * Write the numeric local address of the socket ${fd} (no port) into ${out}
 * (NET_ADDRSTR_LEN bytes).  Returns 0 or -1.
 */
int net_local_addr(int, char[NET_ADDRSTR_LEN]);

/**
 * net_local_port(fd):
 * Return the local port of the socket ${fd}, or -1.
 */
int net_local_port(int);

/**
 * net_connect(host, port, timeout_ms, err):
 * Connect to ${host} (name or address) on ${port}, trying each address in
 * turn, each within ${timeout_ms}.  Returns a blocking, close-on-exec
 * socket with TCP_NODELAY, or -1 with a message in ${err}.
 */
int net_connect(const char *, int, int, char[NET_ERR_LEN]);

/**
 * net_connect_peer(fd, port, timeout_ms, err):
 * Connect to the address that the connected socket ${fd} is connected to,
 * on ${port} instead.  Returns a socket as net_connect does, or -1.
 */
int net_connect_peer(int, int, int, char[NET_ERR_LEN]);

/**
 * net_set_nonblock(fd, on):
 * Make ${fd} non-blocking if ${on}, else blocking.  Returns 0 or -1.
 */
int net_set_nonblock(int, int);

/**
 * net_read_full(fd, buf, len, deadline):
 * Read exactly ${len} bytes from the socket ${fd} before the monotonic time
 * ${deadline} (ms; -1 for none).  Returns 0 on success, 1 on EOF before
 * the first byte, or -1 on error, early EOF (errno = EPIPE) or timeout
 * (errno = ETIMEDOUT).  Blocking and non-blocking sockets alike: it tries
 * first, and waits only when there is nothing to read.
 */
int net_read_full(int, void *, size_t, int64_t);

/**
 * net_read_some(fd, buf, len, deadline):
 * Read at least one and at most ${len} bytes from the socket ${fd} before
 * ${deadline} (ms; -1 for none).  Returns the number read, 0 on EOF, or -1
 * on error or timeout (errno = ETIMEDOUT).
 */
ssize_t net_read_some(int, void *, size_t, int64_t);

/**
 * net_write_full(fd, buf, len, deadline):
 * Write all ${len} bytes of ${buf} to the socket ${fd} before ${deadline}
 * (ms; -1 for none).  Returns 0, or -1 on error or timeout (errno =
 * ETIMEDOUT).  It tries first, and waits only when the socket is full.
 */
int net_write_full(int, const void *, size_t, int64_t);

/**
 * net_addr_str(sa, out):
 * Format the address and port of ${sa} as "ADDR:PORT" or "[ADDR]:PORT"
 * into ${out} (NET_ADDRSTR_LEN bytes).
 */
void net_addr_str(const struct sockaddr *, char[NET_ADDRSTR_LEN]);

#endif /* !NET_H_ */
