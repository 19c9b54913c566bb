#ifndef CLIENT_UI_H_
#define CLIENT_UI_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The terminal side of an interactive chat, when standard input is a
 * terminal: the prompt on standard error, line editing and history with
 * libedit when secchat has it and standard error is a terminal too (plain
 * line input otherwise), the commands typed at the prompt, and keeping the
 * line being typed whole while messages are printed.  The client's poll
 * loop stays in charge: it calls client_ui_read when standard input is
 * readable, and brackets every output with client_ui_hide and
 * client_ui_show.
 */

struct client_ui;

/* Results of client_ui_read and client_ui_command. */
#define CLIENT_UI_NONE	0	/* nothing to do yet, or done already */
#define CLIENT_UI_LINE	1	/* a message to send */
#define CLIENT_UI_QUIT	2	/* end of input: close the session */

/**
 * client_ui_new(editor):
 * Start the interface; with libedit reading standard input if ${editor}
 * is non-zero, secchat was built with libedit and standard error is a
 * terminal.  Returns NULL if out of memory.
 */
struct client_ui *client_ui_new(int);

/**
 * client_ui_editing(ui):
 * Return non-zero if the line editor of ${ui} reads standard input, so
 * that the caller must call client_ui_read rather than read it itself.
 */
int client_ui_editing(const struct client_ui *);

/**
 * client_ui_prompt(ui):
 * Show the prompt for a new line, unless input has ended.
 */
void client_ui_prompt(struct client_ui *);

/**
 * client_ui_read(ui, line, len):
 * With the line editor, process what standard input has.  Returns
 * CLIENT_UI_LINE with a finished line in *${line} and *${len} (valid
 * until the next call; the prompt for the next one is shown already),
 * CLIENT_UI_QUIT at the end of input (Ctrl-D), or CLIENT_UI_NONE while
 * the line is not finished.
 */
int client_ui_read(struct client_ui *, const uint8_t **, size_t *);

/**
 * client_ui_command(ui, line, len):
 * Interpret the line *${line} of *${len} bytes typed at the prompt;
 * without the line editor, that prompt is then used up (client_ui_prompt
 * shows the next one).  Returns CLIENT_UI_QUIT for /quit; CLIENT_UI_NONE for /help, which prints
 * the commands, and for an unknown command, which it reports; otherwise
 * CLIENT_UI_LINE, the line being a message, from which a leading "//"
 * loses one '/'.
 */
int client_ui_command(struct client_ui *, const uint8_t **, size_t *);

/**
 * client_ui_hide(ui):
 * Clear the prompt and the line being typed from the terminal, so that
 * something else can be printed.
 */
void client_ui_hide(struct client_ui *);

/**
 * client_ui_show(ui):
 * Show again what client_ui_hide cleared, after the output.
 */
void client_ui_show(struct client_ui *);

/**
 * client_ui_end(ui):
 * Input has ended: clear the prompt and show no other.
 */
void client_ui_end(struct client_ui *);

/**
 * client_ui_free(ui):
 * Put the terminal back as it was, and free ${ui}.  Does nothing if ${ui}
 * is NULL.
 */
void client_ui_free(struct client_ui *);

#endif /* !CLIENT_UI_H_ */
