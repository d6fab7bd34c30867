"""The site's own pages for 403, 404 and 500: in the reader's language, with the layout and navigation,
saying why and offering a way back. htmx requests get the message in the page's error area instead
(HX-Retarget/HX-Reswap), so a refused panel never draws a whole page inside itself.

Wired as handler403/404/500 in crm_site.urls, and from DomainErrorMiddleware for PermissionDenied and
Http404 raised by views, so the answer is the same whether DEBUG is on or not.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound

logger = logging.getLogger(__name__)

# what a page is, by the URL namespace it lives in: "柜员无权查看网点看板"
PAGE_NAMES = {
    "scoring": gettext_lazy("the branch dashboard"),
    "campaigns": gettext_lazy("campaigns"),
    "transactions": gettext_lazy("feed batches"),
    "accounts": gettext_lazy("master data loading"),
    "customers": gettext_lazy("the access record"),
    "teller": gettext_lazy("customer profiles"),
    "admin": gettext_lazy("administration"),
}


def _namespace(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.namespaces[0] if match.namespaces else ""


def forbidden_reason(request: HttpRequest, exception: Exception | None = None) -> str:
    """Why the reader may not see this page, in their language; a PermissionDenied's own message wins."""
    given = str(exception) if exception is not None else ""
    if given:
        return given
    # the staff profile is read here, not imported from branches: crm_site sits below the apps
    profile = getattr(getattr(request, "user", None), "staff_profile", None)
    page = PAGE_NAMES.get(_namespace(request))
    if profile is not None and page is not None:
        return _("%(role)s may not open %(page)s. Ask your branch manager.") % {
            "role": profile.get_role_display(), "page": page}
    if page is not None:
        return _("Your login may not open %(page)s. Ask your branch manager.") % {"page": page}
    return _("Your role may not open this page. Ask your branch manager.")


def _way_back(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if referer and parts.netloc == request.get_host() and parts.path != request.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def error_response(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    if getattr(request, "htmx", False) or request.headers.get("HX-Request") == "true":
        html = loader.render_to_string("_error_fragment.html", {"message": message, "title": title}, request)
        response = HttpResponse(html, status=status)
        response["HX-Retarget"] = "#htmx-error"
        response["HX-Reswap"] = "innerHTML"
        return response
    context = {"status": status, "title": title, "message": message, "back": _way_back(request)}
    return HttpResponse(loader.render_to_string("error_page.html", context, request), status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, status=403, title=_("You may not open this page"),
                          message=forbidden_reason(request, exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        # an address no API view takes (an unknown path, a customer number longer than any): DRF's JSON answer
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return error_response(request, status=404, title=_("Page not found"),
                          message=_("There is no such page, or what it showed no longer exists (a customer "
                                    "number merged into another, a campaign deleted). Check the address or "
                                    "search again."))


def server_error(request: HttpRequest) -> HttpResponse:
    title = _("Something went wrong on our side")
    message = _("The page could not be shown. Nothing you sent was half-saved: try again in a moment; if it "
                "keeps happening, tell the branch manager.")
    try:
        return error_response(request, status=500, title=title, message=message)
    except Exception:  # the site's layout needs the database: when that is what failed, a plain page
        logger.exception("the 500 page could not be drawn with the site's layout")
        html = loader.render_to_string("500_plain.html", {"title": title, "message": message})
        return HttpResponse(html, status=500)
