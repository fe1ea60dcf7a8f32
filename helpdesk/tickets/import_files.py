"""Reading import files for ``flask --app wsgi tickets import FILE``: JSON and CSV call logs.

JSON: the API's body (``{"tickets": [...]}``) or just the list of tickets.

CSV (UTF-8, a header row; the layout of a call-centre's old call-log spreadsheet): one row
per event, the ticket's fields on its first row. Consecutive rows with the same ``ticket``
(the old sheet's own reference) are one ticket. Columns:

    ticket, created_at, created_by, subject, description, category, priority, channel,
    language, block, requester_name, requester_phone,
    event_at, event_type, event_by, event_body, event_status

The ticket columns are read from a ticket's first row (later rows may leave them empty);
a row with empty ``event_*`` columns has no event. Times need an offset
(``2026-10-01 16:00+05:30``). Empty optional cells take the API's defaults.

Each ticket remembers the file line of its first row and of each event's row, so a refusal
names the line and column: ``line 7 (event_by): no such user``.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

TICKET_COLUMNS = (
    "created_at",
    "created_by",
    "subject",
    "description",
    "category",
    "priority",
    "channel",
    "language",
    "block",
)
EVENT_COLUMNS = {
    "event_at": "at",
    "event_type": "type",
    "event_by": "by",
    "event_body": "body",
    "event_status": "status",
}
CSV_COLUMNS = ("ticket", *TICKET_COLUMNS, "requester_name", "requester_phone", *EVENT_COLUMNS)
_PLACE = re.compile(r"^tickets\[(\d+)\](?:\.events\[(\d+)\])?(?:\.(.*))?$")


class ImportFileError(Exception):
    """The file cannot be read at all (not JSON, missing CSV columns...)."""


@dataclass
class SourceTicket:
    """One ticket as read from the file, with where it came from."""

    data: dict
    line: int | None = None  # first line (CSV)
    event_lines: list[int] = field(default_factory=list)


def read_file(path: Path, fmt: str) -> list[SourceTicket]:
    if fmt == "json":
        return _read_json(path)
    return _read_csv(path)


def _read_json(path: Path) -> list[SourceTicket]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"not a JSON file: {exc}") from exc
    except RecursionError as exc:
        raise ImportFileError("not a JSON file: nested too deeply") from exc
    tickets = data.get("tickets") if isinstance(data, dict) else data
    if not isinstance(tickets, list):
        raise ImportFileError('expected {"tickets": [...]} or a list of tickets')
    return [SourceTicket(item) for item in tickets]


def _read_csv(path: Path) -> list[SourceTicket]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        tickets: list[SourceTicket] = []
        line = 1
        try:
            missing = [
                c
                for c in (
                    "ticket",
                    "created_at",
                    "created_by",
                    "subject",
                    "description",
                    "category",
                    "event_at",
                    "event_type",
                )
                if c not in (reader.fieldnames or [])
            ]
            if missing:
                raise ImportFileError(f"missing CSV column(s): {', '.join(missing)}")
            current_ref, line = None, reader.line_num + 1
            for row in reader:
                row = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
                if row.get("ticket") != current_ref or not tickets:
                    current_ref = row.get("ticket")
                    tickets.append(SourceTicket(_ticket_fields(row), line=line))
                event = {key: row[col] for col, key in EVENT_COLUMNS.items() if row.get(col)}
                if event:
                    tickets[-1].data["events"].append(event)
                    tickets[-1].event_lines.append(line)
                line = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFileError(f"line {line}: not readable as UTF-8 CSV ({exc})") from exc
    return tickets


def _ticket_fields(row: dict) -> dict:
    data = {name: row[name] for name in TICKET_COLUMNS if row.get(name)}
    if row.get("requester_name") or row.get("requester_phone"):
        data["requester"] = {
            "name": row.get("requester_name", ""),
            "phone": row.get("requester_phone") or None,
        }
    data["events"] = []
    return data


def describe(fields: dict[str, str], batch: list[SourceTicket], first_index: int) -> list[str]:
    """Problems of a refused batch (keyed ``tickets[i].events[j].field`` within the batch)
    as lines naming the file's line and column (CSV) or the ticket's place in the file."""
    out = []
    for place, why in fields.items():
        match = _PLACE.match(place)
        if match is None:
            out.append(f"{place}: {why}")
            continue
        i, j, name = int(match[1]), match[2], match[3] or ""
        source = batch[i] if i < len(batch) else None
        if source is not None and source.line is not None:
            if j is not None and int(j) < len(source.event_lines):
                where = f"line {source.event_lines[int(j)]}"
                column = next((c for c, k in EVENT_COLUMNS.items() if name == k), name)
            else:
                where = f"line {source.line}"
                column = {
                    "requester.name": "requester_name",
                    "requester.phone": "requester_phone",
                }.get(name, name)
            out.append(f"{where} ({column or 'row'}): {why}")
        else:
            event = f".events[{j}]" if j is not None else ""
            out.append(
                f"ticket {first_index + i + 1} (tickets[{first_index + i}]{event}"
                f"{'.' + name if name else ''}): {why}"
            )
    return out
