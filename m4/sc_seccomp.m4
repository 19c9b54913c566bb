# SC_WITH_SECCOMP
# ---------------
# --with-seccomp=yes|no|auto (default auto): build the system call
# allowlist of the session child with libseccomp, found with pkg-config
# (Debian: libseccomp-dev).  yes fails when libseccomp is missing; auto
# uses it when found.  The sanitizers need system calls (clone, ptrace,
# reads of /proc) that the allowlist kills, so --enable-sanitizers turns
# seccomp off, with a message.  Defines HAVE_SECCOMP and substitutes
# SECCOMP_CFLAGS and SECCOMP_LIBS.  Call after SC_ENABLE_SANITIZERS and
# PKG_PROG_PKG_CONFIG.
AC_DEFUN([SC_WITH_SECCOMP], [
	AC_ARG_WITH([seccomp],
	    [AS_HELP_STRING([--with-seccomp=yes|no|auto],
	        [system call allowlist for sessions, with libseccomp
	        (default: auto; off with --enable-sanitizers)])],
	    [], [with_seccomp=auto])
	AS_CASE([$with_seccomp], [yes|no|auto], [],
	    [AC_MSG_ERROR([--with-seccomp takes yes, no or auto, not '$with_seccomp'])])
	AS_IF([test "x$enable_sanitizers" = xyes && test "x$with_seccomp" != xno], [
		AC_MSG_NOTICE([seccomp turned off: it does not mix with the sanitizers (--enable-sanitizers)])
		with_seccomp=no
	])
	sc_have_seccomp=no
	AS_IF([test "x$with_seccomp" != xno], [
		PKG_CHECK_MODULES([SECCOMP], [libseccomp >= 2.4],
		    [sc_have_seccomp=yes],
		    [AS_IF([test "x$with_seccomp" = xyes],
		        [AC_MSG_ERROR([libseccomp >= 2.4 not found: install it with 'apt-get install libseccomp-dev', or configure --with-seccomp=no])])])
	])
	AS_IF([test "x$sc_have_seccomp" = xyes],
	    [AC_DEFINE([HAVE_SECCOMP], [1],
	        [Define to 1 to build the session's system call allowlist.])],
	    [SECCOMP_CFLAGS=; SECCOMP_LIBS=])
	AC_SUBST([SECCOMP_CFLAGS])
	AC_SUBST([SECCOMP_LIBS])
	AC_MSG_CHECKING([whether sessions get a system call allowlist])
	AC_MSG_RESULT([$sc_have_seccomp])
])
