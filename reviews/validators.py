"""Checks on free text that every way in shares: the model fields (so the admin), the forms and the import."""

import re

from django.core.exceptions import ValidationError

# The characters XML 1.0 cannot carry (its Char production allows #x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF]). An XLSX workbook is XML: one of these in a cell spoils the file.
_XML_CHARS = "\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
ILLEGAL_XML_CHARACTERS = re.compile(f"[^{_XML_CHARS}]")
# The same but NUL, which Django's form fields and PostgreSQL already refuse with their own message.
_ILLEGAL_BUT_NUL = re.compile(f"[^\x00{_XML_CHARS}]")


def first_illegal_character(text, *, pattern=ILLEGAL_XML_CHARACTERS):
    """``(position, "U+FFFF")`` of the first character XML 1.0 cannot carry (position counts from 1), or None."""
    match = pattern.search(text)
    if match is None:
        return None
    return match.start() + 1, f"U+{ord(match.group()):04X}"


def validate_xml_text(value):
    """Refuse text holding a character XML 1.0 cannot carry (the exports' workbooks are XML).

    NUL (U+0000) is left to Django's ``ProhibitNullCharactersValidator``, which every form field already
    has (and PostgreSQL refuses it), so a form shows one message for it, not two.
    """
    found = first_illegal_character(value, pattern=_ILLEGAL_BUT_NUL) if isinstance(value, str) else None
    if found is not None:
        position, character = found
        raise ValidationError(
            "Remove the character %(character)s (character %(position)s): it cannot be stored",
            code="illegal_character",
            params={"character": character, "position": position},
        )
