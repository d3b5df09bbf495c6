"""Every StreamField block of Ringlet's, and each field of one, has a label given for
translation, and so have the fields of the page and snippet editors (README, "Languages"): a
label derived from the name ("Show inline", "Estimated hours") would stay English in a French
editor's admin."""

from django.utils.functional import Promise
from django.utils.translation import override
from wagtail import blocks

from courses.models import CoursePage
from home.models import HomePage
from lessons.models import LessonPage

FIELDS = [(LessonPage, "body"), (HomePage, "body"), (CoursePage, "learning_outcomes")]


def named_blocks(block, path):
    """(path, block) for each named child of ``block``, at any depth (a list's items have no name)."""
    if isinstance(block, blocks.ListBlock):
        yield from named_blocks(block.child_block, path + "[]")
        return
    if type(block).__module__.startswith("wagtail.") and type(block) is not blocks.StreamBlock:
        return  # Wagtail's own blocks (ImageBlock's fields) carry Wagtail's translated labels
    for name, child in getattr(block, "child_blocks", {}).items():
        yield f"{path}.{name}", child
        yield from named_blocks(child, f"{path}.{name}")


def test_every_block_and_block_field_label_is_given_for_translation():
    assert len(list(named_blocks(LessonPage._meta.get_field("body").stream_block, ""))) > 40
    unlabelled = [
        path
        for model, field in FIELDS
        for path, block in named_blocks(
            model._meta.get_field(field).stream_block, f"{model.__name__}.{field}"
        )
        if not isinstance(block.label, Promise)
    ]
    assert unlabelled == []


def test_the_labels_are_french_in_a_french_admin():
    body = LessonPage._meta.get_field("body").stream_block
    with override("fr"):
        assert str(body.child_blocks["callout"].label) == "Encadré"
        assert str(body.child_blocks["document"].child_blocks["show_inline"].label) == "Afficher dans la page"
        assert str(body.child_blocks["video"].child_blocks["caption"].label) == "Légende"
        assert str(body.child_blocks["quiz"].child_blocks["pass_mark"].label) == "Note de réussite"
        option = (
            body.child_blocks["quiz"]
            .child_blocks["questions"]
            .child_block.child_blocks["options"]
            .child_block
        )
        assert str(option.child_blocks["correct"].label) == "Correcte"
    with override("en"):
        assert str(body.child_blocks["document"].child_blocks["show_inline"].label) == "Show inline"


def test_the_course_and_lesson_editors_label_their_fields_in_french(client, french, course, admin_user):
    from django.conf import settings
    from django.urls import reverse

    from tests.page_fixtures import lessons_of

    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    course_form = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Durée estimée (heures)" in course_form and "Objectifs d\u2019apprentissage" in course_form
    assert "Estimated hours" not in course_form and "Learning outcomes" not in course_form
    lesson = lessons_of(course)[0]
    lesson_form = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    assert "Aperçu gratuit" in lesson_form and "Free preview" not in lesson_form
