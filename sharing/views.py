"""``/share/<token>/``: the latest draft of one page, read-only, for anyone with the link."""

import re

from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html

from .services import LinkRefused, media_grant, open_link

# Drafts are shown as an enrolled student would see them when the page has that preview
# mode (courses and lessons), so a reviewer without an account reads the lesson itself.
SHARE_PREVIEW_MODE = "student"
BODY_TAG = re.compile(rb"<body[^>]*>", re.IGNORECASE)


def _private(response):
    """Never cached anywhere (another layer caches anonymous pages), never indexed, no referrer."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_draft(request, token):
    try:
        link = open_link(token)
    except LinkRefused as refused:
        response = render(request, "sharing/refused.html", {"message": str(refused)}, status=refused.status)
        return _private(response)
    page = link.page.specific
    draft = page.get_latest_revision_as_object()
    modes = [name for name, _ in draft.preview_modes]
    mode = SHARE_PREVIEW_MODE if SHARE_PREVIEW_MODE in modes else draft.default_preview_mode
    # Its players and documents get URLs signed for the link: the reviewer's own access
    # (none, without an account) would refuse the draft's media.
    # ``share_link`` tells the templates the reader has no account here (no "Leave this course").
    response = draft.make_preview_request(
        request, mode, extra_request_attrs={"media_grant": media_grant(link), "share_link": link}
    )
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        banner = format_html(
            '<div class="draft-banner" role="note"><strong>Draft preview</strong> of “{}”: not published; '
            "shared by a link until {}.</div>",
            draft.title,
            f"{timezone.localtime(link.expires_at):%d %B %Y}",
        ).encode()
        content = response.content
        match = BODY_TAG.search(content)
        at = match.end() if match else 0
        response.content = content[:at] + banner + content[at:]
        # The preview ran through the whole middleware stack, which counted the page before
        # the banner: a stale length cuts the page short, and on a kept-alive connection its
        # surplus bytes would be read as the start of the next response.
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    return _private(response)
