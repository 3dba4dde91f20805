from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
