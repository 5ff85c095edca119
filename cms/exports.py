"""Exports that people open in spreadsheets.

Text people typed could start with "=", "+", "-" or "@" and run as a formula when a CSV or
Excel file is opened; such values are exported with a leading apostrophe. Every admin
export of people's words uses these, and logs the export against the exporter's
organisation (or themselves).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value``, made safe to open in a spreadsheet when it is text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetSafeExportMixin:
    """For Wagtail index views with ``list_export``: every exported value made safe."""

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_safe(super().preprocess_field_value(field, value, export_format))


def export_audit_subject(user):
    """What an export is logged against: the person's organisation, else the person."""
    return user.organisation if getattr(user, "organisation_id", None) else user
