"""Vietnamese text helpers shared by search and slugs."""

import unicodedata

# Đ is a letter of its own, not D with a combining mark, so NFKD leaves it alone.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"Đ": "D", "đ": "d"})


def fold(text: str | None) -> str | None:
    """Return ``text`` without Vietnamese tone and vowel marks: "Miến dong" -> "Mien dong".

    Shoppers on phones often type without accents; search compares folded text on
    both sides. Case is kept: SQL ``LIKE``/``ILIKE`` handle case.
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
