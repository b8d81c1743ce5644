"""File names made from ids: readable, safe on every file system, and never the same for two ids.

``A/B`` and ``A_B`` used to both become ``A_B``, so one file overwrote the other. A name is
the id's readable slug (letters, digits, ``-`` and ``_``; other characters become ``_``),
cut to a safe length, plus ``~`` and 8 hex digits of the id's SHA-1 whenever the slug is not
the id itself. An id that is its own slug cannot clash with a changed one (its name has no
``~``); two changed ids clash only if both their slugs and 32 bits of their hashes agree. The
name of an id does not depend on which other ids exist, so it is the same in every plan.
"""

from __future__ import annotations

import hashlib

__all__ = ["MAX_SLUG_CHARS", "file_stem"]

MAX_SLUG_CHARS = 80
"""Characters of the readable part; well under the 255-byte file-name limit with suffixes."""


def _slug(text: str) -> str:
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_" for ch in text)


def file_stem(identifier: str) -> str:
    """The file-name stem for ``identifier`` (an id of a node, van, run…), unique per id."""
    slug = _slug(identifier)
    if slug == identifier and 0 < len(slug) <= MAX_SLUG_CHARS and not slug.startswith("-"):
        return slug
    digest = hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:8]
    return f"{slug[:MAX_SLUG_CHARS].lstrip('-') or 'id'}~{digest}"
