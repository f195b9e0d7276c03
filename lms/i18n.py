"""Language choice for every request: the signed-in person's, then ?lang= or the session's,
then Accept-Language; and the switcher's address, which remembers a choice."""

import functools
from urllib.parse import quote, urlencode

from babel import Locale
from flask import Flask, Request, current_app, g, redirect, request, session
from flask.sessions import SessionMixin
from flask_babel import Babel, get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from lms.access import current_person

# The default of the app's LANGUAGES setting: the languages with a shipped catalog.
SUPPORTED_LANGUAGES = ("en", "fr", "es", "pt", "sw", "ar", "bn", "id")
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in offered_languages():
        session["lang"] = chosen
    person = current_person()
    if person is not None and person.language in offered_languages():
        return person.language
    return requested_language(request, session, offered_languages())


def requested_language(http: Request, session_data: SessionMixin, offered: tuple[str, ...]) -> str:
    """The language asked for, whoever is signed in: ?lang=, the session's, else Accept-Language.

    It reads no database and changes nothing, so the page cache can key on it outside Flask."""
    for chosen in (http.args.get("lang"), session_data.get("lang")):
        if chosen in offered:
            return chosen
    return _best_match(http.headers.get("Accept-Language", ""), offered) or "en"


@functools.lru_cache(maxsize=256)
def _best_match(accept_language: str, offered: tuple[str, ...]) -> str | None:
    # Browsers send a handful of distinct headers; parsing one on every request showed up in
    # the profile of cached pages.
    return parse_accept_header(accept_language, LanguageAccept).best_match(offered)


def offered_languages() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def choose_language():
    """The switcher's target: remember the language chosen, then go back to the page.

    A page of its own rather than ?lang= on the page itself: a kept page (lms/pagecache.py)
    is answered without Flask, so it could not remember the choice in the session."""
    from lms.web.auth import _safe_next  # here: lms.web.auth imports this module

    chosen = request.args.get("lang")
    if chosen in offered_languages():
        session["lang"] = chosen
    return redirect(_safe_next(request.args.get("next")) or "/", 303)


def init_app(app: Flask) -> None:
    app.config.setdefault("LANGUAGES", SUPPORTED_LANGUAGES)
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
    # The same whitespace policy as extraction (babel.cfg), so {% trans %} msgids match.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.context_processor(_language_context)
    app.add_url_rule("/language", "choose_language", choose_language)


def _translations():
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def _language_context() -> dict:
    language = str(get_locale() or "en")
    return {
        "language": language,
        "direction": "rtl" if language in RIGHT_TO_LEFT else "ltr",
        "language_choices": autonyms(offered_languages()),
        "this_page": _this_page,
    }


def _this_page() -> str:
    """The page's path and query without ?lang=, which would outvote the switcher's choice."""
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return quote(request.path) + (f"?{urlencode(args)}" if args else "")


@functools.cache
def autonyms(languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each language with its name in itself, as someone looking for their language reads it."""
    return tuple((code, Locale.parse(code).get_display_name(code)) for code in languages)
