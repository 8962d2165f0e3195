"""Requests as a browser on 127.0.0.1 sends them, for Django's WSGI handler in this process."""

import io
import sys


def environ(path: str, cookie: str, method: str = "GET", body: bytes = b"") -> dict:
    """The WSGI environ of `method` on `path` (with its ?query, if any) from a browser with
    `cookie`, a form's `body` urlencoded."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "SCRIPT_NAME": "",
        "HTTP_COOKIE": cookie,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_REFERER": "http://127.0.0.1/",
    }


def request(app, path: str, cookie: str, method: str = "GET", body: bytes = b"") -> tuple:
    """(status, body, headers) of one request to the WSGI handler `app`, the body read whole."""
    started = []
    content = b"".join(
        app(environ(path, cookie, method, body), lambda s, h, *a: started.append((s, dict(h))))
    )
    return started[0][0], content, started[0][1]
