/* For wcwidth(3). */
#define _XOPEN_SOURCE 700

#include "config.h"

#include <sys/ioctl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <sodium.h>

#ifdef HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#include "client-ui.h"

/*
 * Clearing the line being typed needs to know where it starts on the
 * screen.  With the line editor, the prompt and the line (up to the
 * cursor) are measured in columns and the cursor is moved back up that
 * many rows; after the output, libedit draws them again from scratch.
 * Without it, the kernel holds the line being typed and echoes it: only
 * the cursor's row is cleared (Ctrl-R, the terminal's reprint character,
 * shows the line again).  Moving and clearing use the ANSI sequences that
 * every terminal emulator knows, except on a terminal named "dumb".
 */

#define PROMPT		"> "
#define PROMPT_COLS	2

/* The interface's state. */
struct client_ui {
	int editor;		/* libedit reads standard input */
	int ansi;		/* standard error takes ANSI sequences */
	int shown;		/* a prompt is on the screen */
	int hidden;		/* ... and client_ui_hide cleared it */
	int ended;		/* no more input */
	char *line;		/* the line libedit finished, or NULL */
	int line_eof;		/* libedit saw the end of input */
};

#ifdef HAVE_LIBEDIT
/* The interface that the line handler reports to. */
static struct client_ui *editing;

/*
 * Take the line libedit finished (NULL at the end of input), and prompt
 * for the next one at once: libedit gives the terminal back to the kernel
 * while it calls this, and what is typed meanwhile would be echoed twice.
 */
static void
ui_line_handler(char *line)
{

	/* At the end, the prompt stays until client_ui_end clears it. */
	if (line == NULL) {
		editing->line_eof = 1;
		return;
	}
	if (line[0] != '\0')
		add_history(line);
	editing->line = line;
	rl_callback_handler_install(PROMPT, ui_line_handler);
}
#endif

/**
 * client_ui_new(editor):
 * Start the interface; with libedit reading standard input if ${editor}
 * is non-zero, secchat was built with libedit and standard error is a
 * terminal.  Returns NULL if out of memory.
 */
struct client_ui *
client_ui_new(int editor)
{
	struct client_ui *ui;
	const char *term = getenv("TERM");

	if ((ui = calloc(1, sizeof(*ui))) == NULL)
		return (NULL);
	ui->ansi = isatty(STDERR_FILENO) && term != NULL &&
	    strcmp(term, "dumb") != 0;
#ifdef HAVE_LIBEDIT
	if (editor && isatty(STDERR_FILENO) && editing == NULL) {
		/* Edit on standard error, as the prompt always was. */
		rl_instream = stdin;
		rl_outstream = stderr;
		rl_readline_name = "secchat";
		using_history();
		editing = ui;
		ui->editor = 1;
	}
#else
	(void)editor;
#endif
	return (ui);
}

/**
 * client_ui_editing(ui):
 * Return non-zero if the line editor of ${ui} reads standard input, so
 * that the caller must call client_ui_read rather than read it itself.
 */
int
client_ui_editing(const struct client_ui *ui)
{

	return (ui->editor);
}

/**
 * client_ui_prompt(ui):
 * Show the prompt for a new line, unless input has ended.
 */
void
client_ui_prompt(struct client_ui *ui)
{

	if (ui->ended || ui->shown)
		return;
	ui->shown = 1;
	ui->hidden = 0;
#ifdef HAVE_LIBEDIT
	if (ui->editor) {
		rl_callback_handler_install(PROMPT, ui_line_handler);
		return;
	}
#endif
	fputs(PROMPT, stderr);
	fflush(stderr);
}

/* Free the last line libedit gave, wiped: it was a message. */
static void
ui_drop_line(struct client_ui *ui)
{

	if (ui->line == NULL)
		return;
	sodium_memzero(ui->line, strlen(ui->line));
	free(ui->line);
	ui->line = NULL;
}

/**
 * client_ui_read(ui, line, len):
 * With the line editor, process what standard input has.  Returns
 * CLIENT_UI_LINE with a finished line in *${line} and *${len} (valid
 * until the next call; the prompt for the next one is shown already),
 * CLIENT_UI_QUIT at the end of input (Ctrl-D), or CLIENT_UI_NONE while
 * the line is not finished.
 */
int
client_ui_read(struct client_ui *ui, const uint8_t **line, size_t *len)
{
#ifdef HAVE_LIBEDIT
	int avail = 0;
#endif

	ui_drop_line(ui);
#ifdef HAVE_LIBEDIT
	/* Readable with nothing to read: the terminal hung up. */
	if (ioctl(STDIN_FILENO, FIONREAD, &avail) == 0 && avail == 0)
		ui->line_eof = 1;
	else if (ui->shown)
		rl_callback_read_char();
#endif
	if (ui->line_eof) {
		client_ui_end(ui);
		return (CLIENT_UI_QUIT);
	}
	if (ui->line == NULL)
		return (CLIENT_UI_NONE);
	*line = (const uint8_t *)ui->line;
	*len = strlen(ui->line);
	return (CLIENT_UI_LINE);
}

