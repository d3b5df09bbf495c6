from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views.serve import serve as serve_document
from wagtail.urls import serve_pattern

from portal import languages, routing
from portal.api import api_router

urlpatterns = [
    # Browsers and crawlers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path(
        "favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("portal/favicon.ico"), permanent=True)
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # Lessons show PDFs inline in an <object>: documents alone may be framed by our own pages.
    # A document may be gated course material, so no shared cache may keep a copy.
    re_path(
        r"^documents/(\d+)/(.*)$", cache_control(private=True)(xframe_options_sameorigin(serve_document))
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    # Permission-checked renditions and captions (playlists, segments, MP4s).
    path("media-files/", include("media_library.urls")),
    path("api/", api_router.urls),
    # LTI 1.3: login initiation, launch, JWKS, deep linking, Dynamic Registration.
    path("lti/", include("lti.urls")),
    path("", include("courses.urls")),
    path("", include("lessons.urls")),
    # Content packages: the lesson's gate, then signed sessions (player, files, runtime).
    path("", include("packages.urls")),
    path("", include("sharing.urls")),
    # The language switcher's form on pages outside the page tree (dashboard, account): keeps
    # the choice in the language cookie, and in the profile of a logged-in student.
    path("i18n/setlang/", languages.set_language, name="set_language"),
]

_on_filesystem = settings.DEFAULT_STORAGE["BACKEND"] == "django.core.files.storage.FileSystemStorage"
if _on_filesystem and settings.MEDIA_URL.startswith("/"):
    # Course covers and posters, in every environment that keeps uploads on the filesystem.
    from portal.images import IMAGE_PATH, serve_image

    urlpatterns.insert(0, re_path(rf"^{settings.MEDIA_URL.lstrip('/')}{IMAGE_PATH}$", serve_image))

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else, so it comes last.
# Pages are served by Wagtail's view with the Site and the route looked up in the cache first
# (portal.routing); Wagtail's other URLs (password-protected pages, its login) stay as they are.
wagtail_utility_urls = [url for url in wagtail_urls.urlpatterns if url.name != "wagtail_serve"]
# Pages of the default language keep their URLs; the others' are under /<language>/
# (README, "Languages"), where Wagtail's URL building puts a page of that locale.
urlpatterns += [path("", include(wagtail_utility_urls))]
urlpatterns += i18n_patterns(
    re_path(serve_pattern, routing.serve, name="wagtail_serve"),
    prefix_default_language=False,
)
