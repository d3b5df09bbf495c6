"""The runtime data of an attempt: what a launch starts with, and what Ringlet reads from a commit.

SCORM: scorm-again (the runtime API in the player) commits the whole data model (``cmi``,
as JSON) on every Commit and on Terminate/LMSFinish (then flagged ``terminate``, with the
session added to ``total_time``). It is stored as it came, per student and attempt, and
loaded back at the next launch, on any device, so location, suspend data and interactions
resume. From it Ringlet reads:

- completion: SCORM 1.2 ``cmi.core.lesson_status`` (completed, passed and failed are
  complete; incomplete and browsed are not); SCORM 2004 ``cmi.completion_status``, or
  ``progress_measure`` against the manifest's ``completion_threshold``;
- success: 1.2 passed/failed; 2004 ``cmi.success_status``. When the manifest sets a passing
  score (1.2 masteryscore, 2004 minNormalizedMeasure) and the SCO reports a score, the score
  decides, as both specifications have the LMS do;
- the score, scaled: 2004 ``cmi.score.scaled``; 1.2 raw between min (default 0) and max
  (default 100);
- the time spent: ``total_time`` of the terminating commit;
- the interactions (``cmi.interactions.n``), kept as rows for the instructor's report.

An attempt is over when a session ends (Terminate) without suspending once it is complete:
the next launch starts attempt n + 1. A suspended session resumes (``entry`` "resume").

H5P: the player posts H5P's own xAPI statements; a statement about the content itself (not
one of its sub-contents) with a result sets completion (``result.completion``), success
(``result.success``) and the scaled score. H5P's saved state (``getCurrentState``) is the
attempt's runtime data.
"""

import json
import math
import re

from django.db import transaction
from django.utils import timezone

from pagetree.services import source_page

from .models import Attempt, ContentPackage, Interaction

# A commit is the whole data model: suspend data (64,000 characters in SCORM 2004) and
# hundreds of interactions fit well within this.
MAX_COMMIT_BYTES = 2 * 1024 * 1024
MAX_STATE_BYTES = 1024 * 1024
_12_TIME = re.compile(r"^(\d{1,4}):(\d{1,2}):(\d{1,2}(?:\.\d{1,2})?)$")
_ISO_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


class RuntimeRejected(ValueError):
    """A commit or statement that cannot be stored; the message says why (sent back with a 400)."""


def current_attempt(user, package, lesson, block_id):
    """The attempt a launch continues: the latest one unless it is over, else a new one.

    Stored against the lesson's source page (README, "Languages"), as its completion is: the
    French lesson continues the attempt begun on the English one, and its score counts for the
    course in every language (wagtail-localize keeps the block's id in the translation).
    """
    lesson = source_page(lesson)
    attempts = Attempt.objects.filter(user=user, package=package, lesson=lesson, block_id=block_id)
    latest = attempts.order_by("-number").first()
    if latest is not None and latest.finished_at is None:
        return latest
    number = latest.number + 1 if latest else 1
    attempt, _ = Attempt.objects.get_or_create(
        user=user,
        package=package,
        lesson=lesson,
        block_id=block_id,
        number=number,
        defaults={"version": package.version},
    )
    return attempt


def learner_name(user):
    """SCORM's learner name, "Last, First" (the form both specifications give)."""
    if user is None or not user.is_authenticated:
        return ""
    last, first = user.last_name.strip(), user.first_name.strip()
    return f"{last}, {first}" if last and first else (first or last or "Learner")


def launch_cmi(package, attempt=None, user=None):
    """The data model a launch loads before the SCO initialises (``loadFromJSON``)."""
    stored = dict(attempt.cmi) if attempt is not None and isinstance(attempt.cmi, dict) else {}
    resume = bool(attempt and attempt.suspended)
    learner_id = str(user.pk) if user is not None and user.is_authenticated else "guest"
    details = package.details or {}
    if package.kind == ContentPackage.Kind.SCORM_12:
        core = dict(stored.get("core") or {})
        for key in ("session_time", "exit", "entry"):
            core.pop(key, None)
        core.update(
            student_id=learner_id,
            student_name=learner_name(user),
            entry="resume" if resume else ("" if attempt and attempt.sessions else "ab-initio"),
            credit="credit",
            lesson_mode="normal",
        )
        cmi = {**stored, "core": core, "launch_data": details.get("launch_data", "")}
        if package.mastery_score is not None:
            student_data = dict(stored.get("student_data") or {})
            student_data["mastery_score"] = _decimal(package.mastery_score * 100)
            cmi["student_data"] = student_data
        return cmi
    cmi = {key: value for key, value in stored.items() if key not in ("session_time", "exit", "entry")}
    cmi.update(
        learner_id=learner_id,
        learner_name=learner_name(user),
        entry="resume" if resume else ("" if attempt and attempt.sessions else "ab-initio"),
        credit="credit",
        mode="normal",
        launch_data=details.get("launch_data", ""),
    )
    if package.mastery_score is not None:
        cmi["scaled_passing_score"] = _decimal(package.mastery_score)
    if details.get("completion_threshold"):
        cmi["completion_threshold"] = details["completion_threshold"]
    return cmi


