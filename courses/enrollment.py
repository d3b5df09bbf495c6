"""The enrollment rules: who may enroll in a course and when (window, capacity, prerequisites).

The Enrollment model is in ``courses/models/enrollment.py``; course completion and progress
are in ``courses/progress.py``. Other apps reach these through ``courses.services``.

A translated course is the same course: enrollments are kept against its source page
(``pagetree.services.source_id``), whichever translation the student enrolled from.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from wagtail.models import Page

from accounts.services import forget_for_user, remember_for_user
from pagetree.services import public, source_id, source_ids, source_page

from . import signals
from .models import CoursePage, Enrollment


class EnrollmentRefused(Exception):
    """Raised by ``enroll`` with a message the student can read (window, capacity, prerequisites)."""


def is_enrolled(user, course):
    """Whether ``user`` (any user, anonymous included) has an enrollment in ``course``. One query at most."""
    if not user.is_authenticated or course is None:
        return False
    return Enrollment.objects.filter(user=user, course_id=source_id(course)).exists()


def get_enrollment(user, course):
    """The user's Enrollment in ``course``, or None."""
    if not user.is_authenticated or course is None:
        return None
    return Enrollment.objects.filter(user=user, course_id=source_id(course)).first()


def completed_course_ids(user):
    """Ids of the courses ``user`` has completed (their completion time is recorded)."""
    if not user.is_authenticated:
        return set()
    return set(
        Enrollment.objects.filter(user=user, completed_at__isnull=False).values_list("course_id", flat=True)
    )


def missing_prerequisites(user, course):
    """The live courses ``course`` requires that ``user`` has not completed yet, in title order."""
    required = list(CoursePage.objects.live().filter(required_by=course.pk).order_by("title"))
    done = completed_course_ids(user)
    sources = source_ids(prerequisite.pk for prerequisite in required)
    return [prerequisite for prerequisite in required if sources.get(prerequisite.pk) not in done]


def enrollment_status(course, now=None):
    """Why nobody can enroll in ``course`` right now (a sentence), or None when it is open.

    Covers the window, and a course with no published lesson yet; capacity needs a count and
    is checked by ``enroll`` under a lock.
    """
    now = now or timezone.now()
    if not course.live:
        return gettext("This course is not published.")
    if not course.outline.lessons:
        return gettext("This course has no lessons yet, so it is not open for enrollment.")
    if course.enrollment_opens_at and now < course.enrollment_opens_at:
        return gettext("Enrollment opens on %(date)s at %(time)s.") % _when(course.enrollment_opens_at)
    if course.enrollment_closes_at and now >= course.enrollment_closes_at:
        return gettext("Enrollment closed on %(date)s at %(time)s.") % _when(course.enrollment_closes_at)
    return None


def _when(moment):
    """A date and a time as the active language writes them ("05 December 2026", "14:00")."""
    moment = timezone.localtime(moment)
    return {"date": date_format(moment, "d F Y"), "time": date_format(moment, "H:i")}


def needs_confirmation(course):
    """Whether enrolling in ``course`` deserves an explicit confirmation: it has a capacity or a window.

    Without either, a visitor who asked to enroll before signing up is enrolled as soon as
    they are logged in; with one, they see the places left or the dates and confirm.
    """
    return bool(course.capacity is not None or course.enrollment_opens_at or course.enrollment_closes_at)


def places_left(course):
    """Free places in ``course`` (never below 0), or None when it has no capacity. One count."""
    if course.capacity is None:
        return None
    return max(0, course.capacity - Enrollment.objects.filter(course_id=source_id(course)).count())


