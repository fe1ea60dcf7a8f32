"""The SLA report as CSV, safe to open in a spreadsheet."""

import csv
import io
import unicodedata

from helpdesk.reports.call_report import ROW_FIGURES
from helpdesk.reports.queries import TARGETS

#: a cell starting with one of these is a formula to Excel/LibreOffice/Sheets; so is one
#: starting with a full-width or small form of = + - @ (＝ ﹦ ＋ － ＠ ...), which spreadsheets
#: in East Asian locales read as the ASCII sign: the first character is compared in NFKC
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FIGURES = ("met", "breached", "open", "median_minutes", "p90_minutes", "compliance_percent")


def safe_cell(value) -> object:
    """Text that a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and unicodedata.normalize("NFKC", value[:1]).startswith(
        FORMULA_PREFIXES
    ):
        return "'" + value
    return "" if value is None else value


def sla_report_csv(report: dict) -> str:
    """One line per group, then a ``Total`` line; the header names each figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [report["group_by"], "label", "tickets"]
        + [f"{target}_{figure}" for target in TARGETS for figure in FIGURES]
    )
    for row in [*report["rows"], {"key": "Total", "label": "", **report["totals"]}]:
        writer.writerow(
            [safe_cell(row["key"]), safe_cell(row["label"]), row["tickets"]]
            + [safe_cell(row[target][figure]) for target in TARGETS for figure in FIGURES]
        )
    return out.getvalue()


def filename(report: dict) -> str:
    return f"sla-report_{report['group_by']}_{report['from']}_{report['to']}.csv"


def table_csv(header: list[str], lines: list[list]) -> str:
    """Any report as CSV: a header line, then one line per row, each cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow([safe_cell(cell) for cell in line])
    return out.getvalue()


def call_report_csv(report: dict) -> str:
    """One line per group, then a ``Total`` line, in the JSON's figures and units."""
    total = {"key": "Total", "label": ""} | report["totals"]
    return table_csv(
        [report["group_by"], "label", *ROW_FIGURES],
        [
            [row["key"], row["label"], *(row[figure] for figure in ROW_FIGURES)]
            for row in [*report["rows"], total]
        ],
    )


def call_report_filename(report: dict) -> str:
    return f"call-report_{report['group_by']}_{report['from']}_{report['to']}.csv"
