#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "allow.h"
#include "key.h"
#include "conf.h"

/*
 * conf_load() reads the file through ini_parse_stream() with its own line
 * reader rather than through ini_parse(), for two reasons.  inih does not
 * tell the handler the line number, and it goes on after an error, so the
 * reader counts lines to put the right number in front of the handler's
 * first message.  And inih r55 splits a line longer than its buffer into
 * pieces that it parses as separate lines; the reader refuses such a line
 * instead.
 */

#ifndef SYSCONFDIR
#error "SYSCONFDIR must be defined (to a string such as \"/etc\")"
#endif

/* Defaults. */
#define DEF_LISTEN		"127.0.0.1"
#define DEF_PORT		7070
#define DEF_DATA_PORT_MIN	40000
#define DEF_DATA_PORT_MAX	40999
#define DEF_SECRET_KEY		SYSCONFDIR "/secchat/keys/server.key"
#define DEF_HANDSHAKE_TIMEOUT	10
#define DEF_DATA_ACCEPT_TIMEOUT	10
#define DEF_IDLE_TIMEOUT	600
#define DEF_MAX_STARTUPS	64
#define DEF_MAX_SESSIONS	128

/* Bounds of a data port range other than "0". */
#define DATA_PORT_LOW		1024
#define DATA_PORT_HIGH		65535

/* Room for a problem, leaving room in CONF_ERR_LEN for "PATH:LINE: ". */
#define PROBLEM_LEN		400

/* Longest line inih reads whole: its buffer less the newline and NUL. */
#define CONF_LINE_MAX		(INI_MAX_LINE - 2)

/* The keys of [server], in the order conf_dump prints them. */
enum {
	KW_LISTEN,
	KW_PORT,
	KW_DATA_PORTS,
	KW_SECRET_KEY,
	KW_PUBLIC_KEY,
	KW_MODE,
	KW_HANDSHAKE_TIMEOUT,
	KW_DATA_ACCEPT_TIMEOUT,
	KW_IDLE_TIMEOUT,
	KW_MAX_STARTUPS,
	KW_MAX_SESSIONS,
	KW_COUNT
};

/* Name of each key, and the range of the numeric ones. */
static const struct keyword {
	const char *name;
	int min;
	int max;
} keywords[KW_COUNT] = {
	{ "listen", 0, 0 },
	{ "port", 0, 65535 },
	{ "data_ports", 0, 0 },
	{ "secret_key", 0, 0 },
	{ "public_key", 0, 0 },
	{ "mode", 0, 0 },
	{ "handshake_timeout", 1, 3600 },
	{ "data_accept_timeout", 1, 3600 },
	{ "idle_timeout", 1, 86400 },
	{ "max_startups", 1, 100000 },
	{ "max_sessions", 1, 100000 }
};

/* An [allow] entry as written, kept so that conf_dump can print it. */
struct conf_entry {
	char name[ALLOW_NAME_MAX + 1];
	uint8_t pub[KEY_LEN];
	char comment[KEY_COMMENT_MAX + 1];
};

/*
 * What conf_load allocates: the public structure first, so that a pointer
 * to it is also a pointer to this, and the [allow] entries in file order
 * (struct allow has no way to list them).
 */
struct conf_priv {
	struct conf c;
	struct conf_entry *ents;
	size_t nents;
	size_t cap;
};

/* State of one parse. */
struct parse {
	struct conf_priv *cp;
	const char *path;		/* the file, as given */
	char *dir;			/* its directory, absolute */
	FILE *f;
	int lineno;			/* line being parsed */
	int read_errno;			/* errno of a read error, or 0 */
	int errline;			/* line of the first error, or 0 */
	char err[PROBLEM_LEN];		/* message of the first error */
	int seen[KW_COUNT];		/* keys of [server] already set */
};

/* Record a problem on the current line unless one is recorded; return -1. */
static int conf_fail(struct parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int
conf_fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	/* Only the first problem counts. */
	if (p->errline != 0)
		return (-1);
	p->errline = p->lineno;

	/* Format it, and make any control character in it visible. */
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	for (s = p->err; *s != '\0'; s++) {
		if (!isprint((unsigned char)*s))
			*s = '?';
	}
	return (-1);
}

/*
 * Refuse a section header other than [server] and [allow] on its own line:
 * inih only tells the handler about sections that hold keys, and an empty
 * misspelt section is a typo all the same.
 */
