"""Request parsers for the API: the default for every view (settings.REST_FRAMEWORK)."""

from __future__ import annotations

import codecs
import io
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import JSONRenderer

from .bounds import NUL, body_too_large_message, nul_message, view_body_limit

# No body of this API nests deeper than a few levels (the audience's category is the deepest, at 3);
# a limit far above that keeps a deeply nested body from reaching code that recurses over it.
JSON_MAX_DEPTH = 32


def json_check(data: object, *, refuse_nul: bool = True) -> None:
    """ParseError if `data` nests deeper than JSON_MAX_DEPTH or holds text PostgreSQL or UTF-8 can't take.

    Python's json module accepts a lone surrogate escape ("\\ud800"); such a string cannot be encoded
    as UTF-8, so an error message that echoes it (an unknown choice) would crash the renderer with a
    500. A NUL ("\\u0000") can't be stored in a text or jsonb column. Walked with a stack, not by
    recursion, so the check itself can't overflow.
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, str):
                _text_check(value, refuse_nul=refuse_nul)
            continue
        if depth > JSON_MAX_DEPTH:
            raise ParseError(_too_deep())
        stack.extend((child, depth + 1) for child in children)


def _text_check(text: str, *, refuse_nul: bool) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(_("JSON parse error - a string contains an unpaired surrogate escape (\\ud800-\\udfff).")
                         ) from exc
    if refuse_nul and NUL in text:
        raise ParseError(nul_message())


def _too_deep() -> str:
    return _("JSON parse error - the body nests deeper than %(depth)d levels.") % {"depth": JSON_MAX_DEPTH}


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_parse(stream, *, encoding: str, options: dict, refuse_nul: bool = True) -> object:
    try:
        data = json.load(codecs.getreader(encoding)(stream), **options)
    except RecursionError as exc:  # the decoder recurses per level: a body of 100,000 "[" ends here
        raise ParseError(_too_deep()) from exc
    except ValueError as exc:  # bad JSON, bad encoding, an integer of more than 4300 digits
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
    json_check(data, refuse_nul=refuse_nul)
    return data


class BodyTooLarge(APIException):
    status_code = 413
    default_code = "body_too_large"


class StrictJSONParser(JSONParser):
    """JSON as PostgreSQL and our code can take it: bounded depth, real Unicode text, no NUL."""

    refuse_nul = True

    def json_options(self) -> dict:
        return {"parse_constant": _refuse_constant}  # NaN and Infinity are not JSON

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return json_parse(stream, encoding=encoding, options=self.json_options(), refuse_nul=self.refuse_nul)


class LargeJSONParser(BaseParser):
    """StrictJSONParser's rules for a view that takes bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE.

    The view names the setting of its limit (`max_body_setting`, crm_site.bounds.view_body_limit).
    DRF reads request.body, under Django's limit, only for a JSONParser; this one is not, so it gets
    the request stream and reads at most the view's limit (BadInputMiddleware has refused a larger
    Content-Length already; this holds without one too).
    """

    media_type = "application/json"
    renderer_class = JSONRenderer
    refuse_nul = True

    def json_options(self) -> dict:
        return {"parse_constant": _refuse_constant}

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context or {}
        limit = view_body_limit(type(context.get("view")))
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge(body_too_large_message(limit))
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        return json_parse(io.BytesIO(body), encoding=encoding, options=self.json_options(),
                          refuse_nul=self.refuse_nul)
