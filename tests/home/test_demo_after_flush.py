"""ensure_home_page works on a flushed database, where Wagtail's migration data is gone."""

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page, Site

from demo.home import ensure_home_page
from home.models import HomePage


@pytest.mark.django_db(transaction=True)
def test_ensure_home_page_rebuilds_the_root_after_a_flush(client):
    call_command("flush", interactive=False, verbosity=0)
    assert Page.get_first_root_node() is None

    home = ensure_home_page()

    assert Locale.objects.count() == 1
    assert isinstance(home.specific, HomePage)
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert client.get("/").status_code == 200
