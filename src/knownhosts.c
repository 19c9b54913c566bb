#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientconf.h"
#include "key.h"
#include "knownhosts.h"

/* Largest known_hosts file read. */
#define KH_FILE_MAX	(1024 * 1024)

/* Longest line: a name, a space and a public key line. */
#define KH_LINE_MAX	(KNOWNHOSTS_NAME_MAX + 1 + KEY_LINE_MAX)

/* Mode of a new file; an existing one keeps its mode, at most this. */
#define KH_MODE		0644

/* A known_hosts file in memory, checked line by line. */
struct khfile {
	char path[PATH_MAX];	/* the file, a symbolic link resolved */
	char *data;		/* its contents; NULL if it does not exist */
	size_t len;
	unsigned int mode;	/* permission bits to write it with */
};

/* Return non-zero if ${name}[0..len) can be a name in the file. */
static int
kh_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > KNOWNHOSTS_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if (name[i] <= ' ' || name[i] > '~')
			return (0);
	}
	return (name[0] != '#');
}

/* Step to the line at *${off} in ${f}; 0 at the end of the file. */
static int
kh_next(const struct khfile *f, size_t *off, const char **line,
    size_t *len)
{
	const char *nl;

	if (*off >= f->len)
		return (0);
	*line = f->data + *off;
	nl = memchr(*line, '\n', f->len - *off);
	*len = (nl != NULL) ? (size_t)(nl - *line) : f->len - *off;
	*off += *len + (nl != NULL);
	return (1);
}

/*
 * Parse the line ${line}[0..len): 0 if it is blank or a comment, 1 if it
 * is an entry, whose name is ${namelen} bytes long and key ${pub}, or -1
 * with the problem in ${msg} (KEY_ERR_LEN bytes).
 */
static int
kh_parse(const char *line, size_t len, size_t *namelen,
    uint8_t pub[KEY_LEN], char *msg)
{
	char rest[KEY_LINE_MAX + 1];
	const char *sp;
	size_t skip = strspn(line, " \t");

	/* Blank lines and comments. */
	if (skip >= len || line[skip] == '#')
		return (0);
	if (len > KH_LINE_MAX) {
		snprintf(msg, KEY_ERR_LEN, "line too long (more than %d "
		    "bytes)", KH_LINE_MAX);
		return (-1);
	}

	/* The name, one space, a public key line. */
	sp = memchr(line, ' ', len);
	if (sp == NULL || !kh_name_ok(line, (size_t)(sp - line)) ||
	    len - (size_t)(sp - line) - 1 > KEY_LINE_MAX) {
		snprintf(msg, KEY_ERR_LEN, "expected 'HOST %s BASE64'",
		    KEY_PUBLIC_TAG);
		return (-1);
	}
	*namelen = (size_t)(sp - line);
	memcpy(rest, sp + 1, len - *namelen - 1);
	rest[len - *namelen - 1] = '\0';
	return (key_parse_public_line(rest, pub, NULL, msg) ? -1 : 1);
}

/* Read the file ${path} into ${f} and check every line of it. */
static int
kh_load(const char *path, struct khfile *f, char *err)
{
	char cerr[CLIENTCONF_ERR_LEN], msg[KEY_ERR_LEN], real[PATH_MAX];
	uint8_t pub[KEY_LEN];
	struct stat st;
	const char *line;
	size_t off = 0, len, namelen, lineno = 0;
	int rc;

	/* Through a symbolic link, rewrite what it points to. */
	memset(f, 0, sizeof(*f));
	f->mode = KH_MODE;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    realpath(path, real) != NULL)
		path = real;
	if (snprintf(f->path, sizeof(f->path), "%s", path) >=
	    (int)sizeof(f->path)) {
		snprintf(err, KNOWNHOSTS_ERR_LEN, "%s: path too long", path);
		return (-1);
	}

	/* A missing file has no entries. */
	rc = clientconf_read(f->path, KH_FILE_MAX, &f->data, &f->len, &st,
	    cerr);
	if (rc == 1)
		return (0);
	if (rc != 0) {
		snprintf(err, KNOWNHOSTS_ERR_LEN, "%s", cerr);
		return (-1);
	}
	f->mode = (unsigned int)st.st_mode & KH_MODE;

	/* Strict: one bad line spoils the file. */
	while (kh_next(f, &off, &line, &len)) {
		lineno++;
		if (kh_parse(line, len, &namelen, pub, msg) == -1) {
			snprintf(err, KNOWNHOSTS_ERR_LEN, "%s:%zu: %s", f->path,
			    lineno, msg);
			free(f->data);
			return (-1);
		}
	}
	return (0);
}

/* Return non-zero if the entry ${line} is for ${name}. */
static int
kh_entry_for(const char *line, size_t len, const char *name, uint8_t *pub)
{
	char msg[KEY_ERR_LEN];
	size_t namelen;

	return (kh_parse(line, len, &namelen, pub, msg) == 1 &&
	    namelen == strlen(name) && memcmp(line, name, namelen) == 0);
}

