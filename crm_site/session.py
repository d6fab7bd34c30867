"""The signed-in session seen from the browser: the idle deadline it counts down to, and a keep-alive."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .middleware import SessionIdleRefreshMiddleware

WARN_BEFORE_SECONDS = 120  # "2 分钟后自动退出，继续？"


def session_timing(request) -> dict:
    """Context processor: the idle timeout the page's timer counts down (signed-in pages only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"session_timing": {"idle_seconds": settings.SESSION_COOKIE_AGE,
                               "refresh_seconds": settings.SESSION_REFRESH_SECONDS,
                               "warn_seconds": WARN_BEFORE_SECONDS}}


@require_POST
def keep_alive(request):
    """The "continue" button of the expiry warning: restart the idle timer now.

    An ended session answers 401 (not a redirect to the login form) so the page can say so itself.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session[SessionIdleRefreshMiddleware.KEY] = int(time.time())  # saved with a new expiry
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response
