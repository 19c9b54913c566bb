/*
 * secchat: the client.  main() parses the command line, loads (or, on
 * first run, creates) the user's identity, and runs client_run().
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
#include "key.h"

#define DEFAULT_PORT	7070
#define DEFAULT_WAIT	30

/* Print the usage message to ${f}. */
static void
usage(FILE *f)
{

	fprintf(f, "usage: secchat [-0] [-i identity] [-p port] "
	    "[-w seconds] [--server-key key] host\n"
	    "       secchat [-i identity] --show-key\n"
	    "  -i identity       secret key file (default "
	    "~/.config/secchat/id)\n"
	    "  -p port           server's handshake port (default %d)\n"
	    "  -w seconds        wait for replies after the end of input "
	    "(default %d)\n"
	    "  -0                messages are separated by NUL, not newline\n"
	    "  --server-key key  the server's public key line, or a file "
	    "holding it\n"
	    "  --show-key        print this identity's public key line\n"
	    "  -h, -V            help, version\n", DEFAULT_PORT, DEFAULT_WAIT);
}

/* Write the default identity path into ${buf}; 0, or -1 if none. */
static int
default_identity(char buf[PATH_MAX])
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, PATH_MAX, "%s/secchat/id", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, PATH_MAX, "%s/.config/secchat/id", home);
	else
		return (-1);
	return ((n < 0 || n >= PATH_MAX) ? -1 : 0);
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

/* Read the server's key from ${arg}: a public key line or a file. */
static int
parse_server_key(const char *arg, uint8_t pub[KEY_LEN])
{
	char err[KEY_ERR_LEN];

	if (strncmp(arg, KEY_PUBLIC_TAG " ", strlen(KEY_PUBLIC_TAG) + 1) == 0) {
		if (key_parse_public_line(arg, pub, NULL, err) == 0)
			return (0);
	} else if (key_load_public(arg, pub, NULL, err) == 0)
		return (0);
	fprintf(stderr, "secchat: --server-key: %s\n", err);
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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "server-key", required_argument, NULL, 'k' },
		{ "show-key", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct client_opts o;
	struct key_pair *id;
	char identity[PATH_MAX], line[KEY_LINE_MAX + 1];
	const char *ipath = NULL;
	uint8_t pin[KEY_LEN];
	int ch, show = 0, status;

	memset(&o, 0, sizeof(o));
	o.port = DEFAULT_PORT;
	o.wait = DEFAULT_WAIT;
	o.separator = '\n';
	if (sodium_init() < 0) {
		fprintf(stderr, "secchat: cannot initialise libsodium\n");
		return (CLIENT_EXIT_ERROR);
	}
	while ((ch = getopt_long(argc, argv, "0hi:p:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case '0':
			o.separator = '\0';
			break;
		case 'i':
			ipath = optarg;
			break;
		case 'k':
			if (parse_server_key(optarg, pin))
				return (CLIENT_EXIT_ERROR);
			o.pin = pin;
			break;
		case 'p':
			if ((o.port = (int)parse_num(optarg, 1, 65535)) == -1) {
				fprintf(stderr, "secchat: -p: bad port '%s'\n",
				    optarg);
				return (CLIENT_EXIT_USAGE);
			}
			break;
		case 's':
			show = 1;
			break;
		case 'V':
			printf("secchat %s\n", PACKAGE_VERSION);
			return (CLIENT_EXIT_OK);
		case 'w':
			if ((o.wait = (int)parse_num(optarg, 1, 86400)) == -1) {
				fprintf(stderr, "secchat: -w: bad number of "
				    "seconds '%s'\n", optarg);
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
	}
	if (optind != argc - (show ? 0 : 1)) {
		usage(stderr);
		return (CLIENT_EXIT_USAGE);
	}
	o.host = show ? NULL : argv[optind];

	/* The identity, created on first run. */
	if (ipath == NULL) {
		if (default_identity(identity)) {
			fprintf(stderr, "secchat: no HOME: name the identity "
			    "with -i\n");
			return (CLIENT_EXIT_USAGE);
		}
		ipath = identity;
	}
	if ((id = load_identity(ipath)) == NULL)
		return (CLIENT_EXIT_ERROR);
	if (show) {
		key_format_public(id->pub, id->comment, line);
		printf("%s\n", line);
		key_pair_free(id);
		return (CLIENT_EXIT_OK);
	}

	o.id = id;
	setlocale(LC_CTYPE, "");
	o.interactive = isatty(STDIN_FILENO);
	o.escape_output = isatty(STDOUT_FILENO);
	status = client_run(&o);
	key_pair_free(id);
	sodium_memzero(pin, sizeof(pin));
	return (status);
}
