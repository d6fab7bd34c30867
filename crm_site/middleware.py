"""The one HTML error path for domain errors: a 4xx page (or fragment, for htmx) with the message."""

from django.shortcuts import render

from .exceptions import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "_error_fragment.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"message": exception.message}, status=exception.status_code)
