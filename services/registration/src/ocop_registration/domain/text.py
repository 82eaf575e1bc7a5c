"""Vietnamese text: one normal form in storage, and a folded form for search."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """The same name arrives as NFC or NFD; store NFC, with inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Lower case without diacritics, so "Mật ong" and "mat ong" find each other."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
