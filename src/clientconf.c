#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "key.h"
#include "log.h"
#include "clientconf.h"

/*
 * clientconf_load() reads the whole file into memory and hands it to inih
 * line by line through ini_parse_stream(), for inih does not tell the
 * handler the line number.  The reader counts lines, notices section
 * headers (to find the alias and to check each section's keys apart), and
 * refuses a line longer than inih's buffer, which inih would otherwise
 * split and parse as several lines.
 */

/* Largest client.ini read. */
#define CC_FILE_MAX	(1024 * 1024)

/* Room for a problem, leaving room for "PATH:LINE: " in the message. */
#define CC_PROBLEM_LEN	512

/* The keys of a section. */
enum {
	CK_HOSTNAME,
	CK_PORT,
	CK_IDENTITY,
	CK_SERVER_KEY,
	CK_COUNT
};
static const char *const ckeys[CK_COUNT] = {
	"hostname", "port", "identity", "server_key"
};

/* State of one parse. */
struct ccparse {
	const char *path;		/* the file, as given */
	const char *alias;		/* the section wanted */
	struct clientconf *cc;		/* what that section sets */
	const char *data;		/* the file's contents */
	size_t len, off;		/* its length; where the reader is */
	int lineno;			/* line being parsed */
	int in_alias;			/* that line is in [alias] */
	int seen[CK_COUNT];		/* keys of this section already set */
	int errline;			/* line of the first problem, or 0 */
	char problem[CC_PROBLEM_LEN];	/* the first problem */
};

/**
 * clientconf_path(name, buf):
 * Write into ${buf} the path of the file ${name} in the client's directory
 * (see above).  Returns 0, or -1 if neither XDG_CONFIG_HOME nor HOME is
 * usable or the path does not fit in PATH_MAX bytes.
 */
int
clientconf_path(const char *name, char buf[PATH_MAX])
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, PATH_MAX, "%s/secchat/%s", xdg, name);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, PATH_MAX, "%s/.config/secchat/%s", home,
		    name);
	else
		return (-1);
	return ((n < 0 || n >= PATH_MAX) ? -1 : 0);
}

/* Record a problem on the current line unless one is recorded; return -1. */
static int cc_fail(struct ccparse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int
cc_fail(struct ccparse *p, const char *fmt, ...)
{
	char raw[CC_PROBLEM_LEN];
	va_list ap;

	if (p->errline == 0) {
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);

		/* The file's bytes are quoted in it: keep the terminal safe. */
		log_escape(raw, strlen(raw), p->problem, sizeof(p->problem));
		p->errline = p->lineno;
	}
	return (-1);
}

/* Note a section header on the line ${buf}: a new section starts. */
static void
cc_header(struct ccparse *p, const char *buf)
{
	size_t len;

	buf += strspn(buf, " \t");
	if (*buf != '[')
		return;
	len = strcspn(buf + 1, "]");
	if (buf[1 + len] != ']')
		return;
	memset(p->seen, 0, sizeof(p->seen));
	p->in_alias = (strlen(p->alias) == len &&
	    strncmp(buf + 1, p->alias, len) == 0);
	if (!p->in_alias)
		return;
	if (p->cc->found)
		cc_fail(p, "section [%s] appears twice", p->alias);
	p->cc->found = 1;
}

/* Give inih the next line of the file in ${buf}, as fgets would. */
static char *
cc_reader(char *buf, int size, void *cookie)
{
	struct ccparse *p = cookie;
	const char *line = p->data + p->off;
	const char *nl;
	size_t len;

	if (p->off == p->len)
		return (NULL);
	nl = memchr(line, '\n', p->len - p->off);
	len = (nl != NULL) ? (size_t)(nl - line) : p->len - p->off;
	p->off += len + (nl != NULL);
	p->lineno++;

	/* inih would cut a longer line in pieces: refuse it, pass nothing. */
	if (len > (size_t)size - 2) {
		cc_fail(p, "line too long (more than %d characters)",
		    size - 2);
		len = 0;
	}
	memcpy(buf, line, len);
	memcpy(buf + len, "\n", 2);
	cc_header(p, buf);
	return (buf);
}

