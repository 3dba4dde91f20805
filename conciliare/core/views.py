"""Error pages: friendly, translated, and JSON for the API."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import ApplicationError


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
    return render(request, "error.html", {"title": title, "message": message, "status": status}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("Not allowed"), _("You are not allowed to do this."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("Page not found"), _("This page does not exist or is not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, "server_error", _("Something went wrong"), _("An unexpected error occurred; nothing was saved.")
    )


def application_error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    titles = {404: _("Page not found"), 409: _("Not possible now")}
    message = _("This page does not exist or is not yours to see.") if error.status == 404 else error.message
    return _error(request, error.status, error.code, titles.get(error.status, _("Bad request")), message)


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmarks: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
