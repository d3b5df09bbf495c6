"""The registries other apps fill at start-up: typed, checked by `manage.py check`, deny at run time."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template import Context, Template
from django.test import RequestFactory

from media_library import grants, policies, services
from media_library.models import Media
from tests.media_library.factories import MediaFactory


@pytest.fixture
def registered_back():
    """Whatever a test registers, the lessons' and sharing's own registrations come back after it."""
    media, document = policies.access_policy(), policies.document_access_policy()
    kinds = grants.registered_checks()
    yield
    services.register_access_policy(media)
    services.register_document_access_policy(document)
    for kind in grants.registered_checks().keys() - kinds.keys():
        services.register_grant_check(kind, None)
    for kind, check in kinds.items():
        services.register_grant_check(kind, check)


def check_errors():
    """`manage.py check`'s errors from the media library, by id, as start-up would raise them."""
    try:
        call_command("check")
    except SystemCheckError as exc:
        return str(exc)
    return ""


def test_the_projects_own_registrations_pass_the_start_up_check():
    call_command("check")  # raises SystemCheckError on any error


def test_a_missing_media_policy_stops_start_up_with_a_clear_error_and_refuses_at_run_time(
    registered_back, django_user_model, db
):
    services.register_access_policy(None)

    errors = check_errors()
    assert "media_library.E001" in errors
    assert "No media access policy is registered" in errors and "register_access_policy" in errors
    # At run time the rule still denies: nobody but the staff who work on the item.
    student = django_user_model.objects.create_user("student", password="pw")
    media = MediaFactory(enqueue=False)
    assert services.can_access(student, media) is False


def test_a_missing_document_policy_stops_start_up_with_a_clear_error(registered_back):
    services.register_document_access_policy(None)

    errors = check_errors()
    assert "media_library.E002" in errors and "register_document_access_policy" in errors


def test_policies_that_cannot_take_user_and_item_are_check_errors(registered_back):
    services.register_access_policy(lambda user: True)
    services.register_document_access_policy(lambda user, document, extra: True)

    errors = check_errors()
    assert "media_library.E003" in errors and "policy(user, media)" in errors
    assert "media_library.E004" in errors and "policy(user, document)" in errors


def test_a_grant_kind_no_url_can_carry_and_a_check_without_a_key_are_check_errors(registered_back):
    services.register_grant_check("Share-Link", lambda key: True)
    services.register_grant_check("reviewers", lambda: True)

    errors = check_errors()
    assert "media_library.E005" in errors and "'Share-Link'" in errors
    assert "media_library.E006" in errors and "'reviewers'" in errors


@pytest.mark.parametrize(
    "register",
    [
        services.register_access_policy,
        services.register_document_access_policy,
        lambda policy: services.register_grant_check("share", policy),
    ],
)
def test_registering_something_that_is_not_a_function_fails_at_once(register):
    with pytest.raises(TypeError, match="must be a function"):
        register(True)


def processing(media):
    Media.objects.filter(pk=media.pk).update(status=Media.Status.PROCESSING)


def renditions_gone(media):
    Media.objects.filter(pk=media.pk).update(status=Media.Status.READY, version="v1")


@pytest.mark.parametrize("state", [processing, renditions_gone])
def test_the_player_asks_the_policy_once_whatever_the_state_of_the_item(
    state, registered_back, db, django_user_model
):
    asked = []

    def counting_policy(user, media):
        asked.append(media.pk)
        return True

    services.register_access_policy(counting_policy)
    student = django_user_model.objects.create_user("watcher", password="pw")
    media = MediaFactory(enqueue=False)
    state(media)
    media.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = student

    html = Template("{% load media_library_tags %}{% media_player media %}").render(
        Context({"media": media, "request": request})
    )

    assert "being prepared" in html
    assert asked == [media.pk]