static void
check_section(struct parse *p, const char *line)
{
	size_t len;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '[')
		return;
	len = strcspn(line + 1, "]");
	if (line[1 + len] != ']')
		return;
	if ((len == 6 && strncmp(line + 1, "server", 6) == 0) ||
	    (len == 5 && strncmp(line + 1, "allow", 5) == 0))
		return;
	conf_fail(p, "unknown section [%.*s]", (int)len, line + 1);
}

/* Read a line like fgets, counting lines and refusing overlong ones. */
static char *
conf_readline(char *buf, int size, void *cookie)
{
	struct parse *p = cookie;
	size_t len;
	int ch;

	/* Read up to the newline, or as much as fits. */
	if (fgets(buf, size, p->f) == NULL) {
		if (ferror(p->f))
			p->read_errno = errno;
		return (NULL);
	}
	p->lineno++;

	/*
	 * A full buffer without a newline is a line too long to parse whole:
	 * record the problem, skip the rest of the line, and hand inih what
	 * we have as a line of its own.
	 */
	len = strlen(buf);
	if (len == (size_t)size - 1 && buf[len - 1] != '\n') {
		conf_fail(p, "line too long (more than %d characters)",
		    size - 2);
		while ((ch = getc(p->f)) != EOF && ch != '\n')
			continue;
		buf[len - 1] = '\n';
	}
	check_section(p, buf);
	return (buf);
}

/* Parse ${s} as a decimal number in ${min}..${max} into ${out}. */
static int
parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	/* Digits only: no sign, no space, nothing after. */
	if (!isdigit((unsigned char)s[0]))
		return (-1);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = (int)v;
	return (0);
}

/* Return ${rel} taken from the directory ${dir}, or NULL if out of memory. */
static char *
path_join(const char *dir, const char *rel)
{
	size_t dlen = strlen(dir);
	size_t rlen = strlen(rel);
	char *s;

	/* An absolute path stays as it is. */
	if (rel[0] == '/')
		return (strdup(rel));

	/* Otherwise DIR/REL, with no double slash when DIR is "/". */
	if (dlen > 0 && dir[dlen - 1] == '/')
		dlen--;
	if ((s = malloc(dlen + 1 + rlen + 1)) == NULL)
		return (NULL);
	memcpy(s, dir, dlen);
	s[dlen] = '/';
	memcpy(s + dlen + 1, rel, rlen + 1);
	return (s);
}

/* Set the number for key ${kw} from ${value} into ${out}. */
static int
set_number(struct parse *p, int kw, const char *value, int *out)
{
	const struct keyword *k = &keywords[kw];

	if (parse_int(value, k->min, k->max, out))
		return (conf_fail(p, "%s: '%s' is not a number in %d..%d",
		    k->name, value, k->min, k->max));
	return (0);
}

/* Set the data port range from ${value}: "LOW-HIGH" or "0". */
static int
set_data_ports(struct parse *p, const char *value)
{
	struct conf *c = &p->cp->c;
	char buf[16];
	char *dash;

	/* "0" lets the kernel choose. */
	if (strcmp(value, "0") == 0) {
		c->data_port_min = c->data_port_max = 0;
		return (0);
	}

	/* Otherwise two numbers in range and in order. */
	if (strlen(value) >= sizeof(buf))
		goto bad;
	memcpy(buf, value, strlen(value) + 1);
	if ((dash = strchr(buf, '-')) == NULL)
		goto bad;
	*dash = '\0';
	if (parse_int(buf, DATA_PORT_LOW, DATA_PORT_HIGH, &c->data_port_min) ||
	    parse_int(dash + 1, DATA_PORT_LOW, DATA_PORT_HIGH,
	    &c->data_port_max) || c->data_port_min > c->data_port_max)
		goto bad;
	return (0);

bad:
	return (conf_fail(p, "data_ports: '%s' is not LOW-HIGH with "
	    "%d <= LOW <= HIGH <= %d, or 0", value, DATA_PORT_LOW,
	    DATA_PORT_HIGH));
}

/* Set the listen address from ${value}, an IPv4 or IPv6 literal. */
static int
set_listen(struct parse *p, const char *value)
{
	struct in6_addr addr;

	if (inet_pton(AF_INET, value, &addr) != 1 &&
	    inet_pton(AF_INET6, value, &addr) != 1)
		return (conf_fail(p, "listen: '%s' is not an IPv4 or IPv6 "
		    "address", value));
	if ((p->cp->c.listen = strdup(value)) == NULL)
		return (conf_fail(p, "out of memory"));
	return (0);
}

/* Set the key path ${out} for key ${kw} from ${value}. */
static int
set_path(struct parse *p, int kw, const char *value, char **out)
{

	if (value[0] == '\0')
		return (conf_fail(p, "%s: empty path", keywords[kw].name));
	if ((*out = path_join(p->dir, value)) == NULL)
		return (conf_fail(p, "out of memory"));
	return (0);
}

