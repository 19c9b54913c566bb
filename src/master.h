#ifndef MASTER_H_
#define MASTER_H_

struct conf;
struct key_pair;

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
int master_run(struct conf *, struct key_pair *, const int *, int);

#endif /* !MASTER_H_ */
