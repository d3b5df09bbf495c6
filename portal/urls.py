from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views.serve import serve as serve_document

from portal.api import api_router

urlpatterns = [
    # Browsers and crawlers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path(
        "favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("portal/favicon.ico"), permanent=True)
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # Lessons show PDFs inline in an <object>: documents alone may be framed by our own pages.
    re_path(r"^documents/(\d+)/(.*)$", xframe_options_sameorigin(serve_document)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    # Permission-checked renditions and captions (playlists, segments, MP4s).
    path("media-files/", include("media_library.urls")),
    path("api/", api_router.urls),
    path("", include("courses.urls")),
    path("", include("lessons.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
