"""Downloads the admin pages and the API both give: a generated assessment as .xlsx."""

import io
from urllib.parse import quote

from flask import Response

from jobs.assessment import XLSX_TYPE, write_xlsx
from models import audit, session, utcnow


def assessment_xlsx(row, actor) -> Response:
    """The version as a workbook, named in Chinese (RFC 5987 filename*), audited."""
    content = row.rows()
    buffer = io.BytesIO()
    write_xlsx(content, buffer)
    audit.record("assessment.export", f"assessment:{row.id}", now=utcnow(), actor=actor,
                 year=row.year, version=row.version, sha256=row.sha256)
    session.commit()
    return xlsx_response(buffer.getvalue(), f"{content['title']}（第{row.version}版）.xlsx",
                         f"assessment-{row.year}-v{row.version}.xlsx")


def xlsx_response(body: bytes, name: str, fallback: str) -> Response:
    response = Response(body, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}")
    return response
