"""What other apps may ask of ``packages``: a package's status, and (below) its players and results.

Status transitions (pending → processing → ready | refused) are written here only: by the
signal handlers (an upload), the worker (``tasks.unpack_package``) and the sweep.
"""

import logging

from celery import current_app
from django.utils import timezone
from django.utils.translation import gettext

from outbox.services import enqueue
from pagetree.services import source_id, source_ids

from .models import ContentPackage

logger = logging.getLogger(__name__)
# The unpacking task, by name: tasks.py calls the transitions here, so this module must not import it.
UNPACK = "packages.tasks.unpack_package"


def reset_to_pending(package):
    """Back to pending for the package's current file (a new upload or a replacement)."""
    fields = {
        "status": ContentPackage.Status.PENDING,
        "error": "",
        "error_code": "",
        "error_params": {},
        "source_file": package.file.name,
        "status_changed_at": timezone.now(),
    }
    ContentPackage.objects.filter(pk=package.pk).update(**fields)
    for name, value in fields.items():
        setattr(package, name, value)


def enqueue_unpack(package_id):
    """Queue the package's unpacking through the outbox, in the current transaction.

    The relay publishes it once the transaction commits; with the broker down the package stays
    pending until the broker is back (a duplicate from the sweep is harmless: unpacking is
    idempotent).
    """
    enqueue(UNPACK, package_id)


