"""Make data safe for every output: one line, no control characters, no markup it did not mean.

Every value shown by a writer (terminal, Markdown report, JUnit, the signed sign-off, session exports)
comes from somewhere an operator does not control: a config value someone pasted, an exchange's
``retMsg``, a waiver's approver. A newline in such a value must never start a line of its own (a forged
``✓ PASS`` or a ticked ``- [x]`` item), an ESC or BEL must never reach a terminal, a character XML 1.0
forbids must never make a JUnit file unparseable, and Markdown, HTML or rich markup must show as text.
This module is the one implementation of those rules; writers call it and never escape on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# C0 and C1 controls, DEL, lone surrogates, the non-characters U+FFFE/U+FFFF (XML 1.0 forbids them),
# the line/paragraph separators, and the invisible format characters that reorder or hide text (bidi
# overrides and isolates, zero-width characters, BOM).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]"
)
# Characters CommonMark/GFM give a meaning inline (emphasis, code, links, HTML, entities, tables,
# strike-through, math); a backslash before any ASCII punctuation makes it literal. A lone ``]``
# closes nothing once every ``[`` is escaped. An underscore between two letters or digits (snake_case)
# can neither open nor close emphasis, so it stays readable.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[|~&$]|(?<![^\W_])_|_(?![^\W_])")
# ``<`` opens HTML (or an autolink) only before these; an entity is understood by every renderer.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
# What makes text a block (heading, quote, list, rule, setext underline) when it starts a line.
_BLOCK_START = re.compile(r"^(?:(#+(?= |$)|>|[-+](?= |$)|[-=]+ *$)|(\d{1,9})([.)])(?= |$))")
_WHITESPACE_RUN = re.compile(r"[ \t\n\r\v\f\x1c-\x1f\x85\u2028\u2029]+")
EMPTY = "(empty)"


def _visible(match: re.Match[str]) -> str:
    point = ord(match.group(0))
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def escape_controls(text: str) -> str:
    """Replace every control, separator, invisible format character and lone surrogate by ``\\xNN``."""
    return _UNSAFE.sub(_visible, text)


def one_line(text: str) -> str:
    """Return ``text`` on one line: whitespace runs (newlines too) become one space, controls escaped."""
    return escape_controls(_WHITESPACE_RUN.sub(" ", text).strip(" "))


def terminal(text: str) -> str:
    """Return ``text`` safe for one terminal line (rich Text): no ESC, BEL or newline of its own."""
    return one_line(text)


def md_text(text: str) -> str:
    """Return ``text`` as literal inline Markdown on one line: every markup character escaped."""
    flat = _MARKDOWN_SPECIAL.sub(
        lambda match: "\\" + match.group(0), _WHITESPACE_RUN.sub(" ", text).strip(" ")
    )
    flat = _TAG_START.sub("&lt;", flat)
    # Escaped at the start too, so the value stays text even where a writer puts it first on a line.
    flat = _BLOCK_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", flat
    )
    return escape_controls(flat)


def md_code(text: str) -> str:
    """Return ``text`` as one inline code span, however many backticks it holds (``(empty)`` if none)."""
    content = one_line(text)
    if not content:
        return EMPTY
    longest = max((len(run) for run in re.findall("`+", content)), default=0)
    fence = "`" * (longest + 1)
    # A space on both sides lets content start or end with a backtick (CommonMark strips one of each).
    padded = f" {content} " if longest or content.startswith(" ") else content
    return f"{fence}{padded}{fence}"


def md_cell(text: str) -> str:
    """Return ``text`` as literal content of one GFM table cell (pipes and backslashes escaped)."""
    return md_text(text)


def md_cell_code(text: str) -> str:
    """Return ``text`` as a code span inside a table cell, or as escaped text when it holds a pipe.

    A GFM table splits a cell at a pipe even inside a code span, and a code span cannot show a
    backslash right before an escaped pipe; escaped text shows every character exactly.
    """
    content = one_line(text)
    return md_text(content) if "|" in content else md_code(content)


def xml_line(text: str) -> str:
    """Return ``text`` on one line fit for XML 1.0 (which cannot carry controls or U+FFFE/U+FFFF)."""
    return one_line(text)


def json_text(text: str) -> str:
    """Return JSON text encodable as UTF-8: a lone surrogate becomes its JSON escape (``\\ud800``)."""
    # json.dumps(ensure_ascii=False) leaves lone surrogates raw; every surrogate left is inside a string.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def look_alike_note(name: str, candidates: Iterable[str]) -> str:
    """Say how ``name`` differs from a candidate that looks identical to it, or return "" when none does.

    Two strings can print the same and still differ: one composed (NFC: é as one code point), the
    other decomposed (NFD: e + combining accent), or one holding an invisible character. An error that
    shows both without saying so sends the operator hunting for a difference they cannot see.
    """
    for candidate in candidates:
        if candidate == name:
            continue
        if unicodedata.normalize("NFC", candidate) == unicodedata.normalize("NFC", name):
            forms = f"{_form(name)} vs {_form(candidate)}"
            return (
                f" ({name!a} and {candidate!a} look alike but differ in Unicode normalisation: "
                f"{forms}; retype the name or normalise the file to NFC)"
            )
        if _INVISIBLE.sub("", candidate) == _INVISIBLE.sub("", name):
            return f" ({name!a} and {candidate!a} look alike but differ by an invisible character)"
    return ""


_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def _form(text: str) -> str:
    if unicodedata.is_normalized("NFC", text):
        return "composed (NFC)"
    return "decomposed (NFD)" if unicodedata.is_normalized("NFD", text) else "mixed forms"
