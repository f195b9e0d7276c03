"""Language choice for every request: the signed-in person's, then ?lang= or the session's,
then Accept-Language."""

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, get_translations

from lms.access import current_person

SUPPORTED_LANGUAGES = ("en",)
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        session["lang"] = chosen
    person = current_person()
    if person is not None and person.language in SUPPORTED_LANGUAGES:
        return person.language
    if session.get("lang") in SUPPORTED_LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    # flask-babel looks the catalog up again for every string (a dozen lookups through `g`);
    # a page needs it once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _translations().ugettext(text),
        ngettext=lambda one, many, n: _translations().ungettext(one, many, n),
        pgettext=lambda context, text: _translations().upgettext(context, text),
        npgettext=lambda context, one, many, n: _translations().unpgettext(context, one, many, n),
        newstyle=True,
    )
    app.context_processor(_language_context)


def _translations():
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def _language_context() -> dict:
    language = str(get_locale() or "en")
    return {"language": language, "direction": "rtl" if language in RIGHT_TO_LEFT else "ltr"}
