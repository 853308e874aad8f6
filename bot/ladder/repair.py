"""Repair text that was UTF-8 but got decoded as Mac Roman (or similar) on its way to us.

ftfy fixes most of it (`‚Äôs` -> `’s`), but not emoji whose first byte Mac Roman
maps to the private-use Apple logo U+F8FF: `\\uf8ffü¶â` stays as it is. For those we
re-encode each run of suspicious characters as Mac Roman and keep the result only
when it decodes as valid UTF-8, which ordinary accented text never does.
"""

from __future__ import annotations

import re

import ftfy

# A run of non-ASCII characters that Mac Roman can encode (it covers U+F8FF too).
_SUSPICIOUS_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _lead_byte_lookalikes() -> frozenset[str]:
    """Characters that UTF-8 lead bytes (0xC2-0xF4) turn into when read as Latin-1,
    cp1252 or Mac Roman. Mojibake always contains one; clean text rarely does."""
    found = set()
    for codec in ("latin-1", "cp1252", "mac_roman"):
        for byte in range(0xC2, 0xF5):
            try:
                found.add(bytes([byte]).decode(codec))
            except UnicodeDecodeError:
                pass
    return frozenset(found)


_LOOKALIKES = _lead_byte_lookalikes()


def repair_text(text: str) -> str:
    """Return `text` with mojibake repaired and line endings normalised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if text.isascii() or _LOOKALIKES.isdisjoint(text):  # isascii: a flag CPython keeps, no scan
        return text  # nothing that could be mojibake: skip ftfy, the slow part of loading
    # uncurl_quotes=False: the author's curly apostrophes are content, keep them.
    text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    return _SUSPICIOUS_RUN.sub(_redecode_mac_roman, text)


def _redecode_mac_roman(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        repaired = run.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run
    # Valid UTF-8 that is shorter than its Mac Roman reading is a real repair.
    return repaired if len(repaired) < len(run) else run


def decode_bytes(data: bytes) -> tuple[str, bool]:
    """Decode a content file; returns (text, was_valid_utf8).

    Invalid UTF-8 is decoded with replacement characters so the rest of the file
    still loads; the caller reports it.
    """
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False