def publish_unpack(package_id):
    """Hand the package to the broker now. Returns success."""
    try:
        current_app.send_task(UNPACK, args=(package_id,), ignore_result=True)
    except Exception as exc:  # kombu raises several types (OperationalError, socket errors...)
        logger.warning(
            "package %s: could not reach the broker (%s: %s); the sweep will queue it",
            package_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    return True


def start_unpacking(package_id):
    _touch(package_id, status=ContentPackage.Status.PROCESSING)


def mark_refused(package_id, refusal, task_id=None):
    """The package cannot be used: ``refusal`` (a ``PackageRefused``) is what editors read, in
    their language when shown (the live version, if any, stays)."""
    message = refusal.default_text()
    logger.warning("package %s refused (task %s): %s", package_id, task_id, message)
    _touch(
        package_id,
        status=ContentPackage.Status.FAILED,
        error=message[:4000],
        error_code=refusal.code,
        error_params=refusal.params,
    )


def mark_ready(package, facts, version, source_file, files, size):
    """``version`` (unpacked from ``source_file``, described by ``facts``) is now the live one."""
    fields = {
        "status": ContentPackage.Status.READY,
        "error": "",
        "error_code": "",
        "error_params": {},
        "version": version,
        "source_file": source_file,
        "kind": facts.kind,
        "standard_version": facts.standard_version[:64],
        "launch_path": facts.launch_path[:1000],
        "mastery_score": facts.mastery_score,
        "details": facts.details,
        "file_count": files,
        "unpacked_size": size,
        "status_changed_at": timezone.now(),
    }
    if not package.title and facts.title:
        fields["title"] = facts.title[:255]
    ContentPackage.objects.filter(pk=package.pk).update(**fields)


def status_label(package):
    """What the admin shows for a package's status."""
    if package.status == ContentPackage.Status.FAILED and package.version:
        return gettext("Refused (the previous file still plays)")
    return package.get_status_display()


def _touch(package_id, **fields):
    ContentPackage.objects.filter(pk=package_id).update(status_changed_at=timezone.now(), **fields)


# --- Playing ------------------------------------------------------------------------------

BLOCK_TYPE = "package"


def package_block(lesson_id, block_id, user=None):
    """``(lesson, package)`` for the package block ``block_id`` of a lesson, or ``None``.

    The live lesson's body; staff who work on the lesson (``works_on``) also reach a block
    only in its latest draft, so previews play. ``package`` is ``None`` if it was deleted.
    """
    from accounts.services import works_on
    from lessons.models import LessonPage

    lesson = LessonPage.objects.filter(pk=lesson_id).first()
    if lesson is None:
        return None
    bodies = [lesson.body] if lesson.live else []
    if works_on(user, lesson) and lesson.has_unpublished_changes:
        bodies.append(lesson.get_latest_revision_as_object().body)
    for body in bodies:
        for block in body:
            if block.block_type == BLOCK_TYPE and block.id == block_id:
                return lesson, block.value.get("package")
    return None


def activity_iri(lesson, block_id):
    """The xAPI activity id of a package block: the lesson's URL with the block as its fragment."""
    return f"{lesson.get_full_url()}#package-{block_id}"


def package_block_ids(lesson):
    """``{block id: package id}`` of the package blocks in a lesson's (live) body."""
    found = {}
    for block in lesson.body.raw_data:
        value = block.get("value") or {}
        if block.get("type") == BLOCK_TYPE and isinstance(value, dict) and value.get("package"):
            found[block.get("id")] = int(value["package"])
    return found


def packages_done(user, lesson):
    """Whether ``user`` has completed (and not failed) every package block of ``lesson``."""
    from .models import Attempt

    blocks = package_block_ids(lesson)
    if not blocks:
        return True
    # Attempts are stored against the source lesson (runtime.current_attempt); a translation
    # keeps its blocks' ids.
    done = set(
        Attempt.objects.filter(
            user=user, lesson_id=source_id(lesson), completed_at__isnull=False
        ).values_list("block_id", flat=True)
    )
    return set(blocks) <= done


def package_requirement(user, lesson):
    """Lessons' requirement check (``lessons.services.register_requirement``): a lesson with
    packages completes only once each is complete (and not failed)."""
    if packages_done(user, lesson):
        return None
    return gettext("Complete the activity above to complete this lesson.")


def record_outcome(attempt):
    """Complete the lesson once every package in it is complete (and its quizzes passed).

    Only for a student still enrolled in the lesson's course; idempotent.
    """
    from courses.services import is_enrolled
    from lessons.services import is_lesson_complete, quizzes_passed, set_lesson_complete

    if not attempt.is_complete:
        return False
    lesson, user = attempt.lesson, attempt.user
    if lesson.course is None or not is_enrolled(user, lesson.course):
        return False
    if (
        is_lesson_complete(user, lesson)
        or not packages_done(user, lesson)
        or not quizzes_passed(user, lesson)
    ):
        return False
    set_lesson_complete(user, lesson, True)
    return True


def statement_received(attempt, statement):
    """Tell listeners (``signals.h5p_statement``) of an H5P statement, once the transaction commits."""
    from courses.signals import send_after_commit

    from . import signals
    from .models import Attempt

    send_after_commit(
        signals.h5p_statement,
        Attempt,
        attempt=attempt,
        user=attempt.user,
        lesson=attempt.lesson,
        course=attempt.lesson.course,
        package=attempt.package,
        statement=statement,
    )


def lesson_scores(user, lesson_ids):
    """``{lesson id: percent}``: the student's best scaled score in each lesson's packages (averaged
    over a lesson's package blocks), for the course page (``courses`` asks through its registry)."""
    from django.db import connection

    from .models import Attempt

    # Scores are kept against source lessons: a translated course's outline asks by its own ids.
    sources = source_ids([int(pk) for pk in lesson_ids])
    wanted = sorted(set(sources.values()))
    if not wanted or user.pk is None:
        return {}
    if connection.vendor != "postgresql":  # `make run`'s embedded SQLite has no arrays
        from django.db.models import Max

        rows = (
            Attempt.objects.filter(user=user, lesson_id__in=wanted, score_scaled__isnull=False)
            .values_list("lesson_id", "block_id")
            .annotate(best=Max("score_scaled"))
        )
        return _percent_per_lesson(rows, sources)
    # The same as .filter(...).values("lesson_id", "block_id").annotate(best=Max(...)), in SQL
    # written once: the ORM took longer to build that query (~1 ms of CPU on every student's
    # course page) than PostgreSQL took to answer it. Names come from the model's metadata.
    table = connection.ops.quote_name(Attempt._meta.db_table)
    names = ("user", "lesson", "block_id", "score_scaled")
    user_id, lesson, block, score = (
        connection.ops.quote_name(Attempt._meta.get_field(n).column) for n in names
    )
    sql = (
        f"SELECT {lesson}, {block}, MAX({score}) FROM {table} "  # noqa: S608
        f"WHERE {user_id} = %s AND {lesson} = ANY(%s) AND {score} IS NOT NULL GROUP BY {lesson}, {block}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, wanted])
        return _percent_per_lesson(cursor.fetchall(), sources)


def _percent_per_lesson(best, sources):
    """``{lesson id: percent}`` from ``(source lesson id, block id, best scaled score)`` rows, for
    each asked lesson id (``sources``: asked id → its source lesson's id)."""
    per_lesson = {}
    for lesson_id, _block_id, score in best:
        per_lesson.setdefault(lesson_id, []).append(max(0.0, score))
    return {
        lesson: round(100 * sum(values) / len(values))
        for lesson, source in sources.items()
        if (values := per_lesson.get(source))
    }


def attempt_summary(user, lesson, block_id):
    """What the package block tells a student: their latest attempt there (or ``None``)."""
    from .models import Attempt

    if user is None or not user.is_authenticated:
        return None
    return (
        Attempt.objects.filter(user=user, lesson_id=source_id(lesson), block_id=block_id)
        .order_by("-number")
        .first()
    )
