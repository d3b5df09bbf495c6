"""Who may read a lesson, and so play its media and download its documents: the gating rule.

``may_read`` is the one rule. The gate hook, the API, the lesson page and the media
library's access policies all come to it, through the request's learner context where
there is a request (``lessons.learner``).
"""

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.services import works_on
from courses.services import CourseLearner, opens_on_text
from pagetree.services import ids_of_pages_using

from .models import LessonPage


def may_read(learner, lesson):
    """Whether the user of ``learner`` (a CourseLearner for the lesson's course) may read ``lesson``.

    - Whoever works on the lesson (``accounts.services.works_on``: editors, superusers, the
      instructors of its course, who may edit it): always, drafts included. An instructor of
      another course is an ordinary reader here.
    - Everyone else: only published lessons (the lesson and its course and module live),
      and then free-preview lessons always, the others only with an enrollment in the course,
      and a drip-released lesson only from ``opens_after_days`` after the enrollment
      (the learner context's ``still_closed_until``); a registered course reader
      (``courses.services.register_course_reader``: a platform's instructor of the course, LTI)
      reads every published lesson without enrolling.
    """
    if learner.works_on(lesson):
        return True
    if not (lesson.is_published or learner.previewing):
        return False
    if lesson.free_preview:
        return True
    if learner.enrolled:
        return learner.still_closed_until(lesson) is None
    return learner.reads_as_instructor


@dataclass(frozen=True)
class Refusal:
    """Why ``may_read`` says no, as the gate tells it: ``kind`` is "draft" (not found),
    "login", "enroll" or "closed" (drip release; ``opens_at`` says when)."""

    kind: str
    message: str
    opens_at: object = None


def refusal(learner, lesson):
    """The gate's explanation for a learner who may not read ``lesson``, or None if they may."""
    if may_read(learner, lesson):
        return None
    if not (lesson.is_published or learner.previewing):
        return Refusal("draft", "This lesson is not published.")
    if not learner.user.is_authenticated:
        return Refusal("login", _("Log in to read “%(title)s”.") % {"title": lesson.title})
    opens = learner.still_closed_until(lesson) if learner.enrolled else None
    if opens is not None:
        return Refusal(
            "closed",
            _("“%(title)s” opens on %(date)s.") % {"title": lesson.title, "date": opens_on_text(opens)},
            opens,
        )
    course = learner.course
    return Refusal(
        "enroll",
        _("“%(lesson)s” is for students enrolled in “%(course)s”. Enroll below to read it.")
        % {"lesson": lesson.title, "course": course.title},
    )


def can_view_lesson(user, lesson):
    """``may_read`` for a user outside a request (the media policies, the API, other apps)."""
    return may_read(CourseLearner(user, lesson.course), lesson)


def lessons_referencing(obj):
    """Lessons whose body refers to ``obj`` (a media item or document), via Wagtail's reference index."""
    return LessonPage.objects.filter(pk__in=ids_of_pages_using(obj))


def _uses(data, key, pk):
    """Whether the raw StreamField ``data`` holds ``pk`` under ``key`` anywhere (any block, at any depth)."""
    if isinstance(data, dict):
        return data.get(key) == pk or any(_uses(value, key, pk) for value in data.values())
    if isinstance(data, list):
        return any(_uses(item, key, pk) for item in data)
    return False


def used_in_a_draft(document):
    """Whether the unpublished draft of a lesson uses ``document`` (a document or resources block).

    Wagtail's reference index holds each page's saved content, not a newer draft, so a file
    added in a draft is invisible to ``lessons_referencing`` until it is published: this finds
    it in the lessons' latest revisions (one query, only for documents no saved lesson uses).
    """
    drafts = LessonPage.objects.filter(has_unpublished_changes=True, latest_revision__isnull=False)
    for content in drafts.values_list("latest_revision__content", flat=True):
        body = (content or {}).get("body") or []
        if isinstance(body, str):
            body = json.loads(body)
        if _uses(body, "document", document.pk):
            return True
    return False


def can_view_media(user, media):
    """Whether ``user`` may play ``media`` because a lesson they may read plays it.

    Meant for the media library's access policy. Staff who work on the item (it is in their
    collection or used by a page they may edit, ``accounts.services.works_on``) always may.
    Lessons are found through Wagtail's reference index and confirmed against their body;
    media used only outside lessons (say on the home page) is not decided here: the answer
    is False.
    """
    if works_on(user, media):
        return True
    lessons = lessons_referencing(media).live()
    return any(media.pk in lesson.media_ids() and can_view_lesson(user, lesson) for lesson in lessons)


def can_view_document(user, document):
    """Whether ``user`` may download ``document``: the media library's document policy.

    It fails closed. A document that any lesson uses, published or not, is course
    material, served only to whoever may read one of those lessons (a draft grants
    nothing, except to the staff who work on the document, ``works_on``, and to a share
    link's reviewer through the media library's grant); only a document no lesson uses,
    saved or in a draft (``used_in_a_draft``), stays as Wagtail serves it. So a PDF attached
    to a lesson that was never published, or has been unpublished, or added in a draft, is
    not public, while one in a published free preview is.
    """
    if works_on(user, document):
        return True
    lessons = list(lessons_referencing(document))
    if lessons:
        return any(can_view_lesson(user, lesson) for lesson in lessons)
    return not used_in_a_draft(document)