/**
 * knownhosts_check(path, name, pub, lineno, known, err):
 * Look up ${name} with the key ${pub} in the known_hosts file ${path}; a
 * missing file has no entries.  Returns KNOWNHOSTS_MATCH,
 * KNOWNHOSTS_UNKNOWN, or KNOWNHOSTS_CHANGED with the line number of the
 * name's first entry in *${lineno} and its key in ${known}; or -1 with a
 * message in ${err} (KNOWNHOSTS_ERR_LEN bytes) if the file cannot be read
 * or has a malformed line.
 */
int
knownhosts_check(const char *path, const char *name,
    const uint8_t pub[KEY_LEN], size_t *lineno, uint8_t known[KEY_LEN],
    char err[KNOWNHOSTS_ERR_LEN])
{
	struct khfile f;
	uint8_t key[KEY_LEN];
	const char *line;
	size_t off = 0, len, n = 0;
	int rc = KNOWNHOSTS_UNKNOWN;

	if (kh_load(path, &f, err))
		return (-1);
	while (rc != KNOWNHOSTS_MATCH && kh_next(&f, &off, &line, &len)) {
		n++;
		if (!kh_entry_for(line, len, name, key))
			continue;
		if (crypto_verify_32(key, pub) == 0)
			rc = KNOWNHOSTS_MATCH;
		else if (rc == KNOWNHOSTS_UNKNOWN) {
			rc = KNOWNHOSTS_CHANGED;
			*lineno = n;
			memcpy(known, key, KEY_LEN);
		}
	}
	free(f.data);
	return (rc);
}

/* Write ${len} bytes of ${data} over the file of ${f}. */
static int
kh_save(const struct khfile *f, const char *data, size_t len, char *err)
{
	char kerr[KEY_ERR_LEN];

	if (key_write_file(f->path, data, len, f->mode, kerr) == 0)
		return (0);
	snprintf(err, KNOWNHOSTS_ERR_LEN, "%s", kerr);
	return (-1);
}

/**
 * knownhosts_add(path, name, pub, err):
 * Add the entry "${name} ${pub}" at the end of the known_hosts file
 * ${path}, creating it (mode 0644) and its directory (mode 0700) if they
 * do not exist.  Returns 0, or -1 with a message in ${err}.
 */
int
knownhosts_add(const char *path, const char *name,
    const uint8_t pub[KEY_LEN], char err[KNOWNHOSTS_ERR_LEN])
{
	char entry[KH_LINE_MAX + 3], keyline[KEY_LINE_MAX + 1];
	struct khfile f;
	char *data;
	size_t len;
	int rc;

	if (!kh_name_ok(name, strlen(name))) {
		snprintf(err, KNOWNHOSTS_ERR_LEN, "'%s' cannot be a name in "
		    "%s", name, path);
		return (-1);
	}
	if (kh_load(path, &f, err))
		return (-1);

	/* The old contents, a newline if they lack one, the entry. */
	key_format_public(pub, NULL, keyline);
	len = (size_t)snprintf(entry, sizeof(entry), "%s%s %s\n",
	    (f.len > 0 && f.data[f.len - 1] != '\n') ? "\n" : "", name,
	    keyline);
	if ((data = malloc(f.len + len)) == NULL) {
		snprintf(err, KNOWNHOSTS_ERR_LEN, "%s: out of memory", path);
		free(f.data);
		return (-1);
	}
	if (f.len > 0)
		memcpy(data, f.data, f.len);
	memcpy(data + f.len, entry, len);
	rc = kh_save(&f, data, f.len + len, err);
	free(data);
	free(f.data);
	return (rc);
}

/**
 * knownhosts_remove(path, name, removed, err):
 * Remove every entry of ${name} from the known_hosts file ${path}, and
 * store how many there were in *${removed}; the file is rewritten only if
 * there was one.  A missing file has no entries.  Returns 0, or -1 with a
 * message in ${err}.
 */
int
knownhosts_remove(const char *path, const char *name, size_t *removed,
    char err[KNOWNHOSTS_ERR_LEN])
{
	uint8_t key[KEY_LEN];
	struct khfile f;
	const char *line;
	char *data;
	size_t off = 0, len, kept = 0;
	int rc = 0;

	*removed = 0;
	if (kh_load(path, &f, err))
		return (-1);
	if (f.data == NULL)
		return (0);
	if ((data = malloc(f.len)) == NULL) {
		snprintf(err, KNOWNHOSTS_ERR_LEN, "%s: out of memory", path);
		free(f.data);
		return (-1);
	}

	/* Keep every other line as it was, with its newline. */
	while (kh_next(&f, &off, &line, &len)) {
		if (kh_entry_for(line, len, name, key)) {
			(*removed)++;
			continue;
		}
		memcpy(data + kept, line, off - (size_t)(line - f.data));
		kept += off - (size_t)(line - f.data);
	}
	if (*removed > 0)
		rc = kh_save(&f, data, kept, err);
	free(data);
	free(f.data);
	return (rc);
}
