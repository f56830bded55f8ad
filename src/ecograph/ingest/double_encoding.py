"""Lines encoded in UTF-8 twice («DÃ©partemental» for «Départemental»), read back as written.

A file some of whose rows went through a tool that read UTF-8 as Windows-1252 and wrote it
out again as UTF-8 is valid UTF-8, so decoding it raises nothing: the damage shows only as
«Ã©», «Ã¨», «â€™» in the text. A département's subsidy file of 2018 has its rows from July
on like this, the amounts' non-breaking spaces too («27Â 000,00»), which then no longer read
as numbers. Only lines holding such a sequence that stands for a letter or a sign of French
text are handed to ftfy, which undoes the double encoding where the result is plainly better
text and leaves a line alone otherwise (a genuine «Ã» in a name stays; «Â¡» is left as
written, as it may well have been).

The domain rules read a text's words through a bolder repair of their own
(``domain_rules.repaired``: «CÅ’UR» is «CŒUR» to them, which ftfy leaves as written): it
only decides which keyword a word is, and changes no stored text, so it may guess more.
"""

from __future__ import annotations

import re

#: What the bytes 0x80–0xBF (UTF-8's continuation bytes) read as in Windows-1252.
_CONTINUATION = (
    "\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
    "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a"
    "\u0153\u017e\u0178"
)
#: A UTF-8 sequence of two or three bytes read as Windows-1252: a lead byte's character
#: («Â», «Ã», «â»…) then one or two continuation bytes' («©», «€», «™»…).
_SEQUENCE = re.compile(f"[\u00c2-\u00df][{_CONTINUATION}]|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}")
#: What such a sequence must stand for to count as evidence: a letter («é», «à», «ç»), or the
#: signs French text is written with (a non-breaking space, typographic quotes and dashes).
_FRENCH_SIGNS = frozenset(
    "\u00a0\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u20ac\u00b0"
)
_SHOWN_LINES = 5


def undo_double_encoding(text: str) -> tuple[str, str | None]:
    """The text with each doubly encoded line repaired, and a note naming the first few
    repaired lines (None when no line changed)."""
    if not _SEQUENCE.search(text):
        return text, None
    from ftfy import fix_encoding

    pieces: list[str] = []
    repaired: list[int] = []
    written = 0  # text before this is in pieces
    checked = 0  # lines before this were looked at
    line_number, counted = 1, 0  # the line number at offset ``counted``
    for match in _SEQUENCE.finditer(text):
        if match.start() < checked or not _stands_for_french(match.group()):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end + 1
        checked = line_end
        line = text[line_start:line_end]
        fixed = fix_encoding(line)
        if fixed == line:
            continue
        line_number += text.count("\n", counted, line_start)
        counted = line_start
        repaired.append(line_number)
        pieces += [text[written:line_start], fixed]
        written = line_end
    if not repaired:
        return text, None
    pieces.append(text[written:])
    shown = ", ".join(str(n) for n in repaired[:_SHOWN_LINES])
    if len(repaired) > _SHOWN_LINES:
        shown += " …"
    note = (
        f"encoding: {len(repaired)} line(s) were encoded in UTF-8 twice («Ã©» for «é»; "
        f"line(s) {shown}) and were read back as first written"
    )
    return "".join(pieces), note


def _stands_for_french(sequence: str) -> bool:
    """Whether a sequence, read back as UTF-8, is a letter or a sign of French text: «Ã©» is
    «é», but «Â¡» (an inverted exclamation mark) is as likely to have been written so, and
    «É°» would read as «ɰ», a letter no French text holds."""
    try:
        character = sequence.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return False
    latin = "\u00c0" <= character <= "\u00ff" or character in "\u0152\u0153\u0178"
    return (latin and character.isalpha()) or character in _FRENCH_SIGNS
