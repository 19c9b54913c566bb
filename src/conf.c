#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslog.h>

#include <ini.h>

#include "allow.h"
#include "key.h"
#include "log.h"
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
#define DEF_PER_SOURCE_STARTUPS	8
#define DEF_MAX_SESSIONS	128
#define DEF_PENALTY_FAILURES	5
#define DEF_PENALTY_DURATION	30
#define DEF_USER		"nobody"
#define DEF_LOG_LEVEL		LOG_LEVEL_INFO
#define DEF_LOG_FACILITY	LOG_DAEMON

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
	KW_PER_SOURCE_STARTUPS,
	KW_MAX_SESSIONS,
	KW_PENALTY_FAILURES,
	KW_PENALTY_DURATION,
	KW_USER,
	KW_CHROOT,
	KW_PID_FILE,
	KW_LOG_LEVEL,
	KW_LOG_FACILITY,
	KW_COUNT
};

/* How the value of a key is read. */
enum kind {
	K_NUMBER,		/* an int in [min, max] */
	K_PATH,			/* a path, relative to the file's directory */
	K_STRING,		/* a string, not empty */
	K_SPECIAL		/* a parser of its own, in set_special */
};

/* Each key: name, kind, field (offset in struct conf), range. */
static const struct keyword {
	const char *name;
	enum kind kind;
	size_t offset;
	int min;
	int max;
} keywords[KW_COUNT] = {
	{ "listen", K_SPECIAL, 0, 0, 0 },
	{ "port", K_NUMBER, offsetof(struct conf, port), 0, 65535 },
	{ "data_ports", K_SPECIAL, 0, 0, 0 },
	{ "secret_key", K_PATH, offsetof(struct conf, secret_key), 0, 0 },
	{ "public_key", K_PATH, offsetof(struct conf, public_key), 0, 0 },
	{ "mode", K_SPECIAL, 0, 0, 0 },
	{ "handshake_timeout", K_NUMBER,
	    offsetof(struct conf, handshake_timeout), 1, 3600 },
	{ "data_accept_timeout", K_NUMBER,
	    offsetof(struct conf, data_accept_timeout), 1, 3600 },
	{ "idle_timeout", K_NUMBER, offsetof(struct conf, idle_timeout),
	    1, 86400 },
	{ "max_startups", K_NUMBER, offsetof(struct conf, max_startups),
	    1, 100000 },
	{ "per_source_startups", K_NUMBER,
	    offsetof(struct conf, per_source_startups), 1, 100000 },
	{ "max_sessions", K_NUMBER, offsetof(struct conf, max_sessions),
	    1, 100000 },
	{ "penalty_failures", K_NUMBER,
	    offsetof(struct conf, penalty_failures), 0, 1000 },
	{ "penalty_duration", K_NUMBER,
	    offsetof(struct conf, penalty_duration), 1, 86400 },
	{ "user", K_STRING, offsetof(struct conf, user), 0, 0 },
	{ "chroot", K_PATH, offsetof(struct conf, chroot), 0, 0 },
	{ "pid_file", K_PATH, offsetof(struct conf, pid_file), 0, 0 },
	{ "log_level", K_SPECIAL, 0, 0, 0 },
	{ "log_facility", K_SPECIAL, 0, 0, 0 }
};

/* Names of log levels and syslog facilities, as server.ini writes them. */
static const struct name_value {
	const char *name;
	int value;
} log_levels[] = {
	{ "error", LOG_LEVEL_ERROR }, { "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
	{ NULL, 0 }
}, log_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ NULL, 0 }
};

/* State of one parse. */
struct parse {
	struct conf *c;
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
	struct conf *c = p->c;
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

/* Set the listen addresses from ${value}: IPv4 or IPv6 literals, commas. */
static int
set_listen(struct parse *p, const char *value)
{
	struct in6_addr addr;
	char buf[CONF_LINE_MAX + 1], *tok, *save, *end;
	struct conf *c = p->c;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		/* Trim the spaces around each address. */
		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (inet_pton(AF_INET, tok, &addr) != 1 &&
		    inet_pton(AF_INET6, tok, &addr) != 1)
			return (conf_fail(p, "listen: '%s' is not an IPv4 or "
			    "IPv6 address", tok));
		if (c->nlisten == CONF_LISTEN_MAX)
			return (conf_fail(p, "listen: more than %d addresses",
			    CONF_LISTEN_MAX));
		if ((c->listen[c->nlisten++] = strdup(tok)) == NULL)
			return (conf_fail(p, "out of memory"));
	}
	if (c->nlisten == 0)
		return (conf_fail(p, "listen: no address"));
	return (0);
}

