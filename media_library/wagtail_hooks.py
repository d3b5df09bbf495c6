from django.contrib import messages
from django.http import HttpResponseForbidden
from django.templatetags.static import static
from django.urls import include, path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from . import admin_urls, grants, services
from .forms import CaptionTrackForm
from .models import CaptionTrack


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("media-library/", include(admin_urls, namespace="media_library_admin"))]


@hooks.register("insert_global_admin_js")
def progress_bars_js():
    # Global because wagtailmedia's listing is also re-rendered by AJAX search.
    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script><script src="{}" defer></script>',
        static("media_library/admin-progress.js"),
        static("media_library/admin-upload.js"),
        static("media_library/admin-resumable-upload.js"),
    )


@hooks.register("insert_global_admin_css")
def progress_bars_css():
    return format_html('<link rel="stylesheet" href="{}">', static("media_library/media-library.css"))


@hooks.register("before_serve_document")
def check_document_access(document, request):
    if grants.allows(request, "document", document.pk):
        return None
    if not services.can_access_document(request.user, document):
        return HttpResponseForbidden(gettext("You may not download this document."))
    return None


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def say_caption_was_converted(request, instance):
    """A caption file in a legacy encoding was converted to UTF-8: say from what, so the editor
    checks its accented letters (a wrong guess shows there first)."""
    converted_from = getattr(instance, "converted_from", "")
    if isinstance(instance, CaptionTrack) and converted_from:
        messages.warning(
            request,
            gettext(
                "“%(name)s” was not UTF-8: it was read as %(encoding)s and converted to UTF-8. "
                "Check that its accented letters look right in the player."
            )
            % {"name": instance.file.name.rsplit("/", 1)[-1], "encoding": converted_from},
        )


class CaptionTrackCreateView(CreateView):
    """ "Add captions" from a media item's edit page (``?media=<id>&language=<code>``) starts
    with that item, and the language, chosen."""

    def get_initial(self):
        initial = super().get_initial()
        media = self.request.GET.get("media", "")
        if media.isdigit():
            initial["media"] = int(media)
        if self.request.GET.get("language"):
            initial["language"] = self.request.GET["language"][:16]
        return initial


class CaptionTrackViewSet(SnippetViewSet):
    model = CaptionTrack
    add_view_class = CaptionTrackCreateView
    icon = "doc-full"
    menu_label = _("Captions")
    menu_name = "captions"
    add_to_admin_menu = False
    list_display = ["label", "language", "kind", "media", "is_default"]
    list_filter = ["language", "kind"]
    search_fields = ["label", "language"]
    edit_handler = ObjectList(
        [
            FieldPanel("media"),
            FieldPanel("language"),
            FieldPanel("label"),
            FieldPanel("kind"),
            FieldPanel("file"),
            FieldPanel("is_default"),
        ],
        base_form_class=CaptionTrackForm,
    )


register_snippet(CaptionTrackViewSet)
