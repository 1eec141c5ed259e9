"""Reading a command's input: a file, stdin (`-`), or the arguments themselves."""

from __future__ import annotations

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit, isatty


def read_text(ctx: Context, source: str | None) -> str:
    """The text of `source`: a file's path, `-` for stdin, None for stdin when piped."""
    stdin = ctx.runtime.streams.stdin
    if source is None:
        if isatty(stdin):
            raise CliError(Exit.USAGE, "no input: give a FILE, or - and pipe the codes in")
        source = "-"
    if source == "-":
        try:
            return stdin.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CliError(Exit.USAGE, f"cannot read stdin: {error}") from None
    from pathlib import Path

    path = Path(source).expanduser()
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except IsADirectoryError:
        raise CliError(Exit.USAGE, f"{path} is a folder: give a file") from None
    except OSError as error:
        raise CliError(Exit.USAGE, f"cannot read {path}: {error.strerror or error}") from None


def args_or_stdin(ctx: Context, values: list[str]) -> str:
    """The arguments as one text, or stdin's text where an argument is `-`."""
    parts = []
    for value in values:
        parts.append(read_text(ctx, "-") if value == "-" else value)
    return "\n".join(parts)


__all__ = ["args_or_stdin", "read_text"]
