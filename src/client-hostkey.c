#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "key.h"
#include "knownhosts.h"
#include "client-hostkey.h"

/* Longest answer to the question that is kept; the rest is dropped. */
#define ANSWER_MAX	64

/* Write the host's name in known_hosts: HOST, or [HOST]:PORT. */
static int
hk_name(const struct client_opts *o, char name[KNOWNHOSTS_NAME_MAX + 1])
{
	int n;

	if (o->port == CLIENT_DEFAULT_PORT)
		n = snprintf(name, KNOWNHOSTS_NAME_MAX + 1, "%s", o->host);
	else
		n = snprintf(name, KNOWNHOSTS_NAME_MAX + 1, "[%s]:%d",
		    o->host, o->port);
	if (n < 0 || n > KNOWNHOSTS_NAME_MAX) {
		fprintf(stderr, "secchat: host name too long for known_hosts: "
		    "%s\n", o->host);
		return (-1);
	}
	return (0);
}

/* Read one line from ${fd} into ${answer}, keeping what fits. */
static void
hk_read_answer(int fd, char answer[ANSWER_MAX])
{
	size_t len = 0;
	ssize_t n;
	char ch;

	for (;;) {
		if ((n = read(fd, &ch, 1)) == -1 && errno == EINTR)
			continue;
		if (n != 1 || ch == '\n')
			break;
		if (len < ANSWER_MAX - 1)
			answer[len++] = ch;
	}
	answer[len] = '\0';
}

/*
 * Ask on the terminal whether to trust the key of fingerprint ${fp} for
 * ${name}.  Returns 1 for yes, 0 for anything else, -1 if there is no
 * terminal to ask on.
 */
static int
hk_ask(const char *name, const char *fp)
{
	char answer[ANSWER_MAX];
	int in = STDIN_FILENO, out = STDERR_FILENO, fd;

	/* The controlling terminal, else stdin and stderr if terminals. */
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) != -1)
		in = out = fd;
	else if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return (-1);

	/* As ssh(1) asks. */
	dprintf(out, "The authenticity of host '%s' can't be established.\n"
	    "Key fingerprint is %s.\n"
	    "Are you sure you want to continue connecting (yes/no)? ",
	    name, fp);
	hk_read_answer(in, answer);
	if (fd != -1)
		close(fd);
	return (strcasecmp(answer, "yes") == 0);
}

/* Explain why the unknown key ${pub} of ${name} is refused, and the way on. */
static void
hk_refuse(const struct client_opts *o, const char *name,
    const uint8_t pub[KEY_LEN], const char *why)
{
	char fp[KEY_FP_LEN], line[KEY_LINE_MAX + 1];

	key_fingerprint(pub, fp);
	key_format_public(pub, NULL, line);
	fprintf(stderr, "secchat: the authenticity of host '%s' can't be "
	    "established: it is not in %s, and %s.\n"
	    "secchat: its key fingerprint is %s\n"
	    "secchat: check the fingerprint with the server's admin; then run "
	    "again with --accept-new to add the key, or pin it with\n"
	    "secchat:   --server-key '%s'\n"
	    "secchat: nothing was sent.\n", name, o->known_hosts, why, fp,
	    line);
}

