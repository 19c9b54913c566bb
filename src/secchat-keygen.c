#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "clientconf.h"
#include "key.h"
#include "knownhosts.h"

/*
 * secchat-keygen: create a long-term key pair, print the public line of a
 * secret key file, print the fingerprint of a key file, or remove a host
 * from a client's known_hosts.  Options follow ssh-keygen(1) where they
 * overlap.
 */

/* What to do. */
enum mode {
	MODE_GENERATE,		/* default: write FILE and FILE.pub */
	MODE_PUBLIC,		/* -y: print the public line of FILE */
	MODE_FINGERPRINT,	/* -l: print the fingerprint of FILE */
	MODE_REMOVE_HOST	/* -R: remove HOST from known_hosts */
};

/* Command-line options. */
struct opts {
	enum mode mode;
	const char * file;	/* -f */
	const char * comment;	/* -C, or NULL for user@host */
	const char * host;	/* -R */
	int force;		/* -F */
	int quiet;		/* -q */
};

static int do_generate(const struct opts *);
static int do_public(const struct opts *);
static int do_fingerprint(const struct opts *);
static int do_remove_host(const struct opts *);

/* One function per mode, indexed by enum mode. */
static int (* const modes[])(const struct opts *) = {
	[MODE_GENERATE] = do_generate,
	[MODE_PUBLIC] = do_public,
	[MODE_FINGERPRINT] = do_fingerprint,
	[MODE_REMOVE_HOST] = do_remove_host
};

static void warnmsg(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Print "secchat-keygen: message" on stderr. */
static void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("secchat-keygen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print the usage message on ${fp}. */
static void
usage(FILE *fp)
{

	fprintf(fp,
	    "usage: secchat-keygen [-Fq] [-C comment] -f file\n"
	    "       secchat-keygen -y -f file\n"
	    "       secchat-keygen -l -f file\n"
	    "       secchat-keygen [-q] -R host [-f known_hosts]\n"
	    "       secchat-keygen -h | -V\n");
}

/* Return non-zero if ${c} is a valid key comment (see key.h). */
static int
comment_valid(const char *c)
{
	size_t i;

	for (i = 0; c[i] != '\0'; i++) {
		if (i >= KEY_COMMENT_MAX ||
		    (unsigned char)c[i] < 0x20 || (unsigned char)c[i] > 0x7e)
			return (0);
	}
	return (1);
}

/* Set the mode to ${m}; fail if another mode was chosen already. */
static int
set_mode(struct opts *o, enum mode m)
{

	if (o->mode != MODE_GENERATE && o->mode != m)
		return (-1);
	o->mode = m;
	return (0);
}

/* Check the parsed options make sense together; return 0 or EX_USAGE. */
static int
check_args(const struct opts *o)
{

	if (o->file == NULL && o->mode != MODE_REMOVE_HOST) {
		warnmsg("no key file given (use -f file)");
		goto usage;
	}
	if (o->mode != MODE_GENERATE && (o->force || o->comment != NULL)) {
		warnmsg("-F and -C apply only when creating a key");
		goto usage;
	}
	if (o->comment != NULL && !comment_valid(o->comment)) {
		warnmsg("bad comment: printable ASCII only, at most %d bytes",
		    KEY_COMMENT_MAX);
		return (EX_USAGE);
	}
	return (0);

usage:
	usage(stderr);
	return (EX_USAGE);
}

/* Apply the option ${ch}; return -1 to go on, or an exit code. */
static int
parse_opt(struct opts *o, int ch)
{

	switch (ch) {
	case 'C':
		o->comment = optarg;
		break;
	case 'F':
		o->force = 1;
		break;
	case 'f':
		o->file = optarg;
		break;
	case 'h':
		usage(stdout);
		return (0);
	case 'l':
	case 'y':
		if (set_mode(o, ch == 'l' ? MODE_FINGERPRINT : MODE_PUBLIC))
			goto modes;
		break;
	case 'R':
		if (set_mode(o, MODE_REMOVE_HOST))
			goto modes;
		o->host = optarg;
		break;
	case 'q':
		o->quiet = 1;
		break;
	case 'V':
		printf("secchat-keygen %s\n", PACKAGE_VERSION);
		return (0);
	case ':':
		warnmsg("option -%c needs an argument", optopt);
		goto usage;
	default:
		warnmsg("unknown option -%c", optopt);
		goto usage;
	}
	return (-1);

modes:
	warnmsg("-l, -R and -y cannot be combined");
usage:
	usage(stderr);
	return (EX_USAGE);
}

/* Parse the command line into ${o}; return -1 to go on, or an exit code. */
static int
parse_args(int argc, char *argv[], struct opts *o)
{
	int ch, rc;

	/* Options. */
	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, ":C:Ff:hlqR:Vy")) != -1) {
		if ((rc = parse_opt(o, ch)) != -1)
			return (rc);
	}

	/* No operands. */
	if (optind != argc) {
		warnmsg("unexpected argument: %s", argv[optind]);
		usage(stderr);
		return (EX_USAGE);
	}
	return (check_args(o) ? EX_USAGE : -1);
}

