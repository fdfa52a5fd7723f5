from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language


class ChosenLanguageMiddleware:
    """Dutch unless the person chose another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a shared tablet
    set up in English would then greet Dutch volunteers in English. Here only the choice
    made on the site (the language cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
