"""The SMS length rule: GSM-7 160/153, UCS-2 70/67, extension characters and emoji count double."""

import pytest

from campaigns.sms import GSM7, UCS2, sms_length


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments", "per_segment"),
    [
        ("", GSM7, 0, 0, 160),
        ("a" * 160, GSM7, 160, 1, 160),
        ("a" * 161, GSM7, 161, 2, 153),
        ("a" * 306, GSM7, 306, 2, 153),
        ("a" * 307, GSM7, 307, 3, 153),
        ("€" * 80, GSM7, 160, 1, 160),  # an extension character takes two septets
        ("a" + "€" * 80, GSM7, 161, 2, 153),
        ("中" * 70, UCS2, 70, 1, 70),
        ("中" * 71, UCS2, 71, 2, 67),
        ("中" * 134, UCS2, 134, 2, 67),
        ("中" * 135, UCS2, 135, 3, 67),
        ("a" * 69 + "中", UCS2, 70, 1, 70),  # one Chinese character makes the whole text UCS-2
        ("尊敬的客户，您好！", UCS2, 9, 1, 70),  # full-width punctuation is UCS-2 too
        ("😀" * 35, UCS2, 70, 1, 70),  # outside the BMP: two units each
    ],
)
def test_encoding_units_and_segments(text, encoding, units, segments, per_segment):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments, length.per_segment) == (
        encoding,
        units,
        segments,
        per_segment,
    )
    assert length.characters == len(text)


def test_a_two_unit_character_is_not_split_between_parts():
    # 152 septets then a two-septet "€": it does not fit the first part's last septet, so it starts the second
    assert sms_length("a" * 152 + "€" + "a" * 152).segments == 3
    assert sms_length("a" * 153 + "€" + "a" * 151).segments == 2
    # 66 units then an emoji (two units) in UCS-2: the emoji moves to the next part
    assert sms_length("中" * 66 + "😀" + "中" * 66).segments == 3
    assert sms_length("中" * 67 + "😀" + "中" * 65).segments == 2
