"""Search: it reveals nothing of gated lessons, says why each course matched, and ranks code last."""

import pytest

from tests.factories import CoursePageFactory, LessonPageFactory


def titles(response):
    return [course.title for course in response.context["courses"]]


def api_titles(client, query):
    response = client.get("/api/lessons/", {"search": query})
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def gated_and_free(catalogue):
    course = CoursePageFactory(parent=catalogue, title="Astronomy", summary="Looking up.")
    free = LessonPageFactory(
        parent=course,
        title="First light",
        free_preview=True,
        body=[("paragraph", "<p>Telescopes gather nebulae.</p>")],
    )
    gated = LessonPageFactory(
        parent=course,
        title="Second light",
        summary="What comes next.",
        body=[("paragraph", "<p>The answer is xylophonic quasarbeam.</p>")],
    )
    return {"course": course, "free": free, "gated": gated}


def test_a_word_only_in_a_gated_lesson_body_is_not_found_by_the_catalogue(client, gated_and_free):
    catalogue = gated_and_free["course"].get_parent()
    assert titles(client.get(catalogue.url, {"q": "quasarbeam"})) == []
    assert titles(client.get(catalogue.url, {"q": "xylophonic"})) == []
    # The free preview's body and the gated lesson's title and summary are public, and found.
    assert titles(client.get(catalogue.url, {"q": "nebulae"})) == ["Astronomy"]
    assert titles(client.get(catalogue.url, {"q": "second"})) == ["Astronomy"]


def test_a_word_only_in_a_gated_lesson_body_is_not_found_by_the_api(client, gated_and_free):
    assert api_titles(client, "quasarbeam") == []
    assert api_titles(client, "nebulae") == ["First light"]
    assert api_titles(client, "comes next") == ["Second light"]


def test_enrolled_students_and_staff_cannot_use_search_as_an_oracle_either(client, gated_and_free, student):
    """The index itself holds no gated body, so no reader's search can find it through these paths."""
    from courses.services import enroll

    enroll(student, gated_and_free["course"])
    client.force_login(student)
    catalogue = gated_and_free["course"].get_parent()
    assert titles(client.get(catalogue.url, {"q": "quasarbeam"})) == []
    assert api_titles(client, "quasarbeam") == []


def test_turning_a_free_preview_into_a_gated_lesson_takes_its_body_out_of_the_index(client, gated_and_free):
    free = gated_and_free["free"]
    free.free_preview = False
    free.save_revision().publish()
    assert api_titles(client, "nebulae") == []
    assert titles(client.get(gated_and_free["course"].get_parent().url, {"q": "nebulae"})) == []


def test_results_show_the_matching_lessons_and_a_highlighted_snippet(client, gated_and_free):
    catalogue = gated_and_free["course"].get_parent()
    response = client.get(catalogue.url, {"q": "nebulae"})
    html = response.content.decode()
    assert "Matching lesson: First light" in html
    assert "Telescopes gather <mark>nebulae</mark>." in html
    direct = client.get(catalogue.url, {"q": "looking"}).content.decode()
    assert "<mark>Looking</mark> up." in direct


def test_snippets_escape_the_page_text(client, catalogue):
    CoursePageFactory(parent=catalogue, title="Markup", summary="Wisely use <b> & <i> tags.")
    html = client.get(catalogue.url, {"q": "wisely"}).content.decode()
    assert "<mark>Wisely</mark> use &lt;b&gt; &amp; &lt;i&gt; tags." in html


def test_a_course_matching_only_in_a_code_block_ranks_below_title_and_summary_matches(client, catalogue):
    code_only = CoursePageFactory(parent=catalogue, title="Audio basics", summary="Sound.")
    LessonPageFactory(
        parent=code_only,
        title="Tour",
        free_preview=True,
        body=[("code", {"language": "python", "code": "import python_helpers", "caption": ""})],
    )
    CoursePageFactory(parent=catalogue, title="Python for beginners", summary="Learn Python.")
    in_lesson = CoursePageFactory(parent=catalogue, title="Data", summary="Tables.")
    LessonPageFactory(parent=in_lesson, title="Python dataframes", free_preview=False)
    response = client.get(catalogue.url, {"q": "python"})
    assert titles(response) == ["Python for beginners", "Data", "Audio basics"]
    html = response.content.decode()
    assert "Matching lesson: Tour (in a code example)" in html
    assert "Matching lesson: Python dataframes" in html
