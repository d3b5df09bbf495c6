"""Why a course matched a catalogue search, and how strongly: the reasons shown on its card.

The full-text search itself is Wagtail's (PostgreSQL's, with stemming); it says *which* pages
match but not where. This module looks at the matched pages' own public text to tell a match
in a course's title or summary from one in a lesson, and a lesson's prose from its code
(``Match.tier``), and builds a short highlighted snippet. Wagtail 8's search backends
(django-modelsearch) have no headline support, so the highlighting is done here, in Python,
which also works on the SQLite database ``make run`` uses.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join, strip_tags

# Tiers, best first: the course's own text, a lesson's title/summary/prose, a lesson's code only.
COURSE, LESSON, CODE = 0, 1, 2
SNIPPET_CHARS = 160
_WORD = re.compile(r"\w+")
# Crude English suffixes, so "receiving" highlights "Receivers"; PostgreSQL did the real stemming.
_SUFFIX = re.compile(r"(ing|ers|er|es|ed|ly|s)$")


@dataclass
class Match:
    """Why one course is in the results: its tier, the lessons that matched and a snippet."""

    tier: int
    lesson_titles: list = field(default_factory=list)
    snippet: str = ""
    in_code: bool = False
    # Matched in the course's own text: its snippet is made when the course is shown.
    direct: bool = False


def query_stems(query):
    """The words of ``query`` reduced to stems of at least three letters (lower case)."""
    stems = []
    for word in _WORD.findall(query.lower()):
        stem = _SUFFIX.sub("", word) if len(word) > 4 else word
        if stem and stem not in stems:
            stems.append(stem)
    return stems


def _pattern(stems):
    return re.compile(r"\b(" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.IGNORECASE)


def mentions(text, stems):
    """Whether ``text`` has a word starting with one of ``stems``."""
    return bool(stems) and bool(_pattern(stems).search(text or ""))


def snippet(text, stems, size=SNIPPET_CHARS, rich=False):
    """A window of plain ``text`` around its first match, HTML-escaped, matches in <mark>.

    ``rich``: ``text`` is rich text (HTML), whose tags are dropped first. Empty when nothing
    in ``text`` matches.
    """
    text = strip_tags(text or "") if rich else (text or "")
    text = " ".join(text.split())
    pattern = _pattern(stems) if stems else None
    found = pattern.search(text) if pattern else None
    if not found:
        return ""
    start = max(0, found.start() - size // 3)
    if start:
        # Begin on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < found.start() else start
    end = min(len(text), start + size)
    window = text[start:end]
    pairs, last = [], 0
    for hit in pattern.finditer(window):
        pairs.append((window[last : hit.start()], hit.group(0)))
        last = hit.end()
    marked = format_html_join("", "{}<mark>{}</mark>", pairs)
    return format_html(
        "{}{}{}{}", "… " if start else "", marked, window[last:], " …" if end < len(text) else ""
    )


def course_match(course, stems):
    """The Match of a course found by its own fields (title, summary, description...)."""
    for text, rich in ((course.summary, False), (course.title, False), (course.description, True)):
        found = snippet(text, stems, rich=rich)
        if found:
            return Match(tier=COURSE, snippet=found)
    return Match(tier=COURSE)


@dataclass
class LessonText:
    """The public text of one matching lesson: all ``add_lesson`` reads of it."""

    title: str
    summary: str
    prose: str = ""  # LessonPage.public_prose(): empty unless a free preview
    code: str = ""  # LessonPage.public_code()


def lesson_tier(lesson, stems):
    """LESSON when ``lesson`` (a LessonText) matches in its title, summary or prose; CODE when
    only its code can."""
    if any(mentions(text, stems) for text in (lesson.title, lesson.summary, lesson.prose)):
        return LESSON
    return CODE if lesson.code else LESSON


def add_lesson(match, lesson, stems):
    """Fold one matching lesson (a LessonText) of a course into the course's ``match`` (None: a
    new Match)."""
    tier = lesson_tier(lesson, stems)
    if match is None:
        match = Match(tier=tier)
    match.tier = min(match.tier, tier)
    if lesson.title not in match.lesson_titles:
        match.lesson_titles.append(lesson.title)
    if tier == CODE:
        match.in_code = True
    if not match.snippet and tier == LESSON:
        match.snippet = snippet(lesson.summary, stems) or snippet(lesson.prose, stems)
    return match
