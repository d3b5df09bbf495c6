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
