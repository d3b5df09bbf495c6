import re
import threading
from collections import OrderedDict

from django import template
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from courses.models import CourseIndexPage
from courses.outline import format_minutes, opens_on_text
from pagetree.services import cached_under_content_version, content_version, public

register = template.Library()


@register.filter
def duration(minutes):
    """Minutes as a short human duration: ``95|duration`` → ``1 h 35 min``."""
    return format_minutes(minutes)


@register.filter
def isotime(value):
    """A datetime as a valid ``<time datetime>``: ISO 8601 in the site's time zone, whole seconds."""
    if not value:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def opens_on(lesson, dates):
    """``lesson|opens_on:learning.opens_on``: "Opens on 3 March 2027" for a drip lesson still closed."""
    date = (dates or {}).get(lesson.pk)
    return _("Opens on %(date)s") % {"date": opens_on_text(date)} if date else ""


@register.filter
def lesson_score(lesson, scores):
    """The percent the student scored in ``lesson`` (``CourseLearner.lesson_scores``), or None."""
    return (scores or {}).get(lesson.pk)


@register.inclusion_tag("courses/includes/catalogue_link.html", takes_context=True)
def catalogue_link(context):
    """A link to the first published catalogue, for the site navigation (no query once cached)."""
    catalogue, url = site_catalogue()
    current = context.get("page")
    return {
        "catalogue": catalogue,
        "url": url,
        "is_current": bool(catalogue and current and current.pk == catalogue.pk),
        "is_within": bool(catalogue and current and current.path.startswith(catalogue.path)),
    }


def site_catalogue():
    """``(catalogue, url)``: the first published catalogue (or None) and its URL as linked from any
    page (``get_url`` without a request: root-relative on a single site), cached together under
    the page tree's version, which a Site change replaces too (fail-open). Asking for the URL on
    each request looked the request's Site up off Wagtail pages: a query."""

    def build():
        catalogue = public(CourseIndexPage.objects.live()).order_by("path").first()
        return catalogue, catalogue.get_url(None) if catalogue else None

    return cached_under_content_version("courses:site-catalogue-link", build, 60 * 60 * 24)


# --- The course outline: rendered once per course and content version, each reader's state laid over
_MARK = re.compile(r"<!--o:([CKALSO]):(\d+)-->")
_SKELETONS = OrderedDict()
_SKELETONS_LOCK = threading.Lock()
# Outlines kept per process (each a few kB per course); the least recently used go first.
MAX_SKELETONS = 512


def outline_skeleton(outline, heading, compact, keep=True):
    """The outline's HTML as every reader sees it (links included), with marks where each reader's
    state goes; rendered once per process for each course, content version and variant.

    Kept in the process, not in Redis: the content version, read once per request anyway, is
    the whole key, so a hit costs no round trip. ``pageurl`` is asked without a request
    (root-relative on a single site), as for the navigation's catalogue link."""
    version = content_version() if keep else None
    # Per language too: the skeleton's own words ("Free preview") are translated.
    key = (version, get_language(), outline.course.pk, heading, bool(compact))
    if version is not None:
        skeleton = _SKELETONS.get(key)
        if skeleton is not None:
            return skeleton
    skeleton = render_to_string(
        "courses/includes/outline_skeleton.html", {"outline": outline, "heading": heading, "compact": compact}
    )
    if version is not None:
        with _SKELETONS_LOCK:
            _SKELETONS[key] = skeleton
            while len(_SKELETONS) > MAX_SKELETONS:
                _SKELETONS.popitem(last=False)
    return skeleton


@register.simple_tag(takes_context=True)
def course_outline(
    context,
    outline, heading="h3", compact=False, current=None, completed_ids=None, reads_all=False, opens_on=None,
    scores=None,
):  # fmt: skip
    """``{% course_outline outline heading=… current=… completed_ids=… reads_all=… opens_on=… scores=… %}``:
    the course outline (sections of lessons with their times; ``current`` marks the lesson being
    read; without ``reads_all`` (staff or enrolled) lessons other than free previews are marked
    locked), its shared HTML from ``outline_skeleton`` with this reader's ticks, locks, scores and
    opening dates laid over it."""
    # A preview's outline is never kept, nor taken for the live one.
    preview = getattr(context.get("request"), "is_preview", False)
    skeleton = outline_skeleton(outline, heading, compact, keep=not preview)
    current_pk = getattr(current, "pk", None)
    completed = completed_ids or ()
    lock = ""
    if not reads_all:
        icon = render_to_string("courses/includes/lock_icon.svg").strip()
        # Outside the f-string: xgettext (makemessages) does not look inside one.
        locked_label = escape(_("Enrolled students only"))
        lock = f'<span class="badge badge--locked">{icon} {locked_label}</span>'
    completed_label = escape(pgettext("a lesson", "Completed"))
    check = f'<span class="outline__check" role="img" aria-label="{completed_label}">✓</span>'

    def state(match):
        kind, pk = match.group(1), int(match.group(2))
        if kind == "C":
            return (" is-current" if pk == current_pk else "") + (" is-complete" if pk in completed else "")
        if kind == "K":
            return check if pk in completed else ""
        if kind == "A":
            return ' aria-current="page"' if pk == current_pk else ""
        if kind == "L":
            return lock
        if kind == "S":
            score = (scores or {}).get(pk)
            return (
                ""
                if score is None
                else '<span class="badge outline__score">'
                + escape(_("Score %(score)s%%") % {"score": localize(score)})
                + "</span>"
            )
        date = (opens_on or {}).get(pk)
        return (
            '<span class="badge outline__opens">'
            + escape(_("Opens on %(date)s") % {"date": opens_on_text(date)})
            + "</span>"
            if date
            else ""
        )

    return mark_safe(_MARK.sub(state, skeleton))  # noqa: S308 (the skeleton is a rendered template; the rest escaped)