def enroll(user, course, *, seat_granted=False):
    """Enroll ``user`` in ``course`` and return ``(enrollment, created)``; idempotent.

    Raises EnrollmentRefused with a readable reason when the window is shut, the
    course is full or prerequisites are missing. An existing enrollment is returned
    as is, whatever the rules say now. Concurrent calls are serialised on the course
    row, so capacity holds and the unique constraint is never the one to say no.

    ``seat_granted``: another system that decides who is in the course granted the seat (an
    LMS's roster, through LTI), so the enrollment window and the capacity are not checked;
    the course must still be published and its prerequisites completed.
    """
    if not user.is_authenticated:
        raise EnrollmentRefused(gettext("Log in to enroll."))
    # Enrolling from a translation enrolls in the course itself (its source page).
    translation, course = course, source_page(course)
    with transaction.atomic():
        # Lock the course's page row: every enrollment in this course waits here in turn.
        Page.objects.select_for_update().filter(pk=course.pk).values_list("pk", flat=True).first()
        existing = Enrollment.objects.filter(user=user, course_id=course.pk).first()
        if existing:
            return existing, False
        reason = gettext("This course is not published.") if not (course.live and translation.live) else None
        reason = reason if seat_granted else enrollment_status(course)
        if reason:
            raise EnrollmentRefused(reason)
        missing = missing_prerequisites(user, translation)
        if missing:
            names = ", ".join(f"“{prerequisite.title}”" for prerequisite in missing)
            raise EnrollmentRefused(
                gettext("Complete %(courses)s first: this course requires it.") % {"courses": names}
            )
        if not seat_granted and places_left(course) == 0:
            raise EnrollmentRefused(gettext("This course is full."))
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(user=user, course_id=course.pk)
        except IntegrityError:
            # Only without row locks (SQLite has none, it serialises writers instead).
            return Enrollment.objects.get(user=user, course_id=course.pk), False
        signals.send_after_commit(
            signals.enrolled, Enrollment, enrollment=enrollment, user=user, course=course
        )
        return enrollment, True


def unenroll(user, course):
    """Remove ``user``'s enrollment in ``course``; returns whether there was one.

    Lesson completions and playback positions are kept, so enrolling again resumes.
    A completed course stays on the student's record: raises EnrollmentRefused.
    """
    enrollment = get_enrollment(user, course)
    if enrollment is None:
        return False
    if enrollment.completed_at:
        raise EnrollmentRefused(gettext("You have completed this course, so it stays on your record."))
    enrollment.delete()
    signals.send_after_commit(signals.unenrolled, Enrollment, user=user, course=source_page(course))
    return True


def touch_enrollment(user, course, now=None):
    """Record activity by ``user`` in ``course`` (at most one write a minute, so heartbeats stay cheap)."""
    if not user.is_authenticated or course is None:
        return
    now = now or timezone.now()
    if Enrollment.objects.filter(
        user=user, course_id=source_id(course), last_activity_at__lt=now - timezone.timedelta(minutes=1)
    ).update(last_activity_at=now):
        forget_for_user(user)  # the dashboard shows the last activity


def remembered_enrollment(user, course):
    """``get_enrollment``, kept with the user's other answers until one of their records changes
    (``accounts.services.remember_for_user``): for the pages a student reads, never for a write."""
    if not user.is_authenticated or course is None:
        return None
    return remember_for_user(user, ("enrollment", source_id(course)), lambda: get_enrollment(user, course))


def touch_enrollments(activity):
    """Record activity in bulk: ``{(user id, course id): Unix time}`` (one statement; the same
    at-most-once-a-minute rule as ``touch_enrollment``). For buffered playback reports."""
    if not activity:
        return
    import datetime

    from django.db import connection

    table = Enrollment._meta.db_table
    values = ", ".join(["(%s::bigint, %s::bigint, %s::timestamptz)"] * len(activity))
    params = []
    for (user_id, course_id), at in activity.items():
        params += [user_id, course_id, datetime.datetime.fromtimestamp(at, datetime.UTC)]
    with connection.cursor() as cursor:
        cursor.execute(
            # The table's name from the model; every value a parameter.
            f"UPDATE {table} e SET last_activity_at = v.at "  # noqa: S608
            f"FROM (VALUES {values}) AS v (user_id, course_id, at) "
            "WHERE e.user_id = v.user_id AND e.course_id = v.course_id "
            "AND (e.last_activity_at IS NULL OR e.last_activity_at < v.at - interval '1 minute') "
            "RETURNING e.user_id",
            params,
        )
        touched = {row[0] for row in cursor.fetchall()}
    # The dashboard shows the last activity: the answers kept about these students go.
    for user_id in touched:
        forget_for_user(user_id)


def enrollment_counts(courses):
    """Annotate a CoursePage queryset with ``enrolled_count`` and ``completed_count`` (one query)."""
    return courses.annotate(
        enrolled_count=Count("enrollments", distinct=True),
        completed_count=Count(
            "enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True
        ),
    )


def live_courses():
    """Published, public courses in explorer order."""
    return public(CoursePage.objects.live()).order_by("path")


def course_by_id(course_id):
    """The live CoursePage with this id, or None."""
    return CoursePage.objects.live().filter(pk=course_id).first()
