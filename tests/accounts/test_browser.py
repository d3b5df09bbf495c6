"""A student's first visit in Chromium: sign up, verify by email, log in, see the account page.

The live server runs in this process with the locmem email backend, so the verification
email lands in ``django.core.mail.outbox``, where the test reads the link as a student would.
"""

import pytest
from django.core import mail

from tests.account_fixtures import PASSWORD, link_in, make_student
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_log_in_and_see_the_account_page(page, live_server, artifacts_dir):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("banner").get_by_role("link", name="Sign up").click()
    page.get_by_label("Your full name").fill("Hedy Lamarr")
    page.get_by_label("Email").fill("hedy@example.com")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert "Check your email" in page.locator("main").inner_text()

    message = wait_for(lambda: mail.outbox and mail.outbox[-1], message="the verification email")
    assert message.to == ["hedy@example.com"]
    link = link_in(message, "/accounts/confirm-email/")

    # The student opens the email on another device: a fresh browser with no session.
    other = page.context.browser.new_context()
    try:
        phone = other.new_page()
        phone.goto(link)
        phone.get_by_role("button", name="Confirm").click()
        phone.wait_for_url("**/accounts/login/**")
        assert "hedy@example.com is confirmed." in phone.locator(".messages").inner_text()

        phone.get_by_label("Email").fill("hedy@example.com")
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Log in").click()
        # Logging in lands on the dashboard; the account page is one click away in the header.
        phone.wait_for_url("**/dashboard/")
        phone.get_by_role("banner").get_by_role("link", name="Account").click()
        phone.wait_for_url("**/accounts/profile/")
        main = phone.locator("main")
        assert phone.locator("h1").inner_text() == "Your account"
        assert "hedy@example.com" in main.inner_text()
        assert "Confirmed" in main.inner_text()
        assert phone.get_by_role("navigation", name="Your account").is_visible()
        assert phone.get_by_role("button", name="Log out").is_visible()
        phone.screenshot(path=str(artifacts_dir / "accounts-profile.png"), full_page=True)

        phone.get_by_role("button", name="Log out").click()
        phone.wait_for_url(live_server.url + "/")
        phone.goto(live_server.url + "/accounts/profile/")
        phone.wait_for_url("**/accounts/login/?next=/accounts/profile/")
        assert phone.get_by_role("banner").get_by_role("link", name="Log in").is_visible()
    finally:
        other.close()


def test_a_failed_login_moves_focus_to_the_announced_error_summary(page, live_server, artifacts_dir):
    make_student("ada@example.com")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "not correct" in summary.inner_text()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.title().startswith("Error: ")
    # The focus is visible on the summary and on every link the keyboard reaches.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.screenshot(path=str(artifacts_dir / "accounts-login-error.png"), full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