/* Set the conversation mode from ${value}. */
static int
set_mode(struct parse *p, const char *value)
{

	if (strcmp(value, "echo") != 0)
		return (conf_fail(p, "mode: unknown mode '%s' (the only mode "
		    "is 'echo')", value));
	p->cp->c.mode = CONF_MODE_ECHO;
	return (0);
}

/* Handle ${name} = ${value} in [server]. */
static int
set_server(struct parse *p, const char *name, const char *value)
{
	struct conf *c = &p->cp->c;
	int kw;

	/* Find the key; each may appear once. */
	for (kw = 0; kw < KW_COUNT; kw++) {
		if (strcmp(name, keywords[kw].name) == 0)
			break;
	}
	if (kw == KW_COUNT)
		return (conf_fail(p, "unknown key '%s' in [server]", name));
	if (p->seen[kw])
		return (conf_fail(p, "duplicate key '%s' in [server]", name));
	p->seen[kw] = 1;

	/* Parse the value into its field. */
	switch (kw) {
	case KW_LISTEN:
		return (set_listen(p, value));
	case KW_DATA_PORTS:
		return (set_data_ports(p, value));
	case KW_SECRET_KEY:
		return (set_path(p, kw, value, &c->secret_key));
	case KW_PUBLIC_KEY:
		return (set_path(p, kw, value, &c->public_key));
	case KW_MODE:
		return (set_mode(p, value));
	case KW_PORT:
		return (set_number(p, kw, value, &c->port));
	case KW_HANDSHAKE_TIMEOUT:
		return (set_number(p, kw, value, &c->handshake_timeout));
	case KW_DATA_ACCEPT_TIMEOUT:
		return (set_number(p, kw, value, &c->data_accept_timeout));
	case KW_IDLE_TIMEOUT:
		return (set_number(p, kw, value, &c->idle_timeout));
	case KW_MAX_STARTUPS:
		return (set_number(p, kw, value, &c->max_startups));
	default:
		return (set_number(p, kw, value, &c->max_sessions));
	}
}

