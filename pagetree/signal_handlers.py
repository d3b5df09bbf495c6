"""Signal handlers of the page-tree kernel, connected in ``PageTreeConfig.ready()``."""

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import content_version

# What routes, sites, view restrictions and anonymous pages are derived from.
TREE_MODELS = (Page, PageViewRestriction, Site)


def page_tree_changed(sender, instance=None, **kwargs):
    """Drop every cached route, site and page (``content_version``) when the tree changes.

    Now, so that this request and the tests see the change, and again after the
    transaction commits, so that a request that read the old rows in between cannot
    leave them cached under the new version.
    """
    if not isinstance(instance, TREE_MODELS):
        return
    content_version.bump()
    transaction.on_commit(content_version.bump)


def keep_child_count(sender, instance=None, **kwargs):
    """Put back a published page's child count if publishing saved a stale one.

    Publishing saves the page object the revision was made from, with the ``numchild`` it had
    in memory (Wagtail's ``with_content_json``). wagtail-localize publishes translations when
    their transaction commits, so translating a subtree at once ("include subtree") publishes
    each translated module after its lessons were added under it, with a count of 0, and
    Wagtail's routing then finds no lesson under it. One count per publish.
    """
    if not isinstance(instance, Page):
        return
    children = Page.objects.filter(path__startswith=instance.path, depth=instance.depth + 1).count()
    if children != instance.numchild:
        Page.objects.filter(pk=instance.pk).update(numchild=children)
        instance.numchild = children


def connect():
    request_started.connect(content_version.begin_request, dispatch_uid="pagetree.content_version.begin")
    request_finished.connect(content_version.end_request, dispatch_uid="pagetree.content_version.end")
    # No sender: a page subclass's save and delete are sent with the subclass as sender.
    post_save.connect(page_tree_changed, dispatch_uid="pagetree.page_tree_changed.saved")
    post_delete.connect(page_tree_changed, dispatch_uid="pagetree.page_tree_changed.deleted")
    page_published.connect(keep_child_count, dispatch_uid="pagetree.keep_child_count")
    page_published.connect(page_tree_changed, dispatch_uid="pagetree.page_tree_changed.published")
    page_unpublished.connect(page_tree_changed, dispatch_uid="pagetree.page_tree_changed.unpublished")
    post_page_move.connect(page_tree_changed, dispatch_uid="pagetree.page_tree_changed.moved")
