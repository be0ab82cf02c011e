"""What counts as chat text at the front door (lex_proxy), the same code in AWS and locally.

A JSON body may carry escapes that decode to text no service downstream can take: a lone surrogate
(`"\\ud800"`, half of an emoji cut in two) is not Unicode text at all and cannot be encoded as UTF-8, so
it is refused; control characters (NUL, the other C0 and C1 controls, DEL) and Unicode noncharacters
are layout noise or worse, so they are cleaned to a space. Tab and newlines are kept.
"""

from __future__ import annotations

import re

# C0 controls but tab, LF and CR; DEL; C1 controls.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, ...).
NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef\ufffe\uffff" + "".join(f"\\U{p:04x}fffe\\U{p:04x}ffff" for p in range(1, 17)) + "]"
)
SURROGATE = re.compile(r"[\ud800-\udfff]")


class InvalidText(ValueError):
    """Text that is not Unicode: the message says where, for the client."""


def clean_text(text: str, field: str = "message") -> str:
    """`text` with controls and noncharacters turned into spaces and outer whitespace stripped, or
    `InvalidText` when it holds a lone surrogate (not a character; it has no UTF-8 form)."""
    surrogate = SURROGATE.search(text)
    if surrogate is not None:
        raise InvalidText(
            f'"{field}" is not valid Unicode text: a lone surrogate (U+{ord(surrogate.group()):04X}) '
            f"at position {surrogate.start()}; send UTF-8 text"
        )
    return NONCHARACTERS.sub(" ", CONTROLS.sub(" ", text)).strip()


def is_unicode_text(value: object) -> bool:
    """True when every string in a decoded JSON value (keys included) is Unicode text (has a UTF-8 form)."""
    if isinstance(value, str):
        return SURROGATE.search(value) is None
    if isinstance(value, dict):
        return all(is_unicode_text(k) and is_unicode_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_unicode_text(v) for v in value)
    return True