/* Set ${out} to the value of ${value} named in ${table} for key ${kw}. */
static int
set_named(struct parse *p, int kw, const struct name_value *table,
    const char *value, int *out)
{
	int i;

	for (i = 0; table[i].name != NULL; i++) {
		if (strcmp(table[i].name, value) == 0) {
			*out = table[i].value;
			return (0);
		}
	}
	return (conf_fail(p, "%s: unknown value '%s'", keywords[kw].name,
	    value));
}

/* Set the string ${out} for key ${kw} from ${value}, not empty. */
static int
set_string(struct parse *p, int kw, const char *value, char **out)
{

	if (value[0] == '\0')
		return (conf_fail(p, "%s: empty value", keywords[kw].name));
	if ((*out = strdup(value)) == NULL)
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
	p->c->mode = CONF_MODE_ECHO;
	return (0);
}

/* Set the key ${kw} that has a parser of its own from ${value}. */
static int
set_special(struct parse *p, int kw, const char *value)
{

	switch (kw) {
	case KW_LISTEN:
		return (set_listen(p, value));
	case KW_DATA_PORTS:
		return (set_data_ports(p, value));
	case KW_MODE:
		return (set_mode(p, value));
	case KW_LOG_LEVEL:
		return (set_named(p, kw, log_levels, value, &p->c->log_level));
	default:
		return (set_named(p, kw, log_facilities, value,
		    &p->c->log_facility));
	}
}

/* Handle ${name} = ${value} in [server]. */
static int
set_server(struct parse *p, const char *name, const char *value)
{
	char *field;
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
	field = (char *)p->c + keywords[kw].offset;
	switch (keywords[kw].kind) {
	case K_NUMBER:
		return (set_number(p, kw, value, (int *)(void *)field));
	case K_PATH:
		return (set_path(p, kw, value, (char **)(void *)field));
	case K_STRING:
		return (set_string(p, kw, value, (char **)(void *)field));
	default:
		return (set_special(p, kw, value));
	}
}

/* Handle ${name} = ${value} in [allow]. */
static int
set_allow(struct parse *p, const char *name, const char *value)
{
	struct allow_entry e;
	char err[ALLOW_ERR_LEN];

	if (allow_parse(name, value, &e, err) || allow_add(p->c->allow, &e, err))
		return (conf_fail(p, "[allow] %s: %s", name, err));
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
static struct conf *
conf_new(const char *path)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(struct conf))) == NULL)
		goto err0;
	c->port = c->data_port_min = c->data_port_max = -1;
	c->handshake_timeout = c->data_accept_timeout = c->idle_timeout = -1;
	c->max_startups = c->max_sessions = c->per_source_startups = -1;
	c->penalty_failures = c->penalty_duration = -1;
	c->log_level = c->log_facility = -1;

	/* Echo is the only mode, so it is the default until set. */
	c->mode = CONF_MODE_ECHO;
	if ((c->path = strdup(path)) == NULL)
		goto err1;
	if ((c->allow = allow_new()) == NULL)
		goto err1;
	return (c);

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

/* Fill the defaults of the operational keys; -1 if out of memory. */
static int
conf_defaults_more(struct conf *c)
{

	if (c->per_source_startups == -1)
		c->per_source_startups = DEF_PER_SOURCE_STARTUPS;
	if (c->penalty_failures == -1)
		c->penalty_failures = DEF_PENALTY_FAILURES;
	if (c->penalty_duration == -1)
		c->penalty_duration = DEF_PENALTY_DURATION;
	if (c->log_level == -1)
		c->log_level = DEF_LOG_LEVEL;
	if (c->log_facility == -1)
		c->log_facility = DEF_LOG_FACILITY;
	if (c->user == NULL && (c->user = strdup(DEF_USER)) == NULL)
		return (-1);
	return (0);
}

/* Fill what the file did not set in ${c}; return -1 if out of memory. */
static int
conf_defaults(struct conf *c)
{
	size_t len;

	if (c->nlisten == 0) {
		if ((c->listen[0] = strdup(DEF_LISTEN)) == NULL)
			return (-1);
		c->nlisten = 1;
	}
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
	return (conf_defaults_more(c));
}

