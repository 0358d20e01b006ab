"""Import people from a CSV file: check every row first, then create all or nothing.

Format: UTF-8 text (with or without a byte-order mark), a header row, then one person per
row. Columns (header names are case-insensitive): ``name`` and ``email`` (required),
``org_unit_code`` or ``org_unit`` (a unit code, or a unit name when it is unique; empty for
none), ``phone`` (optional). Other columns are ignored. Commas separate the fields; a file
whose header uses semicolons (as some spreadsheet programs write) is read with semicolons.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from ..errors import Invalid, Message, error_message
from ..models import OrgUnit, Person
from ..permissions import Actor, require
from ..schemas.org import PersonIn
from . import audit, common
from . import org as org_service

MAX_ROWS = 10000
_ALIASES = {
    "name": "name",
    "full_name": "name",
    "email": "email",
    "e-mail": "email",
    "e_mail": "email",
    "org_unit_code": "org_unit_code",
    "unit_code": "org_unit_code",
    "org_unit": "org_unit",
    "unit": "org_unit",
    "phone": "phone",
    "telephone": "phone",
}


@dataclass(frozen=True)
class RowError:
    """One problem: the row (header = 1; 0 = the whole file), the column and what is wrong.

    ``message`` is lazy: ``str()`` it in the reader's language before showing it.
    """

    row: int
    column: str
    message: Message
    value: str = ""


class ImportRejected(Invalid):
    """The file has problems; nothing was imported. ``row_errors`` lists each one."""

    def __init__(self, row_errors: list[RowError]) -> None:
        super().__init__(
            lazy_ngettext(
                "%(num)s problem found; nothing was imported. "
                "Correct the file and upload it again.",
                "%(num)s problems found; nothing was imported. "
                "Correct the file and upload it again.",
                len(row_errors),
            )
        )
        self.row_errors = row_errors


@dataclass
class ParsedRow:
    row: int
    data: PersonIn


def decode(content: bytes) -> str:
    """UTF-8 text with or without a BOM; anything else is refused with a clear message."""
    if b"\x00" in content:
        raise ImportRejected([RowError(0, "", _l("The file is not a text file."))])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    _l(
                        "The file is not UTF-8 text (byte %(byte)s is not valid). "
                        "Save it as 'CSV UTF-8' and upload it again.",
                        byte=exc.start + 1,
                    ),
                )
            ]
        ) from exc


def parse(session: Session, text: str) -> tuple[list[ParsedRow], list[RowError]]:
    """Check every row against the schema, the units and the people already stored."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return [], [RowError(1, "", _l("The file is empty; the first row must be the header."))]
    first_line = text.splitlines()[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        return [], [
            RowError(1, "", _l("The header row cannot be read: %(error)s.", error=str(exc)))
        ]
    columns = [_ALIASES.get(h.strip().lower().replace(" ", "_"), "") for h in header]
    errors: list[RowError] = []
    for needed in ("name", "email"):
        if needed not in columns:
            errors.append(
                RowError(
                    1,
                    needed,
                    _l(
                        "The header row has no '%(column)s' column. The first row must name "
                        "the columns: name, email, org_unit_code, phone.",
                        column=needed,
                    ),
                )
            )
    if errors:
        return [], errors

    raw_rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # blank line
            record: dict[str, str] = {}
            for key, value in zip(columns, values, strict=False):
                if key and not record.get(key):
                    record[key] = value.strip()
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                errors.append(
                    RowError(number, "", _l("This row has more fields than the header row."))
                )
            raw_rows.append((number, record))
            if len(raw_rows) > MAX_ROWS:
                return [], [
                    RowError(number, "", _l("The file has more than %(max)s rows.", max=MAX_ROWS))
                ]
    except csv.Error as exc:
        errors.append(
            RowError(reader.line_num, "", _l("This row cannot be read: %(error)s.", error=str(exc)))
        )
        return [], errors
    if not raw_rows:
        return [], [RowError(2, "", _l("The file has a header row but no people."))]

    units = _unit_lookup(session)
    emails = [r.get("email", "").lower() for _n, r in raw_rows if r.get("email")]
    taken = _existing_emails(session, emails)
    first_seen: dict[str, int] = {}
    parsed: list[ParsedRow] = []
    for number, record in raw_rows:
        row_errors: list[RowError] = []
        name = record.get("name", "")
        email = record.get("email", "")
        unit_value = record.get("org_unit_code") or record.get("org_unit") or ""
        unit_column = "org_unit_code" if record.get("org_unit_code") else "org_unit"
        if not name:
            row_errors.append(RowError(number, "name", _l("The name is missing.")))
        if not email:
            row_errors.append(RowError(number, "email", _l("The e-mail address is missing.")))
        unit_id: int | None = None
        if unit_value:
            unit_id, problem = units.find(unit_value)
            if problem:
                row_errors.append(RowError(number, unit_column, problem, unit_value))
        data: PersonIn | None = None
        try:
            data = PersonIn(
                name=name or "-",
                email=email or "missing@example.invalid",
                phone=record.get("phone", ""),
                org_unit_id=unit_id,
            )
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                if field == "email" and not email:
                    continue
                if field == "name" and not name:
                    continue
                row_errors.append(
                    RowError(
                        number,
                        field,
                        _message(field, err),
                        str(record.get(field, "")),
                    )
                )
        if email and not any(e.column == "email" for e in row_errors):
            key = data.email if data is not None else email.lower()
            if key in first_seen:
                row_errors.append(
                    RowError(
                        number,
                        "email",
                        _l(
                            "This e-mail address is also on row %(row)s of the file.",
                            row=first_seen[key],
                        ),
                        email,
                    )
                )
            else:
                first_seen[key] = number
                if key in taken:
                    row_errors.append(
                        RowError(
                            number,
                            "email",
                            _l("A person with this e-mail address exists already."),
                            email,
                        )
                    )
        errors.extend(row_errors)
        if not row_errors and data is not None:
            parsed.append(ParsedRow(number, data))
    return parsed, errors


def import_people(session: Session, actor: Actor, content: bytes | str) -> list[Person]:
    """Create every person in the file, or none: any bad row raises :class:`ImportRejected`."""
    require(actor, "people.edit")
    text = decode(content) if isinstance(content, bytes) else content
    rows, errors = parse(session, text)
    if errors:
        raise ImportRejected(errors)
    created: list[Person] = []
    try:
        for row in rows:
            try:
                created.append(org_service.stage_person(session, actor, row.data))
            except Invalid as exc:  # a change between the check and the write
                field, message = next(iter(exc.errors.items()), ("", exc.detail))
                raise ImportRejected([RowError(row.row, field, message)]) from exc
        audit.record(session, actor, "import", "person", "csv", {"created": len(created)})
    except BaseException:
        session.rollback()
        raise
    common.commit(session)
    return created


def _message(field: str, err: Any) -> Message:
    if field == "email":
        return _l("This is not a valid e-mail address.")
    if field == "phone":
        return _l("The phone number is too long (at most 40 characters).")
    if field == "name":
        return _l("The name is too long (at most 200 characters).")
    return error_message(err)


class _Units:
    def __init__(self, rows: list[Any]) -> None:
        self.by_code: dict[str, int] = {}
        self.by_code_folded: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for uid, code, name in rows:
            if code:
                self.by_code[code] = uid
                self.by_code_folded.setdefault(code.casefold(), []).append(uid)
            self.by_name.setdefault(name.casefold(), []).append(uid)

    def find(self, value: str) -> tuple[int | None, Message]:
        if value in self.by_code:
            return self.by_code[value], ""
        folded = value.casefold()
        for table in (self.by_code_folded, self.by_name):
            hits = table.get(folded, [])
            if len(hits) == 1:
                return hits[0], ""
            if len(hits) > 1:
                return None, _l("Several units match '%(value)s'; use the unit code.", value=value)
        return None, _l("There is no unit with the code '%(value)s'.", value=value)


def _unit_lookup(session: Session) -> _Units:
    return _Units(list(session.exec(select(OrgUnit.id, OrgUnit.code, OrgUnit.name)).all()))


def _existing_emails(session: Session, emails: list[str]) -> set[str]:
    found: set[str] = set()
    unique = sorted(set(emails))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        found.update(
            e.lower()
            for e in session.exec(
                select(Person.email).where(func.lower(col(Person.email)).in_(chunk))
            ).all()
        )
    return found
