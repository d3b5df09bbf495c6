"""The PDF block in Chromium: pdf.js (our own static files) renders page 1 on request, under the
site's Content-Security-Policy; on a phone there is only the thumbnail and the download."""

import re
from pathlib import Path

import pytest

from media_library.tasks import record_document_info
from tests.factories import CoursePageFactory, LessonPageFactory
from tests.media_fixtures import make_document, make_pdf

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Installed before any page script runs; records what the browser refused.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""
# A pixel in the black band across the top half of page 1 (make_pdf), read from the canvas.
BAND_PIXEL = """() => {
    const canvas = document.querySelector('.document-block__canvas');
    const [r, g, b] = canvas.getContext('2d').getImageData(canvas.width / 2, canvas.height / 4, 1, 1).data;
    return r + g + b;
}"""


@pytest.fixture
def lesson(catalogue):
    handout = make_document(make_pdf(pages=3), title="Reading list")
    record_document_info(handout.pk)
    return LessonPageFactory(
        parent=CoursePageFactory(parent=catalogue),
        title="Reading",
        free_preview=True,
        body=[("document", {"document": handout, "caption": "This week's reading", "show_inline": True})],
    )


@pytest.fixture
def watched(page, live_server):
    """The page, recording CSP violations, console errors and requests that leave the site."""
    page.add_init_script(WATCH_VIOLATIONS)
    page.console_problems, page.outside, page.requested = [], [], []
    page.on(
        "console",
        lambda m: (
            page.console_problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("request", lambda r: page.requested.append(r.url))
    page.on(
        "request",
        lambda r: (
            page.outside.append(r.url)
            if r.url.startswith("http") and not r.url.startswith(live_server.url)
            else None
        ),
    )
    return page


def axe_violations(page):
    """axe-core's critical and serious violations. axe is evaluated through the DevTools
    protocol, which the page's CSP does not govern (an added <script> tag would be inline)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core comes from npm ci (package.json): run `make venv`")
def test_view_opens_pdfjs_on_page_one_on_desktop_and_phones_get_only_thumbnail_and_download(
    watched, live_server, lesson, artifacts_dir
):
    page = watched
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + lesson.url)
    thumbnail = page.get_by_role("img", name="First page of Reading list")
    thumbnail.wait_for()
    # Loaded (lazily) through its permission-checked view: a real image, not a broken one.
    page.wait_for_function("document.querySelector('.document-block__thumbnail').naturalWidth > 0")
    download = page.get_by_role("link", name="Download Reading list")
    assert download.is_visible()
    assert re.search(r"\(PDF, 3 pages, [\d.]+\sKB\)", download.inner_text())
    # pdf.js is not fetched until asked for.
    assert not [url for url in page.requested if "/vendor/pdfjs/" in url]

    view = page.get_by_role("button", name="View Reading list here")
    assert view.get_attribute("aria-expanded") == "false"
    view.focus()
    page.keyboard.press("Enter")  # the keyboard opens it as a click would
    page.wait_for_function(
        "document.querySelector('.document-block__canvas').width > 0"
        " && document.querySelector('.document-block__status').textContent === ''",
        timeout=30_000,
    )
    size = page.evaluate(
        "(() => { const r = document.querySelector('.document-block__canvas').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert size[0] > 300 and size[1] > size[0]  # an A4 page, as wide as the viewer
    assert page.evaluate(BAND_PIXEL) < 120  # page 1 itself, drawn
    assert view.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.classList.contains('document-block__viewer')")
    assert page.get_by_role("img", name="Page 1 of 3 of Reading list").is_visible()
    assert [url for url in page.requested if url.endswith(".mjs")], "pdf.js and its worker, from /static/"
    page.screenshot(path=str(artifacts_dir / "document-viewer-desktop.png"), full_page=True)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Next page").click()
    page.get_by_role("img", name="Page 2 of 3 of Reading list").wait_for()
    assert page.evaluate(BAND_PIXEL) > 700  # page 2 has no band
    page.get_by_role("button", name="Next page").focus()
    page.keyboard.press("Enter")
    page.get_by_role("img", name="Page 3 of 3 of Reading list").wait_for()
    # "Next page" is disabled on the last page, and looks it; the keyboard focus moved to "Previous page".
    assert page.get_by_role("button", name="Next page").is_disabled()
    looks = page.evaluate(
        "() => ['previous', 'next'].map(action => { const s = getComputedStyle("
        "document.querySelector(`.document-block__viewer [data-action=${action}]`));"
        " return [s.cursor, s.color, s.borderStyle]; })"
    )
    assert looks[1][0] == "not-allowed" and looks[0][0] == "pointer"
    assert looks[1][1:] != looks[0][1:]  # greyed text, a dashed border
    assert page.evaluate("document.activeElement.dataset.action") == "previous"
    page.keyboard.press("Escape")
    assert page.locator(".document-block__viewer").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('document-block__view')")
    assert page.evaluate("() => window.__cspViolations") == []
    assert page.console_problems == []
    assert page.outside == []

    # A phone: the thumbnail and the download, no viewer and no button for one.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + lesson.url)
    page.get_by_role("img", name="First page of Reading list").wait_for()
    assert page.get_by_role("link", name="Download Reading list").is_visible()
    assert page.locator(".document-block__view").count() == 1
    assert page.locator(".document-block__view").is_hidden()
    assert page.locator(".document-block__viewer").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "document-viewer-phone.png"), full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("() => window.__cspViolations") == []