/* Decide on the key ${pub} of ${name}, which known_hosts does not have. */
static int
hk_new(const struct client_opts *o, const char *name,
    const uint8_t pub[KEY_LEN], int *asked)
{
	char fp[KEY_FP_LEN], err[KNOWNHOSTS_ERR_LEN];
	int yes;

	/* Refused, asked, or accepted. */
	key_fingerprint(pub, fp);
	if (o->newkey == CLIENT_NEWKEY_REFUSE) {
		hk_refuse(o, name, pub, "--strict refuses unknown hosts");
		return (CLIENT_EXIT_UNKNOWN);
	}
	if (o->newkey == CLIENT_NEWKEY_ASK) {
		if ((yes = hk_ask(name, fp)) == -1) {
			hk_refuse(o, name, pub, "there is no terminal to ask "
			    "whether to trust it");
			return (CLIENT_EXIT_UNKNOWN);
		}
		*asked = 1;
		if (!yes) {
			fprintf(stderr, "secchat: host key not accepted; "
			    "nothing was sent.\n");
			return (CLIENT_EXIT_UNKNOWN);
		}
	}

	/* Remember it; if that fails, the user's word still holds. */
	if (knownhosts_add(o->known_hosts, name, pub, err) != 0)
		fprintf(stderr, "secchat: warning: could not add the key of "
		    "'%s' to known_hosts: %s\n", name, err);
	else
		fprintf(stderr, "secchat: added the key of '%s' (%s) to %s\n",
		    name, fp, o->known_hosts);
	return (CLIENT_EXIT_OK);
}

/**
 * client_hostkey_verify(o, pub, asked):
 * Decide whether to trust the server key ${pub} for the host of ${o},
 * which has no pin: from ${o}->known_hosts and ${o}->newkey, asking the
 * user on the terminal if need be (then *${asked} is set to 1).  A key
 * accepted for the first time is added to known_hosts.  Returns
 * CLIENT_EXIT_OK to go on, or the CLIENT_EXIT_* status to exit with, the
 * reason printed on stderr.
 */
int
client_hostkey_verify(const struct client_opts *o,
    const uint8_t pub[KEY_LEN], int *asked)
{
	char name[KNOWNHOSTS_NAME_MAX + 1], err[KNOWNHOSTS_ERR_LEN];
	uint8_t known[KEY_LEN];
	size_t lineno = 0;

	if (hk_name(o, name))
		return (CLIENT_EXIT_ERROR);
	switch (knownhosts_check(o->known_hosts, name, pub, &lineno, known,
	    err)) {
	case KNOWNHOSTS_MATCH:
		return (CLIENT_EXIT_OK);
	case KNOWNHOSTS_UNKNOWN:
		return (hk_new(o, name, pub, asked));
	case KNOWNHOSTS_CHANGED:
		client_hostkey_changed(pub, known, name, o->known_hosts,
		    lineno);
		return (CLIENT_EXIT_HOSTKEY);
	default:
		fprintf(stderr, "secchat: %s\n", err);
		return (CLIENT_EXIT_ERROR);
	}
}

/**
 * client_hostkey_changed(seen, expected, name, file, lineno):
 * Warn that the server showed the key ${seen} rather than ${expected}: the
 * one pinned with --server-key if ${file} is NULL, else the one that line
 * ${lineno} of the known_hosts file ${file} has for the host ${name}.
 */
void
client_hostkey_changed(const uint8_t seen[KEY_LEN],
    const uint8_t expected[KEY_LEN], const char *name, const char *file,
    size_t lineno)
{
	char fp_seen[KEY_FP_LEN], fp_expected[KEY_FP_LEN];

	key_fingerprint(seen, fp_seen);
	key_fingerprint(expected, fp_expected);
	fprintf(stderr, "secchat: @@@ WARNING: THE SERVER'S KEY %s @@@\n"
	    "secchat: someone could be intercepting this connection (a "
	    "man-in-the-middle attack),\nsecchat: or the server's key was "
	    "replaced.\n", file == NULL ? "IS NOT THE ONE YOU PINNED" :
	    "HAS CHANGED");
	if (file == NULL)
		fprintf(stderr, "secchat: expected %s (--server-key)\n",
		    fp_expected);
	else
		fprintf(stderr, "secchat: expected %s (%s:%zu, for '%s')\n",
		    fp_expected, file, lineno, name);
	fprintf(stderr, "secchat: received %s\n"
	    "secchat: refusing to continue; nothing was sent.\n", fp_seen);
	if (file != NULL)
		fprintf(stderr, "secchat: if the server's admin confirms the "
		    "new key, remove the old one with\n"
		    "secchat:   secchat-keygen -R '%s' -f %s\n", name, file);
}
