#ifndef CLIENTCONF_H_
#define CLIENTCONF_H_

#include <limits.h>

/*
 * The client's files live in one directory: $XDG_CONFIG_HOME/secchat when
 * XDG_CONFIG_HOME is an absolute path, else ~/.config/secchat.  One of
 * them, client.ini, is parsed with inih: one section per host alias, with
 * the keys hostname, port, identity and server_key, each at most once.
 *
 *	[work]
 *	hostname = chat.example.org
 *	port = 7070
 *	identity = ~/.config/secchat/work-id
 *	server_key = secchat-public-v1 BASE64
 */

struct stat;

#define CLIENTCONF_ERR_LEN	(PATH_MAX + 600)	/* "PATH:LINE: problem" */
#define CLIENTCONF_HOST_MAX	255	/* longest hostname */

/* What the section of one alias sets; NULL or 0 where it sets nothing. */
struct clientconf {
	int found;		/* the file has a section for the alias */
	char *hostname;		/* the server's name or address */
	int port;		/* its handshake port */
	char *identity;		/* secret key file, an absolute path */
	char *server_key;	/* a public key line, or an absolute path */
};

/**
 * clientconf_path(name, buf):
 * Write into ${buf} the path of the file ${name} in the client's directory
 * (see above).  Returns 0, or -1 if neither XDG_CONFIG_HOME nor HOME is
 * usable or the path does not fit in PATH_MAX bytes.
 */
int clientconf_path(const char *, char[PATH_MAX]);

/**
 * clientconf_read(path, max, data, len, st, err):
 * Read the whole regular file ${path}, of at most ${max} bytes and without
 * NUL bytes, into *${data} (allocated, NUL-terminated), its length
 * into *${len} and its status into *${st}.  Returns 0, 1 if the file does
 * not exist, or -1 with "PATH: problem" in ${err}.
 */
int clientconf_read(const char *, size_t, char **, size_t *, struct stat *,
    char[CLIENTCONF_ERR_LEN]);

/**
 * clientconf_load(path, alias, must_exist, cc, err):
 * Parse the client configuration file ${path} and fill ${cc} from the
 * section [${alias}].  Every section is checked: a key outside a section,
 * an unknown key, a bad value, a key set twice, a line too long or an
 * inih syntax error fails.  A relative identity or server_key path is
 * taken from the directory of ${path}, and a leading "~/" from HOME.  A
 * missing file is no error unless ${must_exist}.  Returns 0, or -1 with
 * "PATH:LINE: problem" (or "PATH: problem") in ${err}.
 */
int clientconf_load(const char *, const char *, int, struct clientconf *,
    char[CLIENTCONF_ERR_LEN]);

/**
 * clientconf_free(cc):
 * Free what clientconf_load stored in ${cc}, and clear it.
 */
void clientconf_free(struct clientconf *);

#endif /* !CLIENTCONF_H_ */
