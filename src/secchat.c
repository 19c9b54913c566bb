/*
 * secchat: the client.  main() parses the command line, fills what it
 * leaves unset from the host's section of client.ini, loads (or, on first
 * run, creates) the user's identity, and runs client_run().
 */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "client.h"
#include "clientconf.h"
#include "key.h"

#define DEFAULT_WAIT	30

/* The command line; what it does not set is NULL or 0. */
struct cmdline {
	int show;			/* --show-key */
	const char *host;		/* the host operand: name or alias */
	const char *identity;		/* -i */
	const char *server_key;		/* --server-key */
	const char *config;		/* -F */
	int port;			/* -p */
	int wait;			/* -w */
	int separator;			/* -0: NUL, else newline */
	enum client_newkey newkey;	/* --accept-new, --strict */
};

/* Print the usage message to ${f}. */
static void
usage(FILE *f)
{

	fprintf(f, "usage: secchat [-0] [-F config] [-i identity] [-p port] "
	    "[-w seconds]\n"
	    "               [--accept-new | --strict] [--server-key key] "
	    "host\n"
	    "       secchat [-i identity] --show-key\n"
	    "  -F config         client configuration (default "
	    "~/.config/secchat/client.ini)\n"
	    "  -i identity       secret key file (default "
	    "~/.config/secchat/id)\n"
	    "  -p port           server's handshake port (default %d)\n"
	    "  -w seconds        wait for replies after the end of input "
	    "(default %d)\n"
	    "  -0                messages are separated by NUL, not newline\n"
	    "  --accept-new      trust and remember an unknown server key\n"
	    "  --strict          refuse a server key not in known_hosts\n"
	    "  --server-key key  the server's public key line, or a file "
	    "holding it\n"
	    "  --show-key        print this identity's public key line\n"
	    "  -h, -V            help, version\n", CLIENT_DEFAULT_PORT,
	    DEFAULT_WAIT);
}

/* Parse a number in [${min}, ${max}] from ${s}; -1 if it is not one. */
static long
parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return (-1);
	return (v);
}

/* Read the server's key from ${arg}, a public key line or a file. */
static int
parse_server_key(const char *arg, const char *from, uint8_t pub[KEY_LEN])
{
	char err[KEY_ERR_LEN];

	if (strncmp(arg, KEY_PUBLIC_TAG " ", strlen(KEY_PUBLIC_TAG) + 1) == 0) {
		if (key_parse_public_line(arg, pub, NULL, err) == 0)
			return (0);
	} else if (key_load_public(arg, pub, NULL, err) == 0)
		return (0);
	fprintf(stderr, "secchat: %s: %s\n", from, err);
	return (-1);
}

/* Load the identity ${path}, creating it and telling the user if new. */
static struct key_pair *
load_identity(const char *path)
{
	char err[KEY_ERR_LEN], comment[KEY_COMMENT_MAX + 1];
	char host[64] = "localhost", line[KEY_LINE_MAX + 1];
	const char *user = getenv("USER");
	struct key_pair *kp;
	int created;

	(void)gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(comment, sizeof(comment), "%s@%s",
	    (user != NULL && user[0] != '\0') ? user : "secchat", host);
	if ((kp = key_load_or_create(path, NULL, comment, &created,
	    err)) == NULL) {
		fprintf(stderr, "secchat: %s\n", err);
		return (NULL);
	}
	if (created) {
		key_format_public(kp->pub, kp->comment, line);
		fprintf(stderr, "secchat: created a new identity in %s\n"
		    "secchat: send this line to the server's admin, for the "
		    "[allow] section of server.ini:\n%s = %s\n", path,
		    (user != NULL && user[0] != '\0') ? user : "name", line);
	}
	return (kp);
}

/* Apply the option ${ch}; return -1 to go on, or an exit status. */
static int
parse_opt(struct cmdline *cl, int ch)
{

	switch (ch) {
	case '0':
		cl->separator = '\0';
		break;
	case 'a':
	case 'S':
		if (cl->newkey != CLIENT_NEWKEY_ASK) {
			fprintf(stderr, "secchat: --accept-new and --strict "
			    "cannot be combined\n");
			return (CLIENT_EXIT_USAGE);
		}
		cl->newkey = (ch == 'a') ? CLIENT_NEWKEY_ACCEPT :
		    CLIENT_NEWKEY_REFUSE;
		break;
	case 'F':
		cl->config = optarg;
		break;
	case 'i':
		cl->identity = optarg;
		break;
	case 'k':
		cl->server_key = optarg;
		break;
	case 'p':
		if ((cl->port = (int)parse_num(optarg, 1, 65535)) == -1) {
			fprintf(stderr, "secchat: -p: bad port '%s'\n", optarg);
			return (CLIENT_EXIT_USAGE);
		}
		break;
	case 's':
		cl->show = 1;
		break;
	case 'V':
		printf("secchat %s\n", PACKAGE_VERSION);
		return (CLIENT_EXIT_OK);
	case 'w':
		if ((cl->wait = (int)parse_num(optarg, 1, 86400)) == -1) {
			fprintf(stderr, "secchat: -w: bad number of seconds "
			    "'%s'\n", optarg);
			return (CLIENT_EXIT_USAGE);
		}
		break;
	case 'h':
		usage(stdout);
		return (CLIENT_EXIT_OK);
	default:
		usage(stderr);
		return (CLIENT_EXIT_USAGE);
	}
	return (-1);
}

