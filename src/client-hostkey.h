#ifndef CLIENT_HOSTKEY_H_
#define CLIENT_HOSTKEY_H_

#include <stddef.h>
#include <stdint.h>

#include "key.h"

/*
 * The client's decision to trust the key a server has just proved, before
 * the client reveals its own: the key pinned with --server-key, else the
 * key that known_hosts has for the host, else the user's word (or
 * --accept-new, or --strict).
 */

struct client_opts;

/**
 * client_hostkey_verify(o, pub, asked):
 * Decide whether to trust the server key ${pub} for the host of ${o},
 * which has no pin: from ${o}->known_hosts and ${o}->newkey, asking the
 * user on the terminal if need be (then *${asked} is set to 1).  A key
 * accepted for the first time is added to known_hosts.  Returns
 * CLIENT_EXIT_OK to go on, or the CLIENT_EXIT_* status to exit with, the
 * reason printed on stderr.
 */
int client_hostkey_verify(const struct client_opts *, const uint8_t[KEY_LEN],
    int *);

/**
 * client_hostkey_changed(seen, expected, name, file, lineno):
 * Warn that the server showed the key ${seen} rather than ${expected}: the
 * one pinned with --server-key if ${file} is NULL, else the one that line
 * ${lineno} of the known_hosts file ${file} has for the host ${name}.
 */
void client_hostkey_changed(const uint8_t[KEY_LEN], const uint8_t[KEY_LEN],
    const char *, const char *, size_t);

#endif /* !CLIENT_HOSTKEY_H_ */
