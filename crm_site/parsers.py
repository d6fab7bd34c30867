"""Request parsers for the API."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON whose strings are real Unicode text.

    Python's json module accepts a lone surrogate escape ("\\ud800"); such a string cannot be
    encoded as UTF-8, so an error message that echoes it (an unknown choice) would crash the
    renderer with a 500. Refusing it here makes it the 400 it is.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            message = _("JSON parse error - a string contains an unpaired surrogate escape (\\ud800-\\udfff).")
            raise ParseError(message) from exc
        return data
