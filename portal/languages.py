"""The site's languages as a page sees them: its translations, for the language switcher and the
``hreflang`` alternates (README, "Languages").

A page's translations are the pages sharing its ``translation_key`` (Wagtail's i18n) that
visitors can reach, one per configured language, with their absolute URLs. They are cached under
the page tree's version, so a translation published or unpublished shows at once, and cost no
query on a warm cache. With one language configured there is nothing to switch to: no
switcher and no alternates, as on a single-language site.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware import locale
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.models import Page

from accounts.services import session_language, set_language_preference
from courses.services import visible_pages
from pagetree.services import cached_under_content_version, public

TIMEOUT = 60 * 60 * 24


def is_multilingual():
    return len(settings.LANGUAGES) > 1


def _translation_urls(page):
    """{language code: absolute URL} of ``page``'s reachable translations, itself included."""
    pages = public(Page.objects.filter(translation_key=page.translation_key).live())
    pages = visible_pages(Page, pages).select_related("locale")
    urls = {}
    for translated in pages:
        url = translated.get_full_url()
        if url:
            urls[translated.locale.language_code] = url
    return urls


def translation_urls(page):
    return cached_under_content_version(
        f"portal:translations:{page.translation_key}", lambda: _translation_urls(page), TIMEOUT
    )


def alternates(page):
    """The languages of the site, each with the URL of ``page`` in it (None: not translated):
    a list of dicts with ``code``, ``name`` (in that language), ``url``, its ``path`` and ``current``."""
    if page is None or not is_multilingual() or not isinstance(page, Page) or page.pk is None:
        return []
    urls = translation_urls(page)
    current = page.locale.language_code
    return [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": urls.get(code),
            # The switcher's form goes back to it by path: the Site's hostname may not be the request's.
            "path": urlsplit(urls[code]).path if urls.get(code) else None,
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, with the interface's language for the views outside the page
    tree taken from the visitor.

    Pages are in ``i18n_patterns`` without a prefix for the default language, so Django shows
    every URL without a prefix in the default language. That stays true of pages (the page
    cache relies on it: a page's language is its URL's), but the dashboard, the account pages
    and the other views have no page language: there the logged-in user's own language (their
    account's, put in their session at login: ``accounts.languages``), else the language cookie
    (the switcher's choice), else the browser's Accept-Language decides, as on a site without
    ``i18n_patterns``. Those responses vary with Accept-Language; pages and unknown URLs (404s)
    do not. The account's language is also written to the cookie, so it stays after logging out.
    """

    def process_request(self, request):
        super().process_request(request)
        request._language_from_url = True
        if translation.get_language_from_path(request.path_info):
            return
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return
        if match.url_name == "wagtail_serve":
            return
        request._language_from_url = False
        language = session_language(request) or translation.get_language_from_request(
            request, check_path=False
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Django's, except that a page's response does not vary with Accept-Language: its
        language is its URL's, so shared caches keep one copy per URL, as before languages."""
        if getattr(request, "_language_from_url", False):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        account = session_language(request)  # as it is now: the view may have changed it
        if account and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != account:
            set_language_cookie(response, account)
        return super().process_response(request, response)


def set_language_cookie(response, code):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """The language switcher's form: the chosen language in the cookie and, for a logged-in user,
    in their account (so it follows them to their next login); then back to ``next``.

    Unlike Django's ``set_language`` it never rewrites ``next``: the switcher on a page already
    names the page's translation (its own slug, under its own prefix), and the views it names
    elsewhere have no language prefix.
    """
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    response = HttpResponseRedirect(next_url if safe else "/")
    code = request.POST.get("language", "")
    if code in dict(settings.LANGUAGES):
        set_language_cookie(response, code)
        if request.user.is_authenticated:
            set_language_preference(request.user, code, request)
    return response


def keep_the_explorer_query_count():
    """Take wagtail-localize's per-row buttons out of the admin explorer's listing.

    For each page listed, its ``page_listing_more_buttons`` asks two queries (is there a locale
    left to translate into, is the page a translation source), so a course of 50 lessons cost
    90 queries more than one of 5 (tests/courses/test_explorer_queries.py). The same buttons
    ("Translate this page", "Sync translated pages") stay in each page's header, registered by
    wagtail-localize under ``register_page_header_buttons``. Wagtail has no public way to remove
    a hook; its registry is a dict of ``(function, order)`` lists.
    """
    from wagtail import hooks
    from wagtail_localize import wagtail_hooks as localize_hooks

    registered = hooks._hooks.get("register_page_listing_more_buttons", [])
    per_row = localize_hooks.page_listing_more_buttons
    registered[:] = [entry for entry in registered if entry[0] is not per_row]
