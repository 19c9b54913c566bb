#ifndef CONF_H_
#define CONF_H_

#include <stdint.h>
#include <stdio.h>

/*
 * secchatd's configuration, server.ini, parsed with inih.  Every field is
 * set to "unset", the file is parsed, defaults fill what it did not set,
 * then the whole is validated.
 */

struct allow;

#define CONF_ERR_LEN	512

/* Conversation modes. */
enum conf_mode {
	CONF_MODE_ECHO		/* answer each message with itself */
};

#define CONF_LISTEN_MAX	8	/* addresses in listen */

struct conf {
	char *path;			/* the file this came from */
	char *listen[CONF_LISTEN_MAX];	/* addresses of the handshake port */
	int nlisten;
	int port;			/* handshake port; 0 = kernel's choice */
	int data_port_min;		/* data port range; 0-0 = kernel's */
	int data_port_max;
	char *secret_key;		/* absolute paths of the key pair */
	char *public_key;
	enum conf_mode mode;
	int handshake_timeout;		/* seconds to finish a handshake */
	int data_accept_timeout;	/* seconds for the client to come */
	int idle_timeout;		/* seconds without a message */
	int max_startups;		/* handshakes in progress at once */
	int per_source_startups;	/* the same, from one address */
	int max_sessions;		/* live sessions at once */
	int penalty_failures;		/* failed handshakes before a penalty */
	int penalty_duration;		/* seconds a penalised source waits */
	char *user;			/* sessions run as this user (root) */
	char *chroot;			/* and in this directory, or NULL */
	char *pid_file;			/* written when detached, or NULL */
	int log_level;			/* LOG_LEVEL_* of log.h */
	int log_facility;		/* syslog facility (LOG_DAEMON, ...) */
	struct allow *allow;
};

/**
 * conf_load(path, err):
 * Parse the server configuration ${path}.  Relative key paths are taken
 * from the directory of ${path}.  On failure returns NULL and writes
 * "PATH:LINE: problem" (or "PATH: problem" where no line applies) into
 * ${err} (CONF_ERR_LEN bytes).
 */
struct conf *conf_load(const char *, char[CONF_ERR_LEN]);

/**
 * conf_dump(c, f):
 * Print the effective configuration ${c} to ${f} in server.ini syntax, so
 * that the output parses to the same configuration.
 */
void conf_dump(const struct conf *, FILE *);

/**
 * conf_free(c):
 * Free ${c}.  Does nothing if ${c} is NULL.
 */
void conf_free(struct conf *);

#endif /* !CONF_H_ */
