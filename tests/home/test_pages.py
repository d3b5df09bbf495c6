"""The site root, the admin login and the demo-content command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Site

from home.models import HomePage


@pytest.fixture
def home(db):
    from demo.home import ensure_home_page

    return ensure_home_page()


def test_home_page_renders_its_body(client, home):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Ringlet</h1>" in content
    assert "Learn at your own pace" in content
    assert 'href="#main"' in content  # skip link for keyboard users


def test_admin_login_page_renders(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_home_page_may_only_sit_at_the_top_of_the_tree(home):
    assert not HomePage.can_create_at(home)


@pytest.mark.django_db
def test_demo_content_is_idempotent_and_prints_working_admin_credentials(client, capsys, settings):
    settings.DEMO_ADMIN_PASSWORD = "demo-password-for-tests"
    call_command("demo_content")
    call_command("demo_content")
    out = capsys.readouterr().out

    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific == HomePage.objects.get()
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert "password: demo-password-for-tests" in out
    assert client.login(username="admin", password="demo-password-for-tests")
    assert client.get("/admin/").status_code == 200