/* Return "user@host" in ${buf}, or "" if that is unknown or not valid. */
static const char *
default_comment(char buf[KEY_COMMENT_MAX + 1])
{
	struct passwd *pw;
	char host[256];

	if ((pw = getpwuid(getuid())) == NULL ||
	    gethostname(host, sizeof(host)) != 0)
		return ("");
	host[sizeof(host) - 1] = '\0';
	if (snprintf(buf, KEY_COMMENT_MAX + 1, "%s@%s", pw->pw_name, host) >
	    KEY_COMMENT_MAX || !comment_valid(buf))
		return ("");
	return (buf);
}

/* Print the fingerprint of ${pub} and the ${comment}, as ssh-keygen -l. */
static void
print_fingerprint(const uint8_t pub[KEY_LEN], const char *comment)
{
	char fp[KEY_FP_LEN];

	key_fingerprint(pub, fp);
	printf("%s%s%s\n", fp, comment[0] != '\0' ? " " : "", comment);
}

/* Print the public key line of ${pub} with the ${comment}. */
static void
print_public(const uint8_t pub[KEY_LEN], const char *comment)
{
	char line[KEY_LINE_MAX + 1];

	key_format_public(pub, comment, line);
	printf("%s\n", line);
}

/* Return non-zero if ${path} exists (even as a dangling symlink). */
static int
exists(const char *path)
{
	struct stat st;

	return (lstat(path, &st) == 0);
}

/* Create a key pair in ${o->file} and ${o->file}.pub. */
static int
do_generate(const struct opts *o)
{
	char pubpath[PATH_MAX], cbuf[KEY_COMMENT_MAX + 1], err[KEY_ERR_LEN];
	struct key_pair *kp;

	/* Never replace a key by accident. */
	if (snprintf(pubpath, sizeof(pubpath), "%s.pub", o->file) >=
	    (int)sizeof(pubpath)) {
		warnmsg("%s: path too long", o->file);
		return (1);
	}
	if (!o->force && (exists(o->file) || exists(pubpath))) {
		warnmsg("%s already exists; use -F to overwrite it",
		    exists(o->file) ? o->file : pubpath);
		return (1);
	}

	/* Generate and save; no window where a secret is readable. */
	umask(077);
	if ((kp = key_pair_generate(o->comment != NULL ? o->comment :
	    default_comment(cbuf))) == NULL) {
		warnmsg("cannot generate a key pair: out of memory");
		return (1);
	}
	if (key_save(kp, o->file, pubpath, o->force, err)) {
		warnmsg("%s", err);
		key_pair_free(kp);
		return (1);
	}

	/* Tell the user what we did. */
	if (!o->quiet) {
		printf("Your secret key has been saved in %s\n", o->file);
		printf("Your public key has been saved in %s\n", pubpath);
		printf("The key fingerprint is:\n");
		print_fingerprint(kp->pub, kp->comment);
		printf("The public key line is:\n");
		print_public(kp->pub, kp->comment);
	}
	key_pair_free(kp);
	return (0);
}

/* Print the public key line of the secret key file ${o->file}. */
static int
do_public(const struct opts *o)
{
	char err[KEY_ERR_LEN];
	struct key_pair *kp;

	if ((kp = key_load_secret(o->file, err)) == NULL) {
		warnmsg("%s", err);
		return (1);
	}
	print_public(kp->pub, kp->comment);
	key_pair_free(kp);
	return (0);
}

/* Print the fingerprint of the public or secret key file ${o->file}. */
static int
do_fingerprint(const struct opts *o)
{
	char perr[KEY_ERR_LEN], serr[KEY_ERR_LEN];
	char comment[KEY_COMMENT_MAX + 1];
	uint8_t pub[KEY_LEN];
	struct key_pair *kp;

	/* A public key file first. */
	if (key_load_public(o->file, pub, comment, perr) == 0) {
		print_fingerprint(pub, comment);
		return (0);
	}

	/* Then a secret key file. */
	if ((kp = key_load_secret(o->file, serr)) != NULL) {
		print_fingerprint(kp->pub, kp->comment);
		key_pair_free(kp);
		return (0);
	}

	/* Report the secret-key error only if it was a secret key file. */
	warnmsg("%s", strstr(perr, "not a public key") != NULL ? serr : perr);
	return (1);
}

/* Remove the entries of ${o->host} from known_hosts, as ssh-keygen -R. */
static int
do_remove_host(const struct opts *o)
{
	char path[PATH_MAX], err[KNOWNHOSTS_ERR_LEN];
	const char *file = o->file;
	size_t removed;

	/* The client's own file unless -f names another. */
	if (file == NULL && clientconf_path("known_hosts", path) != 0) {
		warnmsg("no HOME: name the known_hosts file with -f");
		return (1);
	}
	if (file == NULL)
		file = path;

	/* Say what was done; a host that is not there is no error. */
	if (knownhosts_remove(file, o->host, &removed, err) != 0) {
		warnmsg("%s", err);
		return (1);
	}
	if (removed == 0)
		warnmsg("host %s not found in %s", o->host, file);
	else if (!o->quiet)
		printf("Removed %zu entr%s of host %s from %s\n", removed,
		    removed == 1 ? "y" : "ies", o->host, file);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	int rc;

	/* Before anything else. */
	if (sodium_init() < 0) {
		warnmsg("cannot initialise libsodium");
		exit(1);
	}

	/* Options, then the chosen mode. */
	if ((rc = parse_args(argc, argv, &o)) != -1)
		exit(rc);
	rc = modes[o.mode](&o);

	/* Output that did not reach its destination is a failure. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnmsg("stdout: %s", strerror(errno));
		rc = 1;
	}
	exit(rc);
}
