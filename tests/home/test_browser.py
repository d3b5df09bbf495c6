"""The site in a real browser (Chromium via Playwright)."""

import pytest

from demo.home import ensure_home_page


@pytest.mark.django_db(transaction=True)
def test_home_page_in_chromium_has_a_keyboard_reachable_skip_link(page, live_server, artifacts_dir):
    ensure_home_page()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Ringlet"
    assert page.locator("main#main").count() == 1

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    # Our stylesheet loaded (served by whitenoise from the app's static folder).
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    page.screenshot(path=str(artifacts_dir / "home-desktop.png"), full_page=True)
