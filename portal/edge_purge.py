"""Purging the edge tier's cache (``deploy/edge/``) through ``wagtail.contrib.frontend_cache``.

When a page is published, unpublished, moved or deleted, or its view restrictions change,
the URLs whose cached copies it may change are purged from every edge pod once the
transaction commits (a purge before the commit could let the edge fetch and keep the old
page again): the page itself, its ancestors (the catalogue and home list courses) and
the whole course it belongs to (the outline, the lessons' previous and next links), or its
own subtree outside a course. A move purges the old URLs too (``pre_page_move``). The edge
keeps what it does not hear about for ``PAGE_CACHE_S_MAXAGE`` seconds at most (the
catalogue's search and filter variants, for one).

This sits beside, not instead of, the content-version drop of ``pagetree`` (Ringlet's own
caches, behind the edge), which stays as it is.

Wagtail's own frontend-cache app is not installed: its handlers purge only the published
page, during the publishing transaction. Its backends and batching are used as they are;
``EdgePurgeBackend`` extends its HTTP backend to reach every edge pod (all the addresses its
host name resolves to: a headless Service in the cluster), with a timeout, and to take "not
cached" (404 from the purge module) as the success it is.
"""

import logging
import socket
import threading
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page

logger = logging.getLogger(__name__)

_pending = threading.local()


class EdgePurgeBackend(HTTPBackend):
    """PURGE each URL on every address of ``LOCATION``'s host (every edge pod)."""

    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", 5))
        super().__init__(params)
        location = urlsplit(f"{self.cache_scheme}://{self.cache_netloc}")
        self.location_host = location.hostname
        self.location_port = location.port or (443 if self.cache_scheme == "https" else 80)

    def addresses(self):
        try:
            infos = socket.getaddrinfo(self.location_host, self.location_port, type=socket.SOCK_STREAM)
        except OSError as error:
            logger.error("Couldn't resolve the edge %s to purge it: %s", self.location_host, error)
            return []
        return sorted({info[4][0] for info in infos})

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        for address in self.addresses():
            netloc = f"[{address}]" if ":" in address else address
            for url in urls:
                self._purge_one(url, f"{netloc}:{self.location_port}")

    def _purge_one(self, url, netloc):
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = PurgeRequest(
            url=urlunsplit([self.cache_scheme, netloc, parts.path or "/", parts.query, ""]),
            headers={"Host": host, "User-Agent": "Ringlet-edge-purge"},
        )
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - LOCATION is configured
                return True
        except HTTPError as error:
            if error.code == 404:  # not in that pod's cache: nothing to purge
                return True
            logger.error("Couldn't purge %s from the edge at %s: HTTP %d", url, netloc, error.code)
        except (URLError, OSError) as error:
            logger.error("Couldn't purge %s from the edge at %s: %s", url, netloc, error)
        return False


def _course_class():
    from courses.models import CoursePage

    return CoursePage


def affected_pages(page):
    """The live pages whose cached copies a change to ``page`` may change (``page`` included)."""
    page = Page.objects.get(pk=page.pk) if not isinstance(page, Page) else page
    ancestors = list(page.get_ancestors(inclusive=True).filter(depth__gt=1))
    course_type = _course_class()
    scope = next(
        (a for a in reversed(ancestors) if issubclass(a.specific_class or Page, course_type)),
        page,
    )
    subtree = scope.get_descendants(inclusive=True).live()
    return [*ancestors, *subtree]


def urls_of(pages):
    batch = PurgeBatch()
    for page in pages:
        batch.add_page(page)
    return batch.urls


def schedule(urls):
    """Purge ``urls`` from the edge once the current transaction commits (now outside one)."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None) or not urls:
        return
    if not hasattr(_pending, "urls"):
        _pending.urls = set()
    _pending.urls.update(urls)
    # One flush per call: the first after the commit purges everything pending (several
    # handlers of one transaction share it); a rolled-back transaction's URLs go with the next.
    transaction.on_commit(flush, robust=True)


def flush():
    urls, _pending.urls = getattr(_pending, "urls", set()), set()
    if urls:
        PurgeBatch(urls).purge()


def page_changed(sender, instance, **kwargs):
    """page_published, page_unpublished, pre_page_move (the old URLs) and post_page_move."""
    if isinstance(instance, Page) and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        schedule(urls_of(affected_pages(instance)))


def page_deleted(sender, instance, **kwargs):
    """pre_delete: the page is still in the tree, so its URLs and its course can be found."""
    if isinstance(instance, Page) and instance.live and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        schedule(urls_of(affected_pages(instance)))


def restriction_changed(sender, instance, **kwargs):
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    try:
        page = instance.page
    except Page.DoesNotExist:
        return
    schedule(urls_of([*affected_pages(page), *page.get_descendants().live()]))
