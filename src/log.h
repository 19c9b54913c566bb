#ifndef LOG_H_
#define LOG_H_

#include <stddef.h>

/*
 * Logging for the programs: to stderr (foreground, tests) or to syslog.
 * Messages never carry secrets or message contents; strings that came from
 * the network are escaped with log_escape first.
 */

#define LOG_LEVEL_ERROR	0
#define LOG_LEVEL_WARN	1
#define LOG_LEVEL_INFO	2
#define LOG_LEVEL_DEBUG	3

/**
 * log_open(ident, to_stderr, level, facility):
 * Log as ${ident} to stderr if ${to_stderr} is non-zero, else to syslog
 * with ${facility} (LOG_DAEMON, ...), dropping messages above ${level}.
 */
void log_open(const char *, int, int, int);

/**
 * log_set(level, facility):
 * Change the level and the syslog facility of the open log (a reload);
 * after log_force_debug() the level stays at debug.
 */
void log_set(int, int);

/**
 * log_force_debug():
 * Log at debug level whatever log_open or log_set say (secchatd -v).
 */
void log_force_debug(void);

/**
 * log_error(fmt, ...), log_warn, log_info, log_debug:
 * Log one line at that level.
 */
void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/**
 * log_auth_info(fmt, ...), log_auth_warn:
 * Log an authentication event (accept, refusal, revocation): to syslog
 * with the facility LOG_AUTH, whatever the configured one.
 */
void log_auth_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_auth_warn(const char *, ...) __attribute__((format(printf, 1, 2)));

/**
 * log_escape(in, in_len, out, out_len):
 * Copy ${in_len} bytes of ${in} into ${out} (${out_len} bytes, NUL
 * terminated), replacing every byte that is not printable ASCII with \xHH
 * and truncating with "..." when it does not fit.  Returns ${out}.
 */
char *log_escape(const void *, size_t, char *, size_t);

#endif /* !LOG_H_ */