/* Refuse the path ${value} of key ${name} if its line is too long. */
static int
path_too_long(const struct conf *c, const char *name, const char *value,
    char err[CONF_ERR_LEN])
{

	if (value == NULL || strlen(name) + 3 + strlen(value) <= CONF_LINE_MAX)
		return (0);
	snprintf(err, CONF_ERR_LEN, "%s: %s: the path %.60s... is %zu "
	    "characters long once absolute; at most %zu", c->path, name, value,
	    strlen(value), CONF_LINE_MAX - strlen(name) - 3);
	return (-1);
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

	/* Every path, made absolute, must still fit a line "secchatd -T"
	 * prints and inih reads back. */
	if (path_too_long(c, "secret_key", c->secret_key, err) ||
	    path_too_long(c, "public_key", c->public_key, err) ||
	    path_too_long(c, "chroot", c->chroot, err) ||
	    path_too_long(c, "pid_file", c->pid_file, err))
		return (-1);

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
	if ((p.c = conf_new(path)) == NULL) {
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
	if (conf_result(&p, rc, err) || conf_validate(p.c, err))
		goto err3;

	/* Success! */
	free(p.dir);
	fclose(p.f);
	return (p.c);

err3:
	free(p.dir);
err2:
	fclose(p.f);
err1:
	conf_free(p.c);
err0:
	/* Failure! */
	return (NULL);
}

/* Print the [allow] section of ${c} to ${f}. */
static void
dump_allow(const struct conf *c, FILE *f)
{
	struct allow_entry e;
	char value[ALLOW_VALUE_MAX];
	size_t i;

	fprintf(f, "\n[allow]\n");
	for (i = 0; i < allow_count(c->allow); i++) {
		e = *allow_get(c->allow, i);

		/* Drop a comment that would make the line too long for inih. */
		allow_format(&e, value);
		if (strlen(e.name) + 3 + strlen(value) > CONF_LINE_MAX) {
			e.comment[0] = '\0';
			allow_format(&e, value);
		}
		fprintf(f, "%s = %s\n", e.name, value);
	}
}

/* Return the name of ${value} in ${table}. */
static const char *
name_of(const struct name_value *table, int value)
{
	int i;

	for (i = 0; table[i].name != NULL; i++) {
		if (table[i].value == value)
			return (table[i].name);
	}
	return ("?");
}

/* Print the keys of [server] that have a parser of their own to ${f}. */
static void
dump_special(const struct conf *c, int kw, FILE *f)
{
	int i;

	fprintf(f, "%s = ", keywords[kw].name);
	switch (kw) {
	case KW_LISTEN:
		for (i = 0; i < c->nlisten; i++)
			fprintf(f, "%s%s", i ? ", " : "", c->listen[i]);
		break;
	case KW_DATA_PORTS:
		if (c->data_port_min == 0)
			fprintf(f, "0");
		else
			fprintf(f, "%d-%d", c->data_port_min,
			    c->data_port_max);
		break;
	case KW_MODE:
		fprintf(f, "echo");
		break;
	case KW_LOG_LEVEL:
		fprintf(f, "%s", name_of(log_levels, c->log_level));
		break;
	default:
		fprintf(f, "%s", name_of(log_facilities, c->log_facility));
	}
	fprintf(f, "\n");
}

/**
 * conf_dump(c, f):
 * Print the effective configuration ${c} to ${f} in server.ini syntax, so
 * that the output parses to the same configuration.
 */
void
conf_dump(const struct conf *c, FILE *f)
{
	const char *field;
	const char *str;
	int kw;

	/* The [server] keys, in the order of keywords[]. */
	fprintf(f, "[server]\n");
	for (kw = 0; kw < KW_COUNT; kw++) {
		field = (const char *)c + keywords[kw].offset;
		switch (keywords[kw].kind) {
		case K_NUMBER:
			fprintf(f, "%s = %d\n", keywords[kw].name,
			    *(const int *)(const void *)field);
			break;
		case K_SPECIAL:
			dump_special(c, kw, f);
			break;
		default:
			/* An unset optional path is left out. */
			str = *(char *const *)(const void *)field;
			if (str != NULL)
				fprintf(f, "%s = %s\n", keywords[kw].name, str);
		}
	}

	/* Then the allowlist, in file order. */
	dump_allow(c, f);
}

/**
 * conf_free(c):
 * Free ${c}.  Does nothing if ${c} is NULL.
 */
void
conf_free(struct conf *c)
{
	int i;

	/* Behave consistently with free(NULL). */
	if (c == NULL)
		return;

	/* Free the strings, the allowlist, then the whole. */
	free(c->path);
	for (i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	free(c->secret_key);
	free(c->public_key);
	free(c->user);
	free(c->chroot);
	free(c->pid_file);
	allow_free(c->allow);
	free(c);
}
