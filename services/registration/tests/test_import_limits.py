"""The register import against the running service: request body limits (413 before anything
is read or parsed), a large workbook read off the event loop (the service answers meanwhile),
and unreadable files answered 422 naming ``file``, never 5xx."""

from __future__ import annotations

import asyncio
import io
import threading
import zipfile
from collections.abc import AsyncIterator, Sequence
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest

from ocop_registration.adapters import register_file
from ocop_shared.limits import JSON_LIMIT, UPLOAD_LIMIT

CSV_HEADER = ",".join(register_file.REQUIRED).encode() + b"\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refusal(response: httpx.Response) -> str:
    """The message of a 422 naming the uploaded file (``loc`` body.file)."""
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"], error
    return str(error["msg"])


async def importer(reg: Any) -> dict[str, str]:
    """A credential that may import a register: a certifying council's (issue 11), or an
    organizer's where councils do not exist yet."""
    if hasattr(reg, "certifier"):
        return dict((await reg.certifier())[1])
    return dict(await reg.organizer())


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    """An XLSX written directly (openpyxl's writer takes a minute for 120,000 rows): inline
    strings, with the dimension element spreadsheet apps write."""
    cols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def cell(ref: str, v: object) -> str:
        if isinstance(v, int):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    sheet = "".join(
        f'<row r="{r}">' + "".join(cell(f"{cols[c]}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{pkg}/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
            ' ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        width = cols[max(len(r) for r in rows) - 1]
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{ns}"><dimension ref="A1:{width}{len(rows)}"/>'
            f"<sheetData>{sheet}</sheetData></worksheet>",
        )
    return buffer.getvalue()


def register_rows(count: int) -> list[list[object]]:
    header: list[object] = [*register_file.REQUIRED, "gtin"]
    return [header] + [
        [f"Hộ kinh doanh {i}", "household_business", "Lào Cai", f"Mật ong bạc hà {i}", 1, "hũ",
         85000, f"OCOP-LIM-{i}", 4, "province", "UBND tỉnh Lào Cai", f"QD-{i}", "2024-01-02",
         "2024-01-02", ""]
        for i in range(count)
    ]  # fmt: skip


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": f"the request body is larger than the {limit} bytes this operation takes",
        "code": "too_large",
        "field": "body",
    }
    assert response.headers["max-body-size"] == str(limit)


async def test_bodies_over_their_limit_are_refused_before_anything_reads_them(
    reg_client: httpx.AsyncClient,
) -> None:
    # JSON: 1 MiB, refused before authentication or parsing (no token needed to learn it).
    big_json = b'{"name": "' + b"x" * JSON_LIMIT + b'"}'
    response = await reg_client.post(
        "/exhibitors", content=big_json, headers={"Content-Type": "application/json"}
    )
    assert_too_large(response, JSON_LIMIT)

    # Streamed without a Content-Length (chunked): refused once it passes the limit.
    async def chunks(total: int) -> AsyncIterator[bytes]:
        for _ in range(total // 65536 + 1):
            yield b" " * 65536

    response = await reg_client.post(
        "/exhibitors", content=chunks(2 * JSON_LIMIT), headers={"Content-Type": "application/json"}
    )
    assert_too_large(response, JSON_LIMIT)

    # The import takes files up to 10 MiB; beyond, 413 whether announced or streamed.
    too_big = b"a," * (UPLOAD_LIMIT // 2 + 1)
    response = await reg_client.post(
        "/imports/register", files={"file": ("register.csv", too_big, "text/csv")}
    )
    assert_too_large(response, UPLOAD_LIMIT)


async def test_the_import_route_takes_files_larger_than_a_json_body(reg: Any) -> None:
    headers = await importer(reg)
    # 2 MiB: over the JSON limit, within the import's own. Read (and refused for its columns).
    content = b"holder_name,province\n" + b"HTX,Lao Cai\n" * (2 * JSON_LIMIT // 12)
    assert len(content) > JSON_LIMIT
    response = await reg.client.post(
        "/imports/register", headers=headers, files={"file": ("r.csv", content, "text/csv")}
    )
    assert "missing columns" in refusal(response)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("r.xlsx", b"PK\x03\x04 broken", "not an XLSX workbook"),
        ("r.xlsx", b"holder_name,province\n", "not an XLSX workbook"),
        ("r.csv", CSV_HEADER + b"x" * 200_000 + b"\n", "longer than 1000 characters"),
        ("r.csv", CSV_HEADER + b"x" * 1001 + b"\n", "line 2, column 1: longer than 1000"),
    ],
)
async def test_unreadable_files_are_422_naming_the_file(
    reg: Any, filename: str, content: bytes, message: str
) -> None:
    headers = await importer(reg)
    response = await reg.client.post(
        "/imports/register", headers=headers, files={"file": (filename, content, "text/plain")}
    )
    assert message in refusal(response)


async def test_a_malformed_sheet_inside_a_workbook_is_422(reg: Any) -> None:
    headers = await importer(reg)
    good = workbook(register_rows(3))
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            if part.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]  # cut mid-row
            target.writestr(part, data)
    response = await reg.client.post(
        "/imports/register",
        headers=headers,
        files={"file": ("r.xlsx", broken.getvalue(), XLSX)},
    )
    assert "XLSX" in refusal(response)


async def test_a_large_workbook_is_read_while_the_service_goes_on_answering(
    reg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await importer(reg)
    content = workbook(register_rows(120_000))
    assert len(content) > 5_000_000
    reading, read = threading.Event(), threading.Event()
    parse = register_file.parse

    def watched(filename: str, stream: Any) -> Any:
        reading.set()
        try:
            return parse(filename, stream)
        finally:
            read.set()

    monkeypatch.setattr(register_file, "parse", watched)
    upload = asyncio.create_task(
        reg.client.post(
            "/imports/register", headers=headers, files={"file": ("r.xlsx", content, XLSX)}
        )
    )
    # Were the workbook read on the event loop, this loop would not run again until it was.
    while not reading.is_set():
        assert not upload.done(), upload.result().text
        await asyncio.sleep(0.005)
    health = await reg.client.get("/health/live")
    assert health.status_code == 200
    assert not read.is_set(), "the health check waited for the workbook to be read"
    response = await upload
    # Read up to the row limit, no further: refused naming the file.
    assert f"at most {register_file.MAX_ROWS} rows" in refusal(response)
