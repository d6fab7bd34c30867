"""How long an SMS is and how many parts it is sent in (3GPP TS 23.038 / 23.040), a pure function.

A text made only of GSM-7 characters is sent 160 septets in one SMS, or 153 per part when concatenated
(the other 7 carry the part header); the extension characters (€ [ ] { } | ^ ~ \\ and form feed) take
two septets each. Any other character (every Chinese one) makes the whole text UCS-2: 70 UTF-16 units
in one SMS, 67 per part; a character outside the BMP (an emoji) takes two units. A two-unit character
is never split between parts, so a part may carry one unit less.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7, UCS2 = "GSM-7", "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}  # (one SMS, one part of a concatenated SMS)


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM-7 or UCS-2
    characters: int  # as the reader counts them
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # SMS parts; 0 for an empty text
    per_segment: int  # the units one part holds here: 160/153 or 70/67


def _unit_widths(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return GSM7, [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_length(text: str) -> SmsLength:
    """The encoding, length and number of parts of `text` as an SMS."""
    encoding, widths = _unit_widths(text)
    single, part = LIMITS[encoding]
    units = sum(widths)
    if units == 0:
        return SmsLength(encoding, 0, 0, 0, single)
    if units <= single:
        return SmsLength(encoding, len(text), units, 1, single)
    segments, filled = 1, 0
    for width in widths:  # greedy: a character that does not fit whole starts the next part
        if filled + width > part:
            segments, filled = segments + 1, 0
        filled += width
    return SmsLength(encoding, len(text), units, segments, part)
