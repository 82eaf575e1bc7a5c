"""Request body limits (ocop_shared.limits): refused from Content-Length without reading the
body, refused while streaming before anything parses it, and a route's own limit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, UploadFile
from pydantic import BaseModel
from starlette.types import Message, Receive, Scope, Send

from ocop_shared import limits
from ocop_shared.service import json_body

KB = 1024


class Item(BaseModel):
    name: str


@dataclass
class Effects:
    ran: list[str] = field(default_factory=list)


def build() -> tuple[FastAPI, Effects]:
    effects = Effects()
    app = FastAPI()
    router = APIRouter()

    @router.post("/items")
    async def post_item(item: Item) -> dict[str, int]:
        effects.ran.append("items")
        return {"length": len(item.name)}

    @router.post("/fast")
    async def post_fast(item: Annotated[Item, json_body(Item)]) -> dict[str, int]:
        effects.ran.append("fast")
        return {"length": len(item.name)}

    @router.post("/bodyless")
    async def bodyless() -> dict[str, str]:
        effects.ran.append("bodyless")  # a side effect the 413 must prevent
        return {"ok": "yes"}

    @router.post("/upload")
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        effects.ran.append("upload")
        return {"size": len(await file.read())}

    @router.post("/big", max_body_size=3 * KB)
    async def big(item: Item) -> dict[str, int]:
        effects.ran.append("big")
        return {"length": len(item.name)}

    @router.post("/small", max_body_size=100)
    async def small(item: Item) -> dict[str, int]:
        effects.ran.append("small")
        return {"length": len(item.name)}

    app.include_router(router)
    app.add_middleware(ReadsBodyFirst)  # as the idempotency middleware does
    limits.install_body_limits(app, json_limit=1 * KB, upload_limit=5 * KB)
    return app, effects


class ReadsBodyFirst:
    """Reads the whole body before routing when asked to (``x-read-first``), like the
    idempotency middleware, then replays it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (b"x-read-first", b"1") not in scope["headers"]:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    reads: int  # how many times the app called receive

    def json(self) -> Any:
        return json.loads(self.body)


async def call(
    app: FastAPI,
    path: str,
    chunks: list[bytes],
    *,
    content_type: str = "application/json",
    content_length: int | None = -1,  # -1: the true length; None: no header (chunked)
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> Answer:
    raw = [(b"content-type", content_type.encode()), *headers]
    if content_length == -1:
        raw.append((b"content-length", str(sum(map(len, chunks))).encode()))
    elif content_length is not None:
        raw.append((b"content-length", str(content_length).encode()))
    scope: Scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": raw, "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    pending = list(chunks)
    reads = 0
    out: list[Message] = []

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        out.append(message)

    await app(scope, receive, send)
    start = next(m for m in out if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in out if m["type"] == "http.response.body")
    head = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return Answer(start["status"], head, body, reads)


def item(size: int) -> bytes:
    return json.dumps({"name": "x" * (size - 12)}).encode()


def multipart(size: int) -> tuple[bytes, str]:
    boundary = "limitsboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def assert_too_large(answer: Answer, limit: int) -> None:
    assert answer.status == 413, answer.body
    body = answer.json()
    assert body["code"] == "too_large" and body["field"] == "body"
    assert str(limit) in body["detail"]
    assert answer.headers["max-body-size"] == str(limit)


async def test_small_bodies_pass() -> None:
    app, effects = build()
    for path in ("/items", "/fast"):
        answer = await call(app, path, [item(900)])
        assert answer.status == 200 and answer.json() == {"length": 888}
    assert effects.ran == ["items", "fast"]


async def test_content_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    app, effects = build()
    for path in ("/items", "/fast", "/bodyless"):
        answer = await call(app, path, [item(2 * KB)])
        assert_too_large(answer, 1 * KB)
        assert answer.reads == 0  # not one byte read
        assert answer.headers["connection"] == "close"
    # A huge announced length, nothing sent: answered at once.
    answer = await call(app, "/items", [], content_length=10**12)
    assert_too_large(answer, 1 * KB)
    assert answer.reads == 0
    assert effects.ran == []  # not even the route that reads no body ran


async def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    app, effects = build()
    chunks = [b" " * 512] * 100  # 50 KB of whitespace, chunked (no Content-Length)
    for path in ("/items", "/fast"):
        answer = await call(app, path, chunks, content_length=None)
        assert_too_large(answer, 1 * KB)
        assert answer.reads == 3  # stopped at the chunk that crossed 1 KB
    # A Content-Length that lies about the body does not get past either.
    answer = await call(app, "/items", chunks, content_length=100)
    assert_too_large(answer, 1 * KB)
    assert answer.reads == 3
    # Read before routing (the idempotency middleware): the same answer.
    answer = await call(
        app, "/items", chunks, content_length=None, headers=((b"x-read-first", b"1"),)
    )
    assert_too_large(answer, 1 * KB)
    assert effects.ran == []


async def test_uploads_take_the_upload_limit() -> None:
    app, effects = build()
    body, content_type = multipart(4 * KB)
    answer = await call(app, "/upload", [body], content_type=content_type)
    assert answer.status == 200 and answer.json() == {"size": 4 * KB}
    body, content_type = multipart(6 * KB)
    assert_too_large(await call(app, "/upload", [body], content_type=content_type), 5 * KB)
    # Streamed, and read first by a middleware.
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    for extra in ((), ((b"x-read-first", b"1"),)):
        answer = await call(
            app, "/upload", chunks, content_type=content_type, content_length=None, headers=extra
        )
        assert_too_large(answer, 5 * KB)
    # The same 4 KB sent to a JSON route is refused: the route decides, not the content type.
    body, content_type = multipart(4 * KB)
    assert_too_large(await call(app, "/items", [body], content_type=content_type), 1 * KB)
    assert effects.ran == ["upload"]


async def test_a_route_declares_its_own_limit_above_or_below_the_default() -> None:
    app, effects = build()
    answer = await call(app, "/big", [item(2 * KB)])
    assert answer.status == 200
    answer = await call(app, "/big", [item(2 * KB)], headers=((b"x-read-first", b"1"),))
    assert answer.status == 200  # a middleware reading first does not apply the default
    answer = await call(app, "/big", [b" " * 512] * 4 + [item(1 * KB)], content_length=None)
    assert answer.status == 200
    assert_too_large(await call(app, "/big", [item(4 * KB)]), 3 * KB)
    assert_too_large(await call(app, "/big", [b" " * 512] * 8, content_length=None), 3 * KB)
    assert_too_large(await call(app, "/small", [item(200)]), 100)
    assert (await call(app, "/small", [item(90)])).status == 200
    assert effects.ran == ["big", "big", "big", "small"]


async def test_unknown_routes_and_other_methods_take_the_default() -> None:
    app, _ = build()
    assert (await call(app, "/nowhere", [item(500)])).status == 404
    assert_too_large(await call(app, "/nowhere", [item(2 * KB)]), 1 * KB)
