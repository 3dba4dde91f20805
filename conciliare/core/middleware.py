from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .errors import ApplicationError


class ItalianFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Italian unless the person chose English with the language switch.

    The browser's Accept-Language is ignored for pages (an alliance portal in
    Bergamo speaks Italian first), but honoured by the API, where a client
    asks for the language of error messages explicitly.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ApplicationErrorMiddleware:
    """A page whose service refused gets a clear 4xx page instead of a 500.

    Views handle the refusals they expect (form errors, messages); this is the
    net for the rest. The API has its own exception handler (api/errors.py).
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        from .views import application_error_page

        return application_error_page(request, exception)
