"""API plumbing for every page endpoint (Wagtail API v2): detail and HTML URLs on the request's own base.

``courses.api`` and ``lessons.api`` build their endpoints on ``PublicPageSerializer``.
"""

from django.conf import settings
from wagtail.api.v2.serializers import (
    DetailUrlField,
    PageHtmlUrlField,
    PageParentField,
    PageSerializer,
    get_serializer_class,
)


def api_base_url(request):
    """``WAGTAILAPI_BASE_URL`` when set, else the scheme and host the request came in on.

    Wagtail's default is the Site record's root URL (``http://localhost`` in the demo), while
    image URLs already follow the request; ALLOWED_HOSTS vouches for the Host header.
    """
    return (settings.WAGTAILAPI_BASE_URL or request.build_absolute_uri("/")).rstrip("/")


class RequestDetailUrlField(DetailUrlField):
    def get_attribute(self, instance):
        path = self.context["router"].get_object_detail_urlpath(type(instance), instance.pk)
        if not path:
            return super().get_attribute(instance)
        return api_base_url(self.context["request"]) + path


class RequestHtmlUrlField(PageHtmlUrlField):
    def to_representation(self, page):
        request = self.context["request"]
        url = page.get_url(request=request)
        if url is None or url.startswith(("http://", "https://")):
            return url  # unroutable, or on another site of this installation
        return api_base_url(request) + url


class PublicParentField(PageParentField):
    """The detail view's ``parent``, its URLs on ``api_base_url`` too (Wagtail's own field
    serializes the parent with the plain PageSerializer, whose ``html_url`` is the Site
    record's, ``http://localhost/...`` in the demo)."""

    def to_representation(self, value):
        serializer_class = get_serializer_class(
            value.__class__,
            ["id", "type", "detail_url", "html_url", "title"],
            meta_fields=["type", "detail_url", "html_url"],
            base=PublicPageSerializer,
        )
        return serializer_class(context=self.context).to_representation(value)


class PublicPageSerializer(PageSerializer):
    """Page serializer whose ``detail_url`` and ``html_url``, and its parent's, use ``api_base_url``."""

    detail_url = RequestDetailUrlField(read_only=True)
    html_url = RequestHtmlUrlField(read_only=True)
    parent = PublicParentField(read_only=True)