/* Store in ${out} the path ${value}, taken from the file's directory. */
static int
cc_path(struct ccparse *p, const char *what, const char *value, char **out)
{
	const char *home = getenv("HOME");
	const char *slash = strrchr(p->path, '/');
	char cwd[PATH_MAX] = "";
	char buf[PATH_MAX];
	int n;

	if (value[0] == '~' && value[1] != '/')
		return (cc_fail(p, "%s: only ~/ is understood in '%s'", what,
		    value));
	if (value[0] == '~' && (home == NULL || home[0] != '/'))
		return (cc_fail(p, "%s: HOME is not set for '%s'", what,
		    value));
	if (value[0] == '~')
		n = snprintf(buf, sizeof(buf), "%s%s", home, value + 1);
	else if (value[0] == '/')
		n = snprintf(buf, sizeof(buf), "%s", value);
	else {
		/* CWD/ if the file's path is relative, its directory, value. */
		if (p->path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
			return (cc_fail(p, "%s: getcwd: %s", what,
			    strerror(errno)));
		n = snprintf(buf, sizeof(buf), "%s%s%.*s/%s", cwd,
		    (cwd[0] != '\0' && slash != NULL) ? "/" : "",
		    slash != NULL ? (int)(slash - p->path) : 0, p->path,
		    value);
	}
	if (n < 0 || n >= (int)sizeof(buf))
		return (cc_fail(p, "%s: path too long", what));
	if ((*out = strdup(buf)) == NULL)
		return (cc_fail(p, "out of memory"));
	return (0);
}

/* Check the hostname ${value}: printable, no space, not too long. */
static int
cc_hostname(struct ccparse *p, const char *value, int keep)
{
	size_t i;

	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] <= ' ' || value[i] > '~' ||
		    i >= CLIENTCONF_HOST_MAX)
			return (cc_fail(p, "hostname: '%s' is not a host name "
			    "or address", value));
	}
	if (i == 0)
		return (cc_fail(p, "hostname: empty"));
	if (keep && (p->cc->hostname = strdup(value)) == NULL)
		return (cc_fail(p, "out of memory"));
	return (0);
}

/* Check the port ${value}, a number from 1 to 65535. */
static int
cc_port(struct ccparse *p, const char *value, int keep)
{
	char *end;
	long v;

	errno = 0;
	v = isdigit((unsigned char)value[0]) ? strtol(value, &end, 10) : 0;
	if (v < 1 || v > 65535 || errno != 0 || *end != '\0')
		return (cc_fail(p, "port: '%s' is not a number from 1 to "
		    "65535", value));
	if (keep)
		p->cc->port = (int)v;
	return (0);
}

/* Check the server_key ${value}: a public key line, or a file. */
static int
cc_server_key(struct ccparse *p, const char *value, int keep)
{
	char kerr[KEY_ERR_LEN];
	uint8_t pub[KEY_LEN];

	if (strncmp(value, KEY_PUBLIC_TAG " ",
	    strlen(KEY_PUBLIC_TAG) + 1) != 0)
		return (keep ? cc_path(p, "server_key", value,
		    &p->cc->server_key) : 0);
	if (key_parse_public_line(value, pub, NULL, kerr))
		return (cc_fail(p, "server_key: %s", kerr));
	if (keep && (p->cc->server_key = strdup(value)) == NULL)
		return (cc_fail(p, "out of memory"));
	return (0);
}

/* The inih handler: return 1 if ${name} = ${value} in ${section} is good. */
static int
cc_handler(void *cookie, const char *section, const char *name,
    const char *value)
{
	struct ccparse *p = cookie;
	int k, keep = p->in_alias;

	/* A known key, once in its section. */
	if (section[0] == '\0')
		return (cc_fail(p, "'%s' is outside any section: put it "
		    "under [alias]", name) == 0);
	for (k = 0; k < CK_COUNT && strcmp(name, ckeys[k]) != 0; k++)
		continue;
	if (k == CK_COUNT)
		return (cc_fail(p, "unknown key '%s' in [%s] (the keys are "
		    "hostname, port, identity and server_key)", name,
		    section) == 0);
	if (p->seen[k]++)
		return (cc_fail(p, "%s is set twice in [%s]", name,
		    section) == 0);

	/* Check the value in every section; keep those of the alias. */
	if (value[0] == '\0')
		return (cc_fail(p, "%s: empty value", name) == 0);
	if (k == CK_HOSTNAME)
		return (cc_hostname(p, value, keep) == 0);
	if (k == CK_PORT)
		return (cc_port(p, value, keep) == 0);
	if (k == CK_IDENTITY)
		return (!keep || cc_path(p, name, value,
		    &p->cc->identity) == 0);
	return (cc_server_key(p, value, keep) == 0);
}

