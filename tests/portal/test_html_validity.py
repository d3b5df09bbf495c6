"""Every student page template is valid HTML (the Nu HTML checker, vnu-jar from npm, run by Java),
rendered for an anonymous visitor, a logged-in student not enrolled, and an enrolled student."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import wagtail_factories
from django.urls import reverse

from demo.home import ensure_home_blocks
from media_library.tasks import record_document_info
from tests.factories import CategoryFactory, CoursePageFactory, InstructorFactory, LessonPageFactory
from tests.media_fixtures import make_document, make_pdf
from tests.page_fixtures import make_media

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
needs_vnu = pytest.mark.skipif(
    not VNU.exists() or shutil.which("java") is None,
    reason="the Nu HTML checker needs vnu-jar (npm ci) and Java (scripts/system-deps.sh)",
)


@pytest.fixture
def pages(home, catalogue):
    course = CoursePageFactory(
        parent=catalogue,
        title="Valid course",
        summary="Checked by the Nu HTML checker.",
        description="<p>About <b>this</b> course.</p>",
        learning_outcomes=[("outcome", "Write valid HTML")],
        category=CategoryFactory(name="Web", slug="web", description="Sites."),
        estimated_hours="2.0",
        # Smaller than the largest rendition: Wagtail's srcset_image would repeat a width
        # (invalid); distinct_srcset_image does not.
        cover_image=wagtail_factories.ImageFactory(file__width=300, file__height=169),
    )
    course.instructors.add(InstructorFactory(name="Tim"))
    course.tags.add("html")
    course.save_revision().publish()
    handout = make_document(make_pdf(pages=2), title="Handout")
    record_document_info(handout.pk)  # the thumbnail and the page count, as the worker does
    video = make_media("Lecture")
    audio = make_media("Talk", media_type="audio", name="talk.m4a")
    body = [
        ("heading", {"text": "Part one", "size": "h2"}),
        ("paragraph", "<p>Some <i>rich</i> text.</p>"),
        (
            "figure",
            {
                "image": wagtail_factories.ImageFactory(file__width=600, file__height=400, title="Small"),
                "caption": "Smaller than two of its renditions",
            },
        ),
        ("video", {"video": video, "caption": "The lecture", "transcript": "<p>Said aloud.</p>"}),
        ("audio", {"audio": audio, "caption": "", "transcript": "<p>Heard.</p>"}),
        ("code", {"language": "python", "code": "print('<hi>')", "caption": "A program"}),
        ("callout", {"kind": "tip", "title": "", "body": "<p>Remember this.</p>"}),
        ("document", {"document": handout, "caption": "Read this", "show_inline": True}),
    ]
    free = LessonPageFactory(
        parent=course, title="Free lesson", free_preview=True, summary="Free.", body=body
    )
    gated = LessonPageFactory(parent=course, title="Gated lesson", summary="For students.", body=body)
    ensure_home_blocks(home, catalogue)
    return {"course": course, "free": free, "gated": gated, "catalogue": catalogue}


def urls_for(pages, who):
    course, catalogue = pages["course"], pages["catalogue"]
    urls = [
        "/",
        catalogue.url,
        f"{catalogue.url}?q=valid",
        f"{catalogue.url}?q=nothing-matches-this",
        course.url,
        pages["free"].url,
        pages["gated"].url,
        "/no-such-page/",
    ]
    if who == "anonymous":
        urls += [reverse("account_login"), reverse("account_signup")]
    else:
        urls.append(reverse("courses:dashboard"))
    if who == "not-enrolled":
        urls.append(f"{reverse('courses:join', args=[course.pk])}?next=/")
    return urls


def check_with_vnu(files):
    """The checker's error messages for ``files``, as ``(file, line, message)``."""
    run = subprocess.run(
        ["java", "-Xss1m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    return [
        (Path(message.get("url", "")).name, message.get("lastLine"), message["message"])
        for message in report["messages"]
        if message.get("type") == "error"
    ]


@needs_vnu
def test_student_pages_are_valid_html_for_anonymous_not_enrolled_and_enrolled_users(
    client, pages, student, other_student, tmp_path
):
    from courses.services import enroll

    enroll(other_student, pages["course"])
    files = []
    for who, user in (("anonymous", None), ("not-enrolled", student), ("enrolled", other_student)):
        client.logout()
        if user is not None:
            client.force_login(user)
        for number, url in enumerate(urls_for(pages, who)):
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (who, url, response.status_code)
            path = tmp_path / f"{who}-{number}.html"
            path.write_bytes(response.content)
            files.append(path)
    errors = check_with_vnu(files)
    assert errors == [], "\n".join(map(str, errors))


@needs_vnu
def test_the_certificate_pages_and_an_empty_courses_share_page_are_valid_html(
    client, catalogue, build_course, student, editor, tmp_path
):
    from courses.certificates import issue_certificate, store_pdf
    from courses.services import enroll
    from lessons.services import set_lesson_complete
    from sharing.services import create_link
    from tests.page_fixtures import lessons_of

    course = build_course("Certified", modules=1, per_module=1)
    enroll(student, course)
    set_lesson_complete(student, lessons_of(course)[0])
    certificate, _ = issue_certificate(student, course)
    store_pdf(certificate)
    # A new course, as an instructor starts one: a draft with no lessons yet.
    empty = CoursePageFactory(parent=catalogue, title="Brand new course", live=False)
    empty.save_revision()
    _, token = create_link(empty, editor)
    pages = {
        "certificate": reverse("courses:certificate_verify", args=[certificate.code]),
        "unknown-certificate": reverse("courses:certificate_verify", args=["AAAA-BBBB-CCCC"]),
        "empty-course-share": f"/share/{token}/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (name, response.status_code)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    # Its owner also gets the PDF, a link to share and "Add to LinkedIn".
    client.force_login(student)
    path = tmp_path / "own-certificate.html"
    path.write_bytes(client.get(pages["certificate"]).content)
    files.append(path)
    client.logout()
    certificate.revoked, certificate.revoked_reason = True, "Issued by mistake."
    certificate.save()
    path = tmp_path / "revoked-certificate.html"
    path.write_bytes(client.get(pages["certificate"]).content)
    files.append(path)
    errors = check_with_vnu(files)
    assert errors == [], "\n".join(map(str, errors))
