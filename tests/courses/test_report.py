"""The course enrollment report in Wagtail's Reports menu."""

import re

from django.utils import timezone

from courses.models import Enrollment
from courses.services import enroll
from tests.factories import UserFactory

URL = "/admin/reports/course-enrollments/"


def rows(html):
    """``{course title: [cells]}`` from the report table."""
    result = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if cells:
            result[re.sub(r"\s+", " ", cells[0]).strip()] = [re.sub(r"\s+", " ", c) for c in cells[1:]]
    return result


def test_report_shows_enrollments_and_completion_rates(client, editor, build_course):
    popular = build_course("Popular", modules=1, per_module=1)
    quiet = build_course("Quiet", modules=1, per_module=1)
    build_course("Empty", modules=1, per_module=1)
    students = [UserFactory(username=f"s{i}") for i in range(4)]
    for user in students:
        enroll(user, popular)
    enroll(students[0], quiet)
    Enrollment.objects.filter(course=popular, user__in=students[:3]).update(completed_at=timezone.now())

    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 200
    table = rows(response.content.decode())
    assert table["Popular"][1:] == ["4", "3", "75%"]
    assert table["Quiet"][1:] == ["1", "0", "0%"]
    assert table["Empty"][1:] == ["0", "0", "none yet"]

    csv = client.get(URL, {"export": "csv"})
    assert csv.status_code == 200
    content = b"".join(csv.streaming_content).decode().replace("\r", "")
    assert "Popular,live,4,3,75" in content, content


def test_report_is_in_the_reports_menu_for_editors(client, editor):
    client.force_login(editor)
    assert URL in client.get("/admin/").content.decode()


def test_report_is_refused_to_students_and_staff_without_page_permissions(client, student):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 302  # no admin access at all: to the admin login
    assert URL not in client.get("/admin/").content.decode()

    from django.contrib.auth.models import Permission

    staff = UserFactory(username="helpdesk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get(URL).status_code in (302, 403)
    assert URL not in client.get("/admin/").content.decode()


def test_the_downloads_sit_beside_the_title_and_are_named_after_the_report(client, editor, build_course):
    build_course("Popular", modules=1, per_module=1)
    client.force_login(editor)
    html = client.get(URL).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    for label, export in (("Download CSV", "csv"), ("Download XLSX", "xlsx")):
        # A plain link in the header, not an item of the "⋯" (more actions) drop-down.
        link = re.search(rf'<a [^>]*href="{URL}\?export={export}"[^>]*>(.*?)</a>', header, re.S)
        assert link and label in link.group(1), label
    assert "icon-dots-horizontal" not in header  # no "⋯" menu left to hide them in
    day = timezone.localdate().isoformat()
    for export in ("csv", "xlsx"):
        response = client.get(URL, {"export": export})
        assert f'filename="course-enrollments-{day}.{export}"' in response["Content-Disposition"]
