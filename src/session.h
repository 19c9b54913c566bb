#ifndef SESSION_H_
#define SESSION_H_

#include <stdint.h>

struct conf;
struct proto_session;

/* What the master hands to a session child. */
struct session_params {
	int hs_fd;			/* handshake connection */
	struct proto_session *keys;	/* session keys; wiped on exit */
	const struct conf *conf;
	const char *name;		/* allowlist name of the client */
	const char *fingerprint;	/* of the client's key */
	const char *peer;		/* "ADDR:PORT" of the client */
};

/**
 * session_run(p):
 * Run one session in a child process: open a data listener on a random
 * port of the configured range, send its number as the first encrypted
 * message over the handshake connection, wait (bounded) for the client to
 * connect and prove the session, then run the conversation until the
 * client closes, an error, the idle timeout, SIGUSR2 (key expired),
 * SIGUSR1 (access revoked) or SIGTERM (server stopping); in the last four
 * the client is told why with an orderly close.  Returns the exit status for
 * the child: 0 after an orderly close, 1 otherwise.
 */
int session_run(struct session_params *);

#endif /* !SESSION_H_ */