/* Parse the command line into ${cl}; -1 to go on, or an exit status. */
static int
parse_args(int argc, char *argv[], struct cmdline *cl)
{
	static const struct option longopts[] = {
		{ "accept-new", no_argument, NULL, 'a' },
		{ "strict", no_argument, NULL, 'S' },
		{ "server-key", required_argument, NULL, 'k' },
		{ "show-key", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	memset(cl, 0, sizeof(*cl));
	cl->separator = '\n';
	cl->newkey = CLIENT_NEWKEY_ASK;
	while ((ch = getopt_long(argc, argv, "0F:hi:p:Vw:", longopts,
	    NULL)) != -1) {
		if ((rc = parse_opt(cl, ch)) != -1)
			return (rc);
	}
	if (optind != argc - (cl->show ? 0 : 1)) {
		usage(stderr);
		return (CLIENT_EXIT_USAGE);
	}
	cl->host = cl->show ? NULL : argv[optind];
	return (-1);
}

/*
 * Fill what ${cl} leaves unset from the section of its host in client.ini
 * (-F, or the default file if it exists) into ${cc}.  Returns 0, or -1
 * with the problem printed.
 */
static int
read_config(const struct cmdline *cl, struct clientconf *cc)
{
	char path[PATH_MAX], err[CLIENTCONF_ERR_LEN];

	if (cl->config == NULL && clientconf_path("client.ini", path) != 0) {
		memset(cc, 0, sizeof(*cc));
		return (0);	/* no HOME: no file */
	}
	if (clientconf_load(cl->config != NULL ? cl->config : path, cl->host,
	    cl->config != NULL, cc, err) != 0) {
		fprintf(stderr, "secchat: %s\n", err);
		return (-1);
	}
	return (0);
}

/*
 * Settle the session's options ${o} from the command line ${cl} and the
 * host's section ${cc}, the command line first: the host, the port, the
 * server's key into ${pin} (else the known_hosts file into ${kh}) and the
 * identity path into ${ipath}.  Returns -1 to go on, or an exit status.
 */
static int
settle(const struct cmdline *cl, const struct clientconf *cc,
    struct client_opts *o, uint8_t pin[KEY_LEN], char kh[PATH_MAX],
    const char **ipath)
{

	o->host = (cc->hostname != NULL) ? cc->hostname : cl->host;
	o->port = cl->port ? cl->port : cc->port ? cc->port :
	    CLIENT_DEFAULT_PORT;
	o->newkey = cl->newkey;
	o->wait = cl->wait ? cl->wait : DEFAULT_WAIT;
	o->separator = cl->separator;

	/* A pin, else known_hosts. */
	if (cl->server_key != NULL || cc->server_key != NULL) {
		if (parse_server_key(cl->server_key != NULL ? cl->server_key :
		    cc->server_key, cl->server_key != NULL ? "--server-key" :
		    "client.ini: server_key", pin))
			return (CLIENT_EXIT_ERROR);
		o->pin = pin;
	} else if (clientconf_path("known_hosts", kh) == 0)
		o->known_hosts = kh;
	else {
		fprintf(stderr, "secchat: no HOME, so no known_hosts: pin the "
		    "server's key with --server-key\n");
		return (CLIENT_EXIT_USAGE);
	}

	/* The identity. */
	*ipath = (cl->identity != NULL) ? cl->identity : cc->identity;
	return (-1);
}

int
main(int argc, char *argv[])
{
	struct cmdline cl;
	struct clientconf cc;
	struct client_opts o;
	struct key_pair *id;
	char identity[PATH_MAX], kh[PATH_MAX], line[KEY_LINE_MAX + 1];
	const char *ipath = NULL;
	uint8_t pin[KEY_LEN];
	int status;

	if (sodium_init() < 0) {
		fprintf(stderr, "secchat: cannot initialise libsodium\n");
		return (CLIENT_EXIT_ERROR);
	}
	if ((status = parse_args(argc, argv, &cl)) != -1)
		return (status);

	/* The command line, then the host's section of client.ini. */
	memset(&o, 0, sizeof(o));
	memset(&cc, 0, sizeof(cc));
	if (cl.show)
		ipath = cl.identity;
	else if (read_config(&cl, &cc) != 0)
		return (CLIENT_EXIT_ERROR);
	else if ((status = settle(&cl, &cc, &o, pin, kh, &ipath)) != -1)
		goto done;

	/* The identity, created on first run. */
	if (ipath == NULL) {
		if (clientconf_path("id", identity)) {
			fprintf(stderr, "secchat: no HOME: name the identity "
			    "with -i\n");
			status = CLIENT_EXIT_USAGE;
			goto done;
		}
		ipath = identity;
	}
	if ((id = load_identity(ipath)) == NULL) {
		status = CLIENT_EXIT_ERROR;
		goto done;
	}
	if (cl.show) {
		key_format_public(id->pub, id->comment, line);
		printf("%s\n", line);
		status = CLIENT_EXIT_OK;
	} else {
		o.id = id;
		setlocale(LC_CTYPE, "");
		o.interactive = isatty(STDIN_FILENO);
		o.escape_output = isatty(STDOUT_FILENO);
		status = client_run(&o);
	}
	key_pair_free(id);

done:
	clientconf_free(&cc);
	sodium_memzero(pin, sizeof(pin));
	return (status);
}
