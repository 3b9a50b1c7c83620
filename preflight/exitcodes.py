"""The process exit codes of every command (README "Exit codes"), defined once."""

from __future__ import annotations

EXIT_GO = 0
EXIT_NO_GO = 1  # at least one check at or above --fail-on failed or errored
EXIT_USAGE = 2  # usage error or nothing to evaluate
EXIT_INTERNAL = 3  # a bug: one line, the traceback with --debug
EXIT_EXCEPTIONS = 4  # GO WITH EXCEPTIONS under --fail-on exceptions: a human must accept them
EXIT_INTERRUPTED = 130  # 128 + SIGINT (Ctrl-C): the partial report is written, marked incomplete
EXIT_TERMINATED = 143  # 128 + SIGTERM (how CI cancels a job): handled like Ctrl-C