/* Print the commands. */
static void
ui_help(struct client_ui *ui)
{

	client_ui_hide(ui);
	fprintf(stderr, "secchat: commands:\n"
	    "  /help     print this list\n"
	    "  /quit     close the session and exit (as Ctrl-D does)\n"
	    "  //text    send the message \"/text\"\n"
	    "secchat: any other line is sent as a message.\n");
	client_ui_show(ui);
}

/**
 * client_ui_command(ui, line, len):
 * Interpret the line *${line} of *${len} bytes typed at the prompt;
 * without the line editor, that prompt is then used up (client_ui_prompt
 * shows the next one).  Returns CLIENT_UI_QUIT for /quit; CLIENT_UI_NONE for /help, which prints
 * the commands, and for an unknown command, which it reports; otherwise
 * CLIENT_UI_LINE, the line being a message, from which a leading "//"
 * loses one '/'.
 */
int
client_ui_command(struct client_ui *ui, const uint8_t **line, size_t *len)
{
	const char *s = (const char *)*line;
	const char *sp;

	/* Without the editor, the prompt on the screen is used up. */
	if (!ui->editor)
		ui->shown = ui->hidden = 0;
	if (*len == 0 || s[0] != '/')
		return (CLIENT_UI_LINE);
	if (*len >= 2 && s[1] == '/') {
		(*line)++;
		(*len)--;
		return (CLIENT_UI_LINE);
	}
	if (*len == 5 && memcmp(s, "/quit", 5) == 0) {
		client_ui_end(ui);
		return (CLIENT_UI_QUIT);
	}
	if (*len == 5 && memcmp(s, "/help", 5) == 0) {
		ui_help(ui);
		return (CLIENT_UI_NONE);
	}

	/* Name the command: the first word, within reason. */
	if ((sp = memchr(s, ' ', *len)) == NULL)
		sp = s + *len;
	client_ui_hide(ui);
	fprintf(stderr, "secchat: unknown command %.*s (/help lists the "
	    "commands; start a message with // to send it as it is)\n",
	    sp - s > 32 ? 32 : (int)(sp - s), s);
	client_ui_show(ui);
	return (CLIENT_UI_NONE);
}

#ifdef HAVE_LIBEDIT
/* Count the columns that libedit takes to draw ${s}[0..len). */
static size_t
ui_columns(const char *s, size_t len)
{
	mbstate_t mbs;
	wchar_t wc;
	size_t off, n, cols = 0;
	int w;

	memset(&mbs, 0, sizeof(mbs));
	for (off = 0; off < len; off += n) {
		n = mbrtowc(&wc, s + off, len - off, &mbs);
		if (n == 0 || n > len - off) {
			/* A byte that is not a character: drawn as \ooo. */
			memset(&mbs, 0, sizeof(mbs));
			n = 1;
			w = 4;
		} else if ((w = wcwidth(wc)) < 0)
			w = 2;		/* a control character: ^X */
		cols += (size_t)w;
	}
	return (cols);
}

/* Return how many rows above the cursor the prompt starts. */
static size_t
ui_rows_above(void)
{
	struct winsize ws;
	size_t cols = 80;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cols = ws.ws_col;
	if (rl_line_buffer == NULL || rl_point <= 0)
		return (0);
	return ((PROMPT_COLS + ui_columns(rl_line_buffer, (size_t)rl_point)) /
	    cols);
}
#endif

/**
 * client_ui_hide(ui):
 * Clear the prompt and the line being typed from the terminal, so that
 * something else can be printed.
 */
void
client_ui_hide(struct client_ui *ui)
{
	size_t up = 0;

	if (!ui->shown || ui->hidden)
		return;
	ui->hidden = 1;
	if (!ui->ansi) {
		fputc('\n', stderr);
		fflush(stderr);
		return;
	}
#ifdef HAVE_LIBEDIT
	if (ui->editor)
		up = ui_rows_above();
#endif
	if (up > 0)
		fprintf(stderr, "\r\033[%zuA\033[J", up);
	else
		fputs("\r\033[J", stderr);
	fflush(stderr);
}

/**
 * client_ui_show(ui):
 * Show again what client_ui_hide cleared, after the output.
 */
void
client_ui_show(struct client_ui *ui)
{

	if (!ui->hidden)
		return;
	ui->hidden = 0;
#ifdef HAVE_LIBEDIT
	if (ui->editor) {
		rl_forced_update_display();
		return;
	}
#endif
	fputs(PROMPT, stderr);
	fflush(stderr);
}

/**
 * client_ui_end(ui):
 * Input has ended: clear the prompt and show no other.
 */
void
client_ui_end(struct client_ui *ui)
{

	if (ui->ended)
		return;
	ui->ended = 1;
	client_ui_hide(ui);
#ifdef HAVE_LIBEDIT
	if (ui->editor && ui->shown)
		rl_callback_handler_remove();
#endif
	ui->shown = ui->hidden = 0;
}

/**
 * client_ui_free(ui):
 * Put the terminal back as it was, and free ${ui}.  Does nothing if ${ui}
 * is NULL.
 */
void
client_ui_free(struct client_ui *ui)
{

	if (ui == NULL)
		return;
	client_ui_end(ui);
	ui_drop_line(ui);
#ifdef HAVE_LIBEDIT
	if (ui->editor) {
		clear_history();
		editing = NULL;
	}
#endif
	free(ui);
}