def _decimal(value):
    return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def read_commit(body):
    """The ``(cmi, terminate)`` of a commit's raw JSON body (``RuntimeRejected`` if it is not one)."""
    if len(body) > MAX_COMMIT_BYTES:
        raise RuntimeRejected(f"The commit is too large (more than {MAX_COMMIT_BYTES:,} bytes).")
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RuntimeRejected("The commit is not valid JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("cmi"), dict):
        raise RuntimeRejected("A commit is a JSON object with the data model under “cmi”.")
    return payload["cmi"], bool(payload.get("terminate"))


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def seconds(value):
    """A SCORM 1.2 timespan (HHHH:MM:SS.SS) or an ISO 8601 duration (PT1H2M3S) in seconds; 0 if unreadable."""
    text = str(value or "").strip()
    match = _12_TIME.match(text)
    if match:
        hours, minutes, secs = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(secs)
    match = _ISO_DURATION.match(text)
    if match and text not in ("P", "PT"):
        years, months, days, hours, minutes, secs = (float(part) if part else 0 for part in match.groups())
        return (((years * 365 + months * 30 + days) * 24 + hours) * 60 + minutes) * 60 + secs
    return 0.0


def _interactions(cmi, kind):
    raw = cmi.get("interactions")
    if not isinstance(raw, dict):
        return []
    rows = []
    for key, value in raw.items():
        if not (str(key).isdigit() and isinstance(value, dict) and value.get("id")):
            continue
        responses = value.get("correct_responses") or {}
        first = responses.get("0") if isinstance(responses, dict) else None
        response_key = "student_response" if kind == ContentPackage.Kind.SCORM_12 else "learner_response"
        rows.append(
            Interaction(
                index=int(key),
                interaction_id=str(value.get("id"))[:255],
                kind=str(value.get("type") or "")[:32],
                description=str(value.get("description") or "")[:2000],
                learner_response=str(value.get(response_key) or "")[:4000],
                correct_response=str((first or {}).get("pattern") or "")[:4000],
                result=str(value.get("result") or "")[:32],
            )
        )
    return rows


def facts(package, cmi):
    """``(completion, success, score_scaled, total_time, exit)`` read from a SCORM data model."""
    Completion, Success = Attempt.Completion, Attempt.Success
    if package.kind == ContentPackage.Kind.SCORM_12:
        core = cmi.get("core") if isinstance(cmi.get("core"), dict) else {}
        status = str(core.get("lesson_status") or "")
        completion = {
            "completed": Completion.COMPLETED,
            "passed": Completion.COMPLETED,
            "failed": Completion.COMPLETED,
            "incomplete": Completion.INCOMPLETE,
            "browsed": Completion.INCOMPLETE,
        }.get(status, Completion.NOT_ATTEMPTED)
        success = {"passed": Success.PASSED, "failed": Success.FAILED}.get(status, Success.UNKNOWN)
        score = core.get("score") if isinstance(core.get("score"), dict) else {}
        raw, low, high = _float(score.get("raw")), _float(score.get("min")), _float(score.get("max"))
        scaled = None
        if raw is not None:
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
            scaled = (raw - low) / (high - low) if high > low else None
            scaled = None if scaled is None else min(1.0, max(0.0, scaled))
        total, exit_ = core.get("total_time"), str(core.get("exit") or "")
    else:
        completion = str(cmi.get("completion_status") or "")
        threshold, progress = _float(cmi.get("completion_threshold")), _float(cmi.get("progress_measure"))
        if threshold is not None and progress is not None:
            completion = Completion.COMPLETED if progress >= threshold else Completion.INCOMPLETE
        completion = completion if completion in Completion.values else Completion.UNKNOWN
        success = str(cmi.get("success_status") or "")
        success = success if success in Success.values else Success.UNKNOWN
        score = cmi.get("score") if isinstance(cmi.get("score"), dict) else {}
        scaled = _float(score.get("scaled"))
        scaled = None if scaled is None else min(1.0, max(-1.0, scaled))
        total, exit_ = cmi.get("total_time"), str(cmi.get("exit") or "")
    # The passing score decides once there is a score (in 1.2, once the SCO says it is complete).
    judged = package.kind == ContentPackage.Kind.SCORM_2004 or completion == Completion.COMPLETED
    if package.mastery_score is not None and scaled is not None and judged:
        success = Success.PASSED if scaled >= package.mastery_score else Success.FAILED
    return completion, success, scaled, total, exit_


@transaction.atomic
def apply_commit(attempt, cmi, terminate):
    """Store a SCORM commit on ``attempt`` and read its facts; returns the attempt, saved."""
    attempt = Attempt.objects.select_for_update().select_related("package").get(pk=attempt.pk)
    if attempt.finished_at is not None:
        raise RuntimeRejected("This attempt is over; reload the lesson to start a new one.")
    package = attempt.package
    completion, success, scaled, total, exit_ = facts(package, cmi)
    attempt.cmi = cmi
    attempt.completion_status, attempt.success_status = completion, success
    if scaled is not None:
        attempt.score_scaled = scaled
    now = timezone.now()
    if terminate:
        attempt.sessions += 1
        attempt.total_seconds = max(attempt.total_seconds, seconds(total))
        attempt.suspended = exit_ == "suspend"
        if not attempt.suspended and completion == Attempt.Completion.COMPLETED:
            attempt.finished_at = now
    if attempt.is_complete and attempt.completed_at is None:
        attempt.completed_at = now
    attempt.save()
    rows = _interactions(cmi, package.kind)
    Interaction.objects.filter(attempt=attempt).exclude(index__in=[row.index for row in rows]).delete()
    for row in rows:
        Interaction.objects.update_or_create(
            attempt=attempt,
            index=row.index,
            defaults={
                field: getattr(row, field)
                for field in (
                    "interaction_id",
                    "kind",
                    "description",
                    "learner_response",
                    "correct_response",
                    "result",
                )
            },
        )
    return attempt


# --- H5P ------------------------------------------------------------------------------


def read_statement(body):
    """An H5P xAPI statement posted by the player, with the content's saved state (optional)."""
    if len(body) > MAX_STATE_BYTES:
        raise RuntimeRejected(f"The statement is too large (more than {MAX_STATE_BYTES:,} bytes).")
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RuntimeRejected("The statement is not valid JSON.") from None
    statement = payload.get("statement") if isinstance(payload, dict) else None
    if not isinstance(statement, dict) or not isinstance(statement.get("verb"), dict):
        raise RuntimeRejected("Send {“statement”: an xAPI statement with a verb}.")
    state = payload.get("state")
    return statement, state if isinstance(state, str) else None


def is_about_the_content(statement):
    """Whether a statement is about the H5P content itself rather than one of its sub-contents."""
    target = statement.get("object") if isinstance(statement.get("object"), dict) else {}
    extensions = (target.get("definition") or {}).get("extensions") or {}
    return "subContentId=" not in str(target.get("id", "")) and not any(
        "subContentId" in str(key) for key in extensions
    )


@transaction.atomic
def apply_statement(attempt, statement, state=None):
    """Read an H5P statement's result into ``attempt`` (and keep the state); returns the attempt."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    result = statement.get("result") if isinstance(statement.get("result"), dict) else None
    if state is not None:
        save_state(attempt, state, lock=False)
    if result is not None and isinstance(result.get("success"), bool):
        _record_h5p_answer(attempt, statement, result)
    if result is not None and is_about_the_content(statement):
        if result.get("completion") is True:
            attempt.completion_status = Attempt.Completion.COMPLETED
        elif attempt.completion_status == Attempt.Completion.NOT_ATTEMPTED:
            attempt.completion_status = Attempt.Completion.INCOMPLETE
        if isinstance(result.get("success"), bool):
            attempt.success_status = Attempt.Success.PASSED if result["success"] else Attempt.Success.FAILED
        score = result.get("score") if isinstance(result.get("score"), dict) else {}
        scaled = _float(score.get("scaled"))
        if scaled is None and _float(score.get("max")):
            scaled = (_float(score.get("raw")) or 0) / _float(score["max"])
        if scaled is not None:
            attempt.score_scaled = min(1.0, max(-1.0, scaled))
        duration = seconds(result.get("duration"))
        if duration:
            attempt.total_seconds += duration
        if attempt.is_complete and attempt.completed_at is None:
            attempt.completed_at = timezone.now()
        attempt.save()
    return attempt


def _record_h5p_answer(attempt, statement, result):
    """An H5P answer (the content's, or one of its questions') as an interaction row, for the report."""
    target = statement.get("object") if isinstance(statement.get("object"), dict) else {}
    identifier = str(target.get("id") or "")[:255]
    if not identifier:
        return
    names = (target.get("definition") or {}).get("name") or {}
    description = str(next(iter(names.values()), "")) if isinstance(names, dict) else ""
    existing = Interaction.objects.filter(attempt=attempt, interaction_id=identifier).first()
    index = existing.index if existing else Interaction.objects.filter(attempt=attempt).count()
    Interaction.objects.update_or_create(
        attempt=attempt,
        index=index,
        defaults={
            "interaction_id": identifier,
            "kind": str((target.get("definition") or {}).get("interactionType") or "")[:32],
            "description": description[:2000],
            "learner_response": str(result.get("response") or "")[:4000],
            "result": "correct" if result["success"] else "incorrect",
        },
    )


def save_state(attempt, state, lock=True):
    """Keep H5P's saved state (a JSON string; empty or "0" clears it)."""
    if state is not None and len(state) > MAX_STATE_BYTES:
        raise RuntimeRejected("The saved state is too large.")
    cmi = dict(attempt.cmi or {})
    if state in (None, "", "0"):
        cmi.pop("h5p_state", None)
    else:
        cmi["h5p_state"] = state
    Attempt.objects.filter(pk=attempt.pk).update(cmi=cmi, updated_at=timezone.now())
    attempt.cmi = cmi
    return attempt
