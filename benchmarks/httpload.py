"""A small asyncio HTTP/1.1 load generator: keep-alive connections, bounded by requests and time.

Loopback only. Each virtual user holds one connection and its own cookies, sends requests one
after another, and records each latency and status. A response counts as served only when its
status is 200 and its body holds every marker `expect` names for that user and page (the
learner's name, the page's title); anything else is an error, counted as such.
"""

import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0

    def add(self, status: int, latency: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


class Connection:
    def __init__(self, host: str, port: int, cookie: str = ""):
        self.host, self.port, self.cookie = host, port, cookie
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self):
        if self.writer:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()

    async def request(self, method: str, path: str, body: bytes = b"", headers=None):
        """Send one request; return (status, headers, body). Reconnects if the server closed.

        A kept-alive connection the server closed while it was idle (gunicorn's threaded
        workers do after 2 s) fails before any byte of an answer: then the request is sent
        again once on a new connection, as browsers do.
        """
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._request(method, path, body, headers)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            if not (reused and getattr(error, "before_answer", False)):
                raise
            self.writer = None
            return await self._request(method, path, body, headers)

    async def _request(self, method, path, body, headers):
        if self.writer is None or self.writer.is_closing():
            await self.open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except ConnectionError as error:
            error.before_answer = True
            raise
        if not status_line:
            self.writer = None
            error = ConnectionError("server closed the connection")
            error.before_answer = True
            raise error
        status = int(status_line.split()[1])
        response_headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        if response_headers.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            content = b"".join(chunks)
        else:
            content = await self.reader.readexactly(int(response_headers.get("content-length", 0)))
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
            self.writer = None
        return status, response_headers, content


async def _user(host, port, cookie, paths, deadline, budget, result, markers):
    connection = Connection(host, port, cookie)
    n = 0
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                status, _, body = await connection.request("GET", path)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                result.errors += 1
                connection.writer = None
                continue
            result.add(status, time.perf_counter() - started)
            if status != 200 or not all(marker in body for marker in markers(path)):
                result.errors += 1
    finally:
        await connection.close()


async def hammer(host, port, cookies, paths, *, requests, seconds, concurrency, expect):
    """GET `paths` round-robin from `concurrency` users until `requests` or `seconds` run out.

    `expect(user, path)` gives the markers the page must hold for user number `user` (the
    index of its cookie).
    """
    result = Result()
    budget = [requests]
    started = time.perf_counter()
    deadline = started + seconds
    users = [
        _user(
            host,
            port,
            cookies[i % len(cookies)] if cookies else "",
            paths,
            deadline,
            budget,
            result,
            lambda path, i=i: expect(i % len(cookies) if cookies else 0, path),
        )
        for i in range(concurrency)
    ]
    await asyncio.gather(*users)
    result.seconds = time.perf_counter() - started
    return result
