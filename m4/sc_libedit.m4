# SC_WITH_LIBEDIT
# ---------------
# --with-libedit=yes|no|auto (default auto): line editing and history in
# secchat's interactive chat, through libedit's readline-compatible
# callback interface (editline/readline.h).  libedit is found with
# pkg-config (Debian: libedit-dev); auto uses it when it is there, yes
# fails without it, no leaves it out (plain line input).  Defines
# HAVE_LIBEDIT and substitutes LIBEDIT_CFLAGS and LIBEDIT_LIBS.
AC_DEFUN([SC_WITH_LIBEDIT], [
	AC_REQUIRE([PKG_PROG_PKG_CONFIG])
	AC_ARG_WITH([libedit],
	    [AS_HELP_STRING([--with-libedit@<:@=yes|no|auto@:>@],
	        [line editing and history in secchat's chat (default: auto)])],
	    [], [with_libedit=auto])
	AS_CASE([$with_libedit],
	    [yes|no|auto], [],
	    [AC_MSG_ERROR([--with-libedit takes yes, no or auto, not '$with_libedit'])])

	# The library, then the header and the callback interface.
	sc_have_libedit=no
	AS_IF([test "x$with_libedit" != xno], [
		PKG_CHECK_MODULES([LIBEDIT], [libedit],
		    [sc_have_libedit=yes], [sc_have_libedit=no])
	])
	AS_IF([test "x$sc_have_libedit" = xyes], [
		sc_saved_CPPFLAGS=$CPPFLAGS
		sc_saved_LIBS=$LIBS
		CPPFLAGS="$CPPFLAGS $LIBEDIT_CFLAGS"
		LIBS="$LIBEDIT_LIBS $LIBS"
		AC_MSG_CHECKING([for libedit's readline callback interface])
		AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <stdio.h>
#include <editline/readline.h>
static void handler(char *line) { (void)line; }
]], [[
	rl_callback_handler_install("> ", handler);
	rl_callback_read_char();
	rl_forced_update_display();
	rl_callback_handler_remove();
]])], [AC_MSG_RESULT([yes])],
		    [AC_MSG_RESULT([no]); sc_have_libedit=no])
		CPPFLAGS=$sc_saved_CPPFLAGS
		LIBS=$sc_saved_LIBS
	])

	# Decide.
	AS_IF([test "x$with_libedit" = xyes && test "x$sc_have_libedit" = xno],
	    [AC_MSG_ERROR([libedit not found: install it with 'apt-get install libedit-dev', or configure --without-libedit])])
	AS_IF([test "x$sc_have_libedit" = xyes],
	    [AC_DEFINE([HAVE_LIBEDIT], [1],
	        [Define to 1 to edit the chat's lines with libedit.])],
	    [LIBEDIT_CFLAGS=; LIBEDIT_LIBS=])
	AC_SUBST([LIBEDIT_CFLAGS])
	AC_SUBST([LIBEDIT_LIBS])
	AC_MSG_CHECKING([whether secchat edits lines with libedit])
	AC_MSG_RESULT([$sc_have_libedit])
])
