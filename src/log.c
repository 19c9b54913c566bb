#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "secchat";
static int log_to_stderr = 1;
static int log_level = LOG_LEVEL_INFO;
static int log_facility = LOG_DAEMON;
static int log_debug_forced;

/**
 * log_open(ident, to_stderr, level, facility):
 * Log as ${ident} to stderr if ${to_stderr} is non-zero, else to syslog
 * with ${facility} (LOG_DAEMON, ...), dropping messages above ${level}.
 */
void
log_open(const char *ident, int to_stderr, int level, int facility)
{

	log_ident = ident;
	log_to_stderr = to_stderr;
	log_set(level, facility);
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/**
 * log_set(level, facility):
 * Change the level and the syslog facility of the open log (a reload);
 * after log_force_debug() the level stays at debug.
 */
void
log_set(int level, int facility)
{

	log_level = log_debug_forced ? LOG_LEVEL_DEBUG : level;
	log_facility = facility;
}

/**
 * log_force_debug():
 * Log at debug level whatever log_open or log_set say (secchatd -v).
 */
void
log_force_debug(void)
{

	log_debug_forced = 1;
	log_level = LOG_LEVEL_DEBUG;
}

/* Write one message at ${level} with the syslog priority ${prio}. */
static void
log_vwrite(int level, int prio, const char *fmt, va_list ap)
{
	char line[1024];
	char stamp[32];
	struct tm tm;
	time_t now;

	if (level > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (!log_to_stderr) {
		/* ${prio} may carry a facility (LOG_AUTH) of its own. */
		syslog((prio & ~0x07) ? prio : (log_facility | prio), "%s",
		    line);
		return;
	}

	/* One write per line, so that processes sharing stderr interleave
	 * whole lines. */
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	fprintf(stderr, "%s %s[%ld]: %s\n", stamp, log_ident, (long)getpid(),
	    line);
	fflush(stderr);
}

/* Log at error level. */
void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, LOG_ERR, fmt, ap);
	va_end(ap);
}

/* Log at warning level. */
void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* Log at info level. */
void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Log at debug level. */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Log an authentication event at info level. */
void
log_auth_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, LOG_AUTH | LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Log an authentication event at warning level. */
void
log_auth_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, LOG_AUTH | LOG_WARNING, fmt, ap);
	va_end(ap);
}

/**
 * log_escape(in, in_len, out, out_len):
 * Copy ${in_len} bytes of ${in} into ${out} (${out_len} bytes, NUL
 * terminated), replacing every byte that is not printable ASCII with \xHH
 * and truncating with "..." when it does not fit.  Returns ${out}.
 */
char *
log_escape(const void *in, size_t in_len, char *out, size_t out_len)
{
	const unsigned char *p = in;
	size_t i, o = 0;

	if (out_len < 5) {
		if (out_len > 0)
			out[0] = '\0';
		return (out);
	}
	for (i = 0; i < in_len; i++) {
		/* Leave room for "..." and the NUL. */
		if (o + 4 + 4 > out_len) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, out_len - o, "\\x%02x",
			    p[i]);
	}
	out[o] = '\0';
	return (out);
}
