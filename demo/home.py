"""Idempotent demo content for the site root (called by ``manage.py demo_content``)."""

from urllib.parse import urlsplit

from django.db import transaction
from wagtail.models import Page, Site

from home.models import HomePage

WELCOME = [
    ("heading", {"text": "Learn at your own pace", "size": "h2"}),
    (
        "paragraph",
        "<p>Ringlet hosts video courses with captioned lessons, downloads and progress tracking. "
        "Browse the catalogue, enroll and pick up where you left off.</p>",
    ),
]
SEO_TITLE = "Ringlet: open video courses you can start today"
SEARCH_DESCRIPTION = (
    "Short video courses with captions, free preview lessons and progress tracking. "
    "Browse the catalogue, try a lesson and enroll for free."
)


def home_blocks(catalogue):
    """The demo home page's blocks: what Ringlet offers, the catalogue, courses and topics."""
    return [
        (
            "hero",
            {
                "text": "Short video courses with captions, free preview lessons and progress "
                "tracking. Try a lesson now; enroll for free when you want the rest.",
                "button_text": "Browse the courses",
                "button_page": catalogue,
            },
        ),
        ("continue_learning", {"heading": "Continue learning"}),
        ("featured_courses", {"heading": "Featured courses", "courses": [], "count": 3}),
        ("categories", {"heading": "Browse by topic"}),
    ]


@transaction.atomic
def ensure_home_blocks(home, catalogue):
    """Give the demo home page its blocks, once: a home page an editor has changed is left alone."""
    if any(block.block_type == "hero" for block in home.body):
        return home
    home.body = home_blocks(catalogue)
    home.seo_title = home.seo_title or SEO_TITLE
    home.search_description = home.search_description or SEARCH_DESCRIPTION
    home.save_revision().publish()
    return home


def _create_root():
    """The page tree's root, the root collection and the default locale, as Wagtail's migrations
    make them (a ``flush``, such as a transactional test's, removes them)."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root"))


@transaction.atomic
def ensure_home_page(title="Ringlet"):
    """Return the site's HomePage, creating it and pointing the default Site at it."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or _create_root()
        # Wagtail's initial migration leaves a plain "Welcome" page at the top;
        # it would clash with our slug and is replaced by the real home page.
        for page in root.get_children().exact_type(Page):
            page.delete()
        home = root.add_child(instance=HomePage(title=title, slug="home", body=WELCOME))
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=title
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = title
        site.save()
    return home


# Host names of a site on this machine: the demo's own, which it may point elsewhere locally.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def ensure_site_address(base_url):
    """Point the default Site at ``base_url``'s host and port when both are on this machine.

    Wagtail's own absolute page URLs (``page.full_url``, in its workflow emails) come from the
    Site record, which Wagtail's first migration makes as ``localhost:80``; a portal served by
    ``make run`` on another port would otherwise link there. A Site an editor gave a real host
    name is left alone.
    """
    address = urlsplit(base_url)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or address.hostname not in LOCAL_HOSTS or site.hostname not in LOCAL_HOSTS:
        return site
    port = address.port or (443 if address.scheme == "https" else 80)
    if (site.hostname, site.port) != (address.hostname, port):
        site.hostname, site.port = address.hostname, port
        site.save()
    return site
