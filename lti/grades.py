"""Assignment and Grade Services 2.0: what Ringlet posts to platforms' gradebooks, and how.

A graded quiz attempt (passed or failed) and a course completion each become one ``GradePost``
per platform context that links the course and offers AGS, for a member of it. The row is made
once per event (a unique constraint) and then delivered by ``lti.tasks.post_grade``: the line
item is found (the one the platform gave the resource link, or one found or made by its
``resourceId``: ``course-<id>``, ``quiz-<lesson id>-<quiz id>``), then the score is posted with
``scoreGiven``, ``scoreMaximum``, ``activityProgress``, ``gradingProgress`` and the event's
timestamp. ``deliver`` holds the row's lock while posting and never posts a posted row again.
"""

import logging
from datetime import UTC
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from . import claims as c
from . import keys
from .linking import sub_of
from .models import Context, GradePost, LineItem, Membership, Platform, ResourceLink
from .services_client import ServiceError, call

logger = logging.getLogger(__name__)
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"


def course_resource(course):
    return f"course-{course.pk}", course.title


def quiz_resource(lesson, quiz_id, title=""):
    return f"quiz-{lesson.pk}-{quiz_id}", f"{lesson.title}: {title}" if title else lesson.title


def contexts_for(user, course):
    """Contexts where ``user`` is an active member, that link ``course`` and may receive scores."""
    return (
        Context.objects.filter(
            memberships__user=user,
            memberships__status=Membership.Status.ACTIVE,
            resource_links__course=course,
            deployment__platform__is_active=True,
        )
        .exclude(lineitems_url="")
        .distinct()
    )


def _record(user, course, kind, source_id, resource, score, timestamp):
    resource_id, label = resource
    made = []
    for context in contexts_for(user, course):
        if c.SCOPE_SCORE not in (context.ags_scopes or []):
            continue
        post, created = GradePost.objects.get_or_create(
            context=context,
            kind=kind,
            source_id=source_id,
            defaults={
                "user": user,
                "resource_id": resource_id,
                "label": label[:255],
                "score_given": score,
                "score_maximum": 100,
                "timestamp": timestamp,
            },
        )
        if created:
            made.append(post.pk)
    return made


def record_quiz_attempt(attempt, user, lesson, course):
    """GradePosts for a graded attempt; returns the ids of the new ones (none twice per attempt)."""
    if course is None:
        return []
    resource = quiz_resource(lesson, attempt.quiz_id)
    return _record(
        user, course, GradePost.Kind.QUIZ, attempt.pk, resource, attempt.score, attempt.submitted_at
    )


def record_course_completion(enrollment, user, course):
    """GradePosts for a completed course (100 of 100)."""
    return _record(
        user,
        course,
        GradePost.Kind.COURSE,
        enrollment.pk,
        course_resource(course),
        100.0,
        enrollment.completed_at,
    )


def _scopes(context):
    offered = set(context.ags_scopes or [])
    wanted = [c.SCOPE_SCORE]
    if c.SCOPE_LINEITEM in offered:
        wanted.append(c.SCOPE_LINEITEM)
    elif c.SCOPE_LINEITEM_READONLY in offered:
        wanted.append(c.SCOPE_LINEITEM_READONLY)
    return wanted