/* Remember the [allow] entry ${name}, ${pub}, ${comment} for conf_dump. */
static int
entry_add(struct conf_priv *cp, const char *name, const uint8_t *pub,
    const char *comment)
{
	struct conf_entry *ents;
	struct conf_entry *e;
	size_t cap;

	/* Grow the array when it is full. */
	if (cp->nents == cp->cap) {
		cap = (cp->cap == 0) ? 8 : cp->cap * 2;
		if (cap > SIZE_MAX / sizeof(struct conf_entry))
			return (-1);
		ents = realloc(cp->ents, cap * sizeof(struct conf_entry));
		if (ents == NULL)
			return (-1);
		cp->ents = ents;
		cp->cap = cap;
	}

	/* Copy the entry; allow_add has checked the name's length. */
	e = &cp->ents[cp->nents++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	memcpy(e->pub, pub, KEY_LEN);
	snprintf(e->comment, sizeof(e->comment), "%s", comment);
	return (0);
}

/* Handle ${name} = ${value} in [allow]. */
static int
set_allow(struct parse *p, const char *name, const char *value)
{
	struct conf_priv *cp = p->cp;
	uint8_t pub[KEY_LEN];
	char comment[KEY_COMMENT_MAX + 1];
	char kerr[KEY_ERR_LEN];
	char aerr[ALLOW_ERR_LEN];

	/* Parse the public key line, then add the key under the name. */
	if (key_parse_public_line(value, pub, comment, kerr))
		return (conf_fail(p, "[allow] %s: bad public key: %s", name,
		    kerr));
	if (allow_add(cp->c.allow, name, pub, aerr))
		return (conf_fail(p, "[allow] %s: %s", name, aerr));
	if (entry_add(cp, name, pub, comment))
		return (conf_fail(p, "out of memory"));
	return (0);
}

/* The inih handler: return 1 if ${name} = ${value} in ${section} is good. */
static int
conf_handler(void *cookie, const char *section, const char *name,
    const char *value)
{
	struct parse *p = cookie;
	int rc;

	/* Send the pair to its section. */
	if (strcmp(section, "server") == 0)
		rc = set_server(p, name, value);
	else if (strcmp(section, "allow") == 0)
		rc = set_allow(p, name, value);
	else if (section[0] == '\0')
		rc = conf_fail(p, "'%s' is outside any section", name);
	else
		rc = conf_fail(p, "unknown section [%s]", section);
	return (rc == 0);
}

/* Return the absolute directory of ${path}, or NULL with errno set. */
static char *
conf_dir(const char *path)
{
	char *copy;
	char *dir;
	char *abs;

	/* dirname may modify its argument. */
	if ((copy = strdup(path)) == NULL)
		return (NULL);
	dir = dirname(copy);

	/* Keep an absolute directory as written; resolve a relative one. */
	if (dir[0] == '/')
		abs = strdup(dir);
	else
		abs = realpath(dir, NULL);
	free(copy);
	return (abs);
}

/* Allocate a configuration with every field unset; NULL if out of memory. */
static struct conf_priv *
conf_new(const char *path)
{
	struct conf_priv *cp;
	struct conf *c;

	if ((cp = calloc(1, sizeof(struct conf_priv))) == NULL)
		goto err0;
	c = &cp->c;
	c->port = c->data_port_min = c->data_port_max = -1;
	c->handshake_timeout = c->data_accept_timeout = c->idle_timeout = -1;
	c->max_startups = c->max_sessions = -1;

	/* Echo is the only mode, so it is the default until set. */
	c->mode = CONF_MODE_ECHO;
	if ((c->path = strdup(path)) == NULL)
		goto err1;
	if ((c->allow = allow_new()) == NULL)
		goto err1;
	return (cp);

err1:
	conf_free(c);
err0:
	return (NULL);
}

/* Turn the result ${rc} of the parse ${p} into 0, or -1 with ${err}. */
static int
conf_result(const struct parse *p, int rc, char err[CONF_ERR_LEN])
{

	/* A read error, or inih's out of memory (only with heap buffers). */
	if (p->read_errno != 0) {
		snprintf(err, CONF_ERR_LEN, "%s: %s", p->path,
		    strerror(p->read_errno));
		return (-1);
	}
	if (rc < 0) {
		snprintf(err, CONF_ERR_LEN, "%s: out of memory", p->path);
		return (-1);
	}

	/* Our first problem, unless inih found a syntax error before it. */
	if (p->errline != 0 && (rc == 0 || p->errline <= rc)) {
		snprintf(err, CONF_ERR_LEN, "%s:%d: %s", p->path, p->errline,
		    p->err);
		return (-1);
	}
	if (rc > 0) {
		snprintf(err, CONF_ERR_LEN, "%s:%d: syntax error", p->path, rc);
		return (-1);
	}
	return (0);
}

/* Fill what the file did not set in ${c}; return -1 if out of memory. */
static int
conf_defaults(struct conf *c)
{
	size_t len;

	if (c->listen == NULL && (c->listen = strdup(DEF_LISTEN)) == NULL)
		return (-1);
	if (c->port == -1)
		c->port = DEF_PORT;
	if (c->data_port_min == -1) {
		c->data_port_min = DEF_DATA_PORT_MIN;
		c->data_port_max = DEF_DATA_PORT_MAX;
	}
	if (c->secret_key == NULL &&
	    (c->secret_key = strdup(DEF_SECRET_KEY)) == NULL)
		return (-1);
	if (c->public_key == NULL) {
		len = strlen(c->secret_key) + sizeof(".pub");
		if ((c->public_key = malloc(len)) == NULL)
			return (-1);
		snprintf(c->public_key, len, "%s.pub", c->secret_key);
	}
	if (c->handshake_timeout == -1)
		c->handshake_timeout = DEF_HANDSHAKE_TIMEOUT;
	if (c->data_accept_timeout == -1)
		c->data_accept_timeout = DEF_DATA_ACCEPT_TIMEOUT;
	if (c->idle_timeout == -1)
		c->idle_timeout = DEF_IDLE_TIMEOUT;
	if (c->max_startups == -1)
		c->max_startups = DEF_MAX_STARTUPS;
	if (c->max_sessions == -1)
		c->max_sessions = DEF_MAX_SESSIONS;
	return (0);
}

/* Fill the defaults, check ${c} as a whole; 0, or -1 with ${err}. */
static int
conf_validate(struct conf *c, char err[CONF_ERR_LEN])
{

	/* What the file did not set takes its default. */
	if (conf_defaults(c)) {
		snprintf(err, CONF_ERR_LEN, "%s: out of memory", c->path);
		return (-1);
	}

	/* The data ports must not take the handshake port. */
	if (c->data_port_min != 0 && c->port >= c->data_port_min &&
	    c->port <= c->data_port_max) {
		snprintf(err, CONF_ERR_LEN, "%s: data_ports %d-%d contains "
		    "port %d", c->path, c->data_port_min, c->data_port_max,
		    c->port);
		return (-1);
	}

	/* The two halves of the key pair need two files. */
	if (strcmp(c->secret_key, c->public_key) == 0) {
		snprintf(err, CONF_ERR_LEN, "%s: secret_key and public_key "
		    "are the same file", c->path);
		return (-1);
	}
	return (0);
}

/**
 * conf_load(path, err):
 * Parse the server configuration ${path}.  Relative key paths are taken
 * from the directory of ${path}.  On failure returns NULL and writes
 * "PATH:LINE: problem" (or "PATH: problem" where no line applies) into
 * ${err} (CONF_ERR_LEN bytes).
 */
struct conf *
conf_load(const char *path, char err[CONF_ERR_LEN])
{
	struct parse p;
	int rc;

	/* Start with every field unset. */
	memset(&p, 0, sizeof(p));
	p.path = path;
	if ((p.cp = conf_new(path)) == NULL) {
		snprintf(err, CONF_ERR_LEN, "%s: out of memory", path);
		goto err0;
	}

	/* Open the file and find the directory of relative paths. */
	if ((p.f = fopen(path, "r")) == NULL) {
		snprintf(err, CONF_ERR_LEN, "%s: %s", path, strerror(errno));
		goto err1;
	}
	if ((p.dir = conf_dir(path)) == NULL) {
		snprintf(err, CONF_ERR_LEN, "%s: cannot find its directory: "
		    "%s", path, strerror(errno));
		goto err2;
	}

	/* Parse, then fill the defaults and check the whole. */
	rc = ini_parse_stream(conf_readline, &p, conf_handler, &p);
	if (conf_result(&p, rc, err) || conf_validate(&p.cp->c, err))
		goto err3;

	/* Success! */
	free(p.dir);
	fclose(p.f);
	return (&p.cp->c);

err3:
	free(p.dir);
err2:
	fclose(p.f);
err1:
	conf_free(&p.cp->c);
err0:
	/* Failure! */
	return (NULL);
}

/* Print the [allow] section of ${cp} to ${f}. */
static void
dump_allow(const struct conf_priv *cp, FILE *f)
{
	const struct conf_entry *e;
	char line[KEY_LINE_MAX + 1];
	size_t i;

	fprintf(f, "\n[allow]\n");
	for (i = 0; i < cp->nents; i++) {
		e = &cp->ents[i];

		/* Drop a comment that would make the line too long for inih. */
		key_format_public(e->pub, e->comment, line);
		if (strlen(e->name) + 3 + strlen(line) > CONF_LINE_MAX)
			key_format_public(e->pub, NULL, line);
		fprintf(f, "%s = %s\n", e->name, line);
	}
}

/**
 * conf_dump(c, f):
 * Print the effective configuration ${c} to ${f} in server.ini syntax, so
 * that the output parses to the same configuration.
 */
void
conf_dump(const struct conf *c, FILE *f)
{
	const struct conf_priv *cp = (const struct conf_priv *)c;

	/* The [server] keys, in the order of keywords[]. */
	fprintf(f, "[server]\n");
	fprintf(f, "listen = %s\n", c->listen);
	fprintf(f, "port = %d\n", c->port);
	if (c->data_port_min == 0)
		fprintf(f, "data_ports = 0\n");
	else
		fprintf(f, "data_ports = %d-%d\n", c->data_port_min,
		    c->data_port_max);
	fprintf(f, "secret_key = %s\n", c->secret_key);
	fprintf(f, "public_key = %s\n", c->public_key);
	fprintf(f, "mode = echo\n");
	fprintf(f, "handshake_timeout = %d\n", c->handshake_timeout);
	fprintf(f, "data_accept_timeout = %d\n", c->data_accept_timeout);
	fprintf(f, "idle_timeout = %d\n", c->idle_timeout);
	fprintf(f, "max_startups = %d\n", c->max_startups);
	fprintf(f, "max_sessions = %d\n", c->max_sessions);

	/* Then the allowlist, in file order. */
	dump_allow(cp, f);
}

/**
 * conf_free(c):
 * Free ${c}.  Does nothing if ${c} is NULL.
 */
void
conf_free(struct conf *c)
{
	struct conf_priv *cp = (struct conf_priv *)c;

	/* Behave consistently with free(NULL). */
	if (c == NULL)
		return;

	/* Free the strings, the allowlist and its copy, then the whole. */
	free(c->path);
	free(c->listen);
	free(c->secret_key);
	free(c->public_key);
	allow_free(c->allow);
	free(cp->ents);
	free(cp);
}