/**
 * clientconf_read(path, max, data, len, st, err):
 * Read the whole regular file ${path}, of at most ${max} bytes and without
 * NUL bytes, into *${data} (allocated, NUL-terminated), its length
 * into *${len} and its status into *${st}.  Returns 0, 1 if the file does
 * not exist, or -1 with "PATH: problem" in ${err}.
 */
int
clientconf_read(const char *path, size_t max, char **data, size_t *len,
    struct stat *st, char err[CLIENTCONF_ERR_LEN])
{
	ssize_t n = 0;
	int fd;

	/* A regular file; O_NONBLOCK so that a FIFO cannot stall us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return (1);
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: %s", path,
		    strerror(errno));
		goto err0;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
	    (size_t)st->st_size > max) {
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: not a regular file of "
		    "at most %zu bytes", path, max);
		goto err1;
	}

	/* One byte more than its size, to notice a file that grew; a NUL. */
	if ((*data = malloc((size_t)st->st_size + 2)) == NULL) {
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: out of memory", path);
		goto err1;
	}
	for (*len = 0; *len <= (size_t)st->st_size; *len += (size_t)n) {
		n = read(fd, *data + *len, (size_t)st->st_size + 1 - *len);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			break;
	}
	if (n == -1 || *len > (size_t)st->st_size ||
	    memchr(*data, '\0', *len) != NULL) {
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: %s", path, n == -1 ?
		    strerror(errno) : "changed while read, or has a NUL byte");
		goto err2;
	}
	(*data)[*len] = '\0';
	close(fd);
	return (0);

err2:
	free(*data);
err1:
	close(fd);
err0:
	return (-1);
}

/* Refuse a client.ini that others own or may change, as ssh does. */
static int
cc_check_perm(const char *path, const struct stat *st, char *err)
{

	if (st->st_uid == getuid() && (st->st_mode & 022) == 0)
		return (0);
	snprintf(err, CLIENTCONF_ERR_LEN, "%s: bad owner or permissions: it "
	    "must be yours and writable by you only; run 'chmod go-w %s'",
	    path, path);
	return (-1);
}

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
int
clientconf_load(const char *path, const char *alias, int must_exist,
    struct clientconf *cc, char err[CLIENTCONF_ERR_LEN])
{
	struct ccparse p;
	struct stat st;
	char *data;
	int rc;

	/* The file, if any; nobody else may have written it. */
	memset(cc, 0, sizeof(*cc));
	rc = clientconf_read(path, CC_FILE_MAX, &data, &p.len, &st, err);
	if (rc == 1 && !must_exist)
		return (0);
	if (rc == 1)
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: %s", path,
		    strerror(ENOENT));
	if (rc != 0)
		return (-1);
	if (cc_check_perm(path, &st, err)) {
		free(data);
		return (-1);
	}

	/* Parse; our first problem, or inih's syntax error, or nothing. */
	memset(&p.seen, 0, sizeof(p.seen));
	p.path = path;
	p.alias = alias;
	p.cc = cc;
	p.data = data;
	p.off = 0;
	p.lineno = p.in_alias = p.errline = 0;
	rc = ini_parse_stream(cc_reader, &p, cc_handler, &p);
	free(data);
	if (rc < 0)
		snprintf(err, CLIENTCONF_ERR_LEN, "%s: out of memory", path);
	else if (p.errline != 0 && (rc == 0 || p.errline <= rc))
		snprintf(err, CLIENTCONF_ERR_LEN, "%s:%d: %s", path,
		    p.errline, p.problem);
	else if (rc > 0)
		snprintf(err, CLIENTCONF_ERR_LEN, "%s:%d: syntax error", path,
		    rc);
	if (rc != 0 || p.errline != 0) {
		clientconf_free(cc);
		return (-1);
	}
	return (0);
}

/**
 * clientconf_free(cc):
 * Free what clientconf_load stored in ${cc}, and clear it.
 */
void
clientconf_free(struct clientconf *cc)
{

	free(cc->hostname);
	free(cc->identity);
	free(cc->server_key);
	memset(cc, 0, sizeof(*cc));
}
