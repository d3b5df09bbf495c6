"""xAPI 1.0.3 statements for Ringlet's events: actors, verbs and activity types from the ADL vocabulary
and the xAPI video profile.

Actors are identified by an account on the site (``homePage`` + an opaque ``name``, the user's
id), never by their email address unless ``XAPI_ACTOR_EMAIL`` is set; no names are sent.
Activities are the pages' own URLs (course, lesson), with a fragment for what is inside a
lesson (``#quiz-<id>``, ``#package-<id>``), and ``<site>/activities/media/<id>`` for videos.
"""

import uuid
from datetime import UTC, datetime

from django.conf import settings

ADL = "http://adlnet.gov/expapi"
VIDEO = "https://w3id.org/xapi/video"

VERBS = {
    "registered": f"{ADL}/verbs/registered",
    "completed": f"{ADL}/verbs/completed",
    "passed": f"{ADL}/verbs/passed",
    "failed": f"{ADL}/verbs/failed",
    "played": f"{VIDEO}/verbs/played",
    "paused": f"{VIDEO}/verbs/paused",
}
TYPES = {
    "course": f"{ADL}/activities/course",
    "lesson": f"{ADL}/activities/lesson",
    "assessment": f"{ADL}/activities/assessment",
    "video": f"{VIDEO}/activity-type/video",
    "audio": f"{ADL}/activities/media",
}
VIDEO_EXTENSIONS = {
    name: f"{VIDEO}/extensions/{name}"
    for name in ("time", "progress", "played-segments", "session-id", "length", "completion-threshold")
}
PLATFORM = "Ringlet"


def timestamp(moment=None):
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def base_url():
    return (settings.XAPI_ACTOR_HOMEPAGE or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def actor(user):
    """The user as an xAPI Agent: an account on this site (and an mbox only when configured)."""
    agent = {"objectType": "Agent", "account": {"homePage": base_url(), "name": str(user.pk)}}
    if settings.XAPI_ACTOR_EMAIL and user.email:
        agent = {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    return agent


def verb(name):
    return {"id": VERBS[name], "display": {"en-US": name}}


def activity(iri, kind, title=None):
    definition = {"type": TYPES[kind]}
    if title:
        definition["name"] = {"en-US": str(title)}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def page_iri(page):
    return page.get_full_url() or f"{base_url()}{page.url}"


def course_activity(course):
    return activity(page_iri(course), "course", course.title)


def lesson_activity(lesson):
    return activity(page_iri(lesson), "lesson", lesson.title)


def context(parents=(), grouping=(), category=(), extensions=None):
    result = {"platform": PLATFORM, "language": settings.LANGUAGE_CODE}
    activities = {}
    if parents:
        activities["parent"] = [{"objectType": "Activity", "id": a["id"]} for a in parents]
    if grouping:
        activities["grouping"] = [{"objectType": "Activity", "id": a["id"]} for a in grouping]
    if category:
        activities["category"] = [{"objectType": "Activity", "id": iri} for iri in category]
    if activities:
        result["contextActivities"] = activities
    if extensions:
        result["extensions"] = extensions
    return result


def statement(user, verb_name, target, result=None, ctx=None, when=None):
    """A complete statement, with its own id (kept for resending) and a timestamp."""
    built = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": verb(verb_name),
        "object": target,
        "timestamp": timestamp(when),
        "version": "1.0.3",
    }
    if result is not None:
        built["result"] = result
    if ctx is not None:
        built["context"] = ctx
    return built


# --- Ringlet's events -------------------------------------------------------------------


def enrolled(user, course, when=None):
    return statement(user, "registered", course_activity(course), ctx=context(), when=when)


def course_completed(user, course, when=None):
    return statement(user, "completed", course_activity(course), {"completion": True}, context(), when)


def lesson_completed(user, lesson, course, when=None):
    parents = [course_activity(course)] if course is not None else []
    return statement(
        user, "completed", lesson_activity(lesson), {"completion": True}, context(parents=parents), when
    )


def quiz_attempted(user, attempt, lesson, course):
    """A graded quiz attempt: passed or failed, with its score (scaled 0..1 and in percent)."""
    target = activity(f"{page_iri(lesson)}#quiz-{attempt.quiz_id}", "assessment", f"Quiz in {lesson.title}")
    parents = [lesson_activity(lesson)]
    grouping = [course_activity(course)] if course is not None else []
    result = {
        "score": {
            "scaled": round(attempt.score / 100, 4),
            "raw": round(attempt.score, 2),
            "min": 0,
            "max": 100,
        },
        "success": bool(attempt.passed),
        "completion": True,
    }
    return statement(
        user,
        "passed" if attempt.passed else "failed",
        target,
        result,
        context(parents=parents, grouping=grouping),
        attempt.submitted_at,
    )


def played_segments(segments):
    """The video profile's played-segments: "0[.]12.5[,]30[.]41"."""
    return "[,]".join(f"{_number(start)}[.]{_number(end)}" for start, end in segments)


def _number(value):
    return f"{round(value, 3):g}"


def merged_length(segments):
    """Seconds covered by ``segments`` (overlaps counted once)."""
    total, reach = 0.0, None
    for start, end in sorted(segments):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def video(user, event, media_id, media_kind, title, lesson, course, position, duration, session_id, segments):
    """played / paused / completed, with the xAPI video profile's extensions."""
    verb_name = {"play": "played", "pause": "paused", "ended": "completed"}[event]
    target = activity(f"{base_url()}/activities/media/{media_id}", media_kind, title)
    extensions = {VIDEO_EXTENSIONS["time"]: round(position, 3)}
    result = {"extensions": extensions}
    if verb_name != "played":
        progress = min(1.0, merged_length(segments) / duration) if duration else 0
        extensions[VIDEO_EXTENSIONS["progress"]] = round(progress, 3)
        extensions[VIDEO_EXTENSIONS["played-segments"]] = played_segments(segments)
    if verb_name == "completed":
        result["completion"] = True
    ctx = context(
        parents=[lesson_activity(lesson)],
        grouping=[course_activity(course)] if course is not None else [],
        category=[VIDEO],
        extensions={
            VIDEO_EXTENSIONS["session-id"]: str(session_id),
            VIDEO_EXTENSIONS["length"]: round(duration, 3),
            VIDEO_EXTENSIONS["completion-threshold"]: 0.9,
        },
    )
    return statement(user, verb_name, target, result, ctx)


def from_h5p(user, raw, lesson, course, package):
    """H5P's own statement, passed on: Ringlet's actor in place of H5P's placeholder, a fresh id
    and timestamp, the lesson and course as grouping; verb, object, result and H5P's context kept."""
    built = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": raw["verb"],
        "object": raw["object"],
        "timestamp": timestamp(),
        "version": "1.0.3",
    }
    if isinstance(raw.get("result"), dict):
        built["result"] = raw["result"]
    ctx = dict(raw.get("context") or {}) if isinstance(raw.get("context"), dict) else {}
    activities = dict(ctx.get("contextActivities") or {})
    grouping = [a for a in activities.get("grouping") or [] if isinstance(a, dict)]
    grouping.append({"objectType": "Activity", "id": page_iri(lesson)})
    if course is not None:
        grouping.append({"objectType": "Activity", "id": page_iri(course)})
    activities["grouping"] = grouping
    ctx["contextActivities"] = activities
    ctx["platform"] = PLATFORM
    built["context"] = ctx
    return built
