"""Admin views: create and revoke a page's share links, and one listing of every link."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import ShareLink
from .services import create_link, may_share, revoke


class CreateLinkForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=90, label=_("Valid for (days)"))


def page_links(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not may_share(request.user, page):
        raise PermissionDenied
    form = CreateLinkForm(request.POST or None, initial={"days": settings.SHARE_LINK_DAYS})
    if request.method == "POST" and form.is_valid():
        _, token = create_link(page, request.user, form.cleaned_data["days"])
        url = request.build_absolute_uri(reverse("shared_draft", args=[token]))
        messages.success(
            request, gettext("Share link created. Copy it now, it is not shown again: %(url)s") % {"url": url}
        )
        return render(
            request,
            "sharing/page_links.html",
            {
                "page": page,
                "form": CreateLinkForm(initial={"days": settings.SHARE_LINK_DAYS}),
                "links": _links(page),
                "new_url": url,
            },
        )
    return render(request, "sharing/page_links.html", {"page": page, "form": form, "links": _links(page)})


def _links(page):
    return ShareLink.objects.filter(page_id=page.pk).select_related("created_by", "revoked_by")


def visible_links(user):
    """Links to pages ``user`` may edit (every link, for editors), and links they created."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return (
        ShareLink.objects.filter(page__in=editable.values("pk")) | ShareLink.objects.filter(created_by=user)
    ).select_related("created_by", "revoked_by", "page")


def all_links(request):
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    return render(request, "sharing/all_links.html", {"links": visible_links(request.user)[:200]})


@require_POST
def revoke_link(request, link_id):
    link = get_object_or_404(ShareLink.objects.select_related("page"), pk=link_id)
    allowed = link.created_by_id == request.user.pk or (
        link.page and may_share(request.user, link.page.specific)
    )
    if not allowed:
        raise PermissionDenied
    revoke(link, request.user)
    messages.success(
        request, gettext("The share link to “%(title)s” is revoked.") % {"title": link.page_title}
    )
    if request.POST.get("from") == "page" and link.page_id:
        return redirect("sharing_page_links", link.page_id)
    return redirect("sharing_all_links")
