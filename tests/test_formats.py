from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_by_thousands_in_both_languages(language):
    with translation.override(language):
        assert floatformat(Decimal("1920000.5"), "2g") == "1,920,000.50"
