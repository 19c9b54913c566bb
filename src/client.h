#ifndef CLIENT_H_
#define CLIENT_H_

#include <stdint.h>

struct key_pair;

/* Exit statuses of secchat(1). */
#define CLIENT_EXIT_OK		0	/* session ended with an orderly close */
#define CLIENT_EXIT_ERROR	1	/* local error; a message was not sent */
#define CLIENT_EXIT_CONNECT	2	/* cannot connect, or connection lost */
#define CLIENT_EXIT_REFUSED	3	/* the server refused our key */
#define CLIENT_EXIT_HOSTKEY	4	/* the server's key is not the pinned or
					   known one: it changed */
#define CLIENT_EXIT_PROTOCOL	5	/* protocol error or version mismatch */
#define CLIENT_EXIT_UNKNOWN	6	/* the server's key is unknown and was
					   not accepted */
#define CLIENT_EXIT_USAGE	64	/* bad command line */

#define CLIENT_DEFAULT_PORT	7070

/* What to do with a server key that known_hosts does not have. */
enum client_newkey {
	CLIENT_NEWKEY_ASK,	/* ask on the terminal; without one, refuse */
	CLIENT_NEWKEY_ACCEPT,	/* add it (--accept-new) */
	CLIENT_NEWKEY_REFUSE	/* refuse it (--strict) */
};

/* What a client session needs. */
struct client_opts {
	const char *host;
	int port;
	const struct key_pair *id;
	const uint8_t *pin;	/* server's key, or NULL: see known_hosts */
	const char *known_hosts;	/* the known_hosts file */
	enum client_newkey newkey;
	int wait;		/* seconds to wait for replies after EOF */
	int separator;		/* message separator on stdin/stdout */
	int interactive;	/* stdin is a terminal: prompt, commands */
	int escape_output;	/* stdout is a terminal: escape controls */
};

/**
 * client_run(o):
 * Connect to the server, run the handshake, check the server's key (the
 * pin, or known_hosts) before revealing ours, move to the data port, then
 * send each message read from stdin and print each message received, until
 * stdin ends and the server has answered our orderly close.  Returns a
 * CLIENT_EXIT_* status, with the reason printed on stderr.
 */
int client_run(const struct client_opts *);

#endif /* !CLIENT_H_ */