def _scores_url(lineitem_url):
    # The line item URL may carry a query (Moodle: ?type_id=); /scores goes on its path.
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def line_item(post):
    """The line item URL for ``post``: known already, the resource link's, found by resourceId,
    or created in the context's container."""
    context = post.context
    known = LineItem.objects.filter(context=context, resource_id=post.resource_id).first()
    if known:
        return known.url
    platform, scopes = context.platform, _scopes(context)
    if post.kind == GradePost.Kind.COURSE:
        course_id = int(post.resource_id.split("-")[1])
        link = (
            ResourceLink.objects.filter(context=context, course_id=course_id, page_id=course_id)
            .exclude(lineitem_url="")
            .first()
        )
        if link:
            return _remember(context, post, link.lineitem_url)
    response = call(
        platform,
        scopes,
        "GET",
        context.lineitems_url,
        params={"resource_id": post.resource_id},
        headers={"Accept": LINEITEMS},
    )
    try:
        items = response.json()
    except ValueError:
        items = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("resourceId") == post.resource_id and item.get("id"):
            return _remember(context, post, item["id"])
    if c.SCOPE_LINEITEM not in scopes:
        raise ServiceError(
            "The platform offers no line item for this and lets Ringlet make none.", retryable=False
        )
    body = {
        "scoreMaximum": post.score_maximum,
        "label": post.label,
        "resourceId": post.resource_id,
        "tag": "ringlet",
    }
    response = call(
        platform,
        scopes,
        "POST",
        context.lineitems_url,
        json=body,
        headers={"Content-Type": LINEITEM, "Accept": LINEITEM},
    )
    try:
        url = response.json()["id"]
    except (ValueError, KeyError, TypeError) as error:
        raise ServiceError(
            "The platform made a line item but did not say its URL.", retryable=False
        ) from error
    return _remember(context, post, url)


def _remember(context, post, url):
    LineItem.objects.get_or_create(
        context=context, resource_id=post.resource_id, defaults={"url": url, "label": post.label}
    )
    return url


def _timestamp(value):
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def score_body(post, user_id):
    return {
        "userId": user_id,
        "scoreGiven": round(post.score_given, 2),
        "scoreMaximum": post.score_maximum,
        "activityProgress": post.activity_progress,
        "gradingProgress": post.grading_progress,
        "timestamp": _timestamp(post.timestamp),
    }


def deliver(post_id):
    """Post one GradePost; returns "posted", "already posted", "failed before" or "gone". Raises
    ServiceError when the platform failed (``retryable`` says whether trying later may help); the
    error is recorded on the row and on its platform either way."""
    # The signing key must be committed before the platform fetches the JWKS to check the token
    # request made inside the transaction below (a first key is made on first use).
    keys.signing_key()
    try:
        with transaction.atomic():
            post = (
                GradePost.objects.select_for_update()
                .select_related("context__deployment__platform")
                .filter(pk=post_id)
                .first()
            )
            if post is None:
                return "gone"
            if post.status == GradePost.Status.POSTED:
                return "already posted"
            if post.status == GradePost.Status.FAILED:
                # The platform refused it for good; a late retry must not send it after all.
                return "failed before"
            platform = post.context.platform
            user_id = sub_of(post.user, platform.issuer)
            if user_id is None:
                raise ServiceError("The student has no account at this platform any more.", retryable=False)
            url = line_item(post)
            call(
                platform,
                _scopes(post.context),
                "POST",
                _scores_url(url),
                json=score_body(post, user_id),
                headers={"Content-Type": SCORE},
            )
            now = timezone.now()
            GradePost.objects.filter(pk=post.pk).update(
                status=GradePost.Status.POSTED, posted_at=now, tries=post.tries + 1, last_error=""
            )
            Platform.objects.filter(pk=platform.pk).update(last_grade_post_at=now, last_grade_error="")
    except ServiceError as error:
        _failed(post_id, error)
        raise
    logger.info("Posted grade %s (%s %s) to %s", post_id, post.kind, post.source_id, url)
    return "posted"


def _failed(post_id, error):
    post = GradePost.objects.select_related("context__deployment__platform").filter(pk=post_id).first()
    if post is None:
        return
    status = GradePost.Status.PENDING if error.retryable else GradePost.Status.FAILED
    GradePost.objects.filter(pk=post_id).update(
        status=status, tries=post.tries + 1, last_error=str(error)[:2000]
    )
    Platform.objects.filter(pk=post.context.platform.pk).update(
        last_grade_error=f"{timezone.now():%Y-%m-%d %H:%M} {error}"[:2000]
    )
    logger.warning(
        "Grade %s not posted (%s): %s", post_id, "will retry" if error.retryable else "given up", error
    )
