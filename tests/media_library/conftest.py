"""The media library tests: access policies to test serving with, and a root collection."""

import pytest
from django.contrib.auth.models import Group

from media_library import services


@pytest.fixture
def watchers_policy(db):
    """A real access policy, as the courses app will register: members of "watchers" may watch."""
    group, _ = Group.objects.get_or_create(name="watchers")

    def members_of_watchers(user, media):
        return user.is_authenticated and user.groups.filter(pk=group.pk).exists()

    previous = services.register_access_policy(members_of_watchers)
    yield group
    services.register_access_policy(previous)


@pytest.fixture
def no_access_policy():
    """No policy at all, as in a project where no app registered one."""
    previous = services.register_access_policy(None)
    yield
    services.register_access_policy(previous)


@pytest.fixture(autouse=True)
def root_collection(request):
    """Transactional tests empty every table, the root collection (made by a migration) too."""
    if request.node.get_closest_marker("django_db") is None:
        return None
    from wagtail.models import Collection

    return Collection.get_first_root_node() or Collection.add_root(name="Root")


@pytest.fixture
def browser_uploads_to_s3(settings, s3):
    """The admin's browser uploads to moto's bucket in 5 MiB parts: the part size lowered (so a
    small clip has several) and the bucket's origin allowed by the admin's policy, as
    portal/settings does for a real bucket. Needs the ``s3`` fixture imported by the test module."""
    settings.MEDIA_UPLOAD_PART_MB = 5
    settings.CSP_ADMIN_DIRECTIVES = {
        **settings.CSP_ADMIN_DIRECTIVES,
        "connect-src": [*settings.CSP_ADMIN_DIRECTIVES["connect-src"], s3],
    }
    return s3
