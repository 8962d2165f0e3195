"""Requests per second by wrk (Debian's `wrk`), with every response checked by a Lua script.

wrk is written in C and needs far less of the two cores than the project's own Python load
generator, so the server gets more of the machine and the figures are nearer its true ceiling.
Its Lua `response` hook counts a response as served only when the status is 200 and the body
holds every marker (the learner's name, the page's title); anything else is an error.
"""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = """
local markers = {%(markers)s}
bad = 0
wrk.headers["Cookie"] = %(cookie)s

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    return
  end
  for _, marker in ipairs(markers) do
    if not string.find(body, marker, 1, true) then
      bad = bad + 1
      return
    end
  end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, wrong + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(value: bytes | str) -> str:
    """A Lua string literal for any bytes (decimal escapes, so nothing needs quoting rules)."""
    data = value.encode() if isinstance(value, str) else value
    return '"' + "".join(f"\\{byte}" for byte in data) + '"'


def run(url: str, *, cookie: str, markers: tuple, seconds: int, connections: int) -> WrkResult:
    """Load `url` with one wrk thread and `connections` keep-alive connections for `seconds`."""
    script = _SCRIPT % {
        "markers": ", ".join(_lua_string(marker) for marker in markers),
        "cookie": _lua_string(cookie),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.lua"
        path.write_text(script)
        done = subprocess.run(  # noqa: S603 - fixed arguments, loopback only
            [
                shutil.which("wrk"),
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                str(path),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    requests, micros, errors, p50, p95, p99 = (int(v) for v in line.split()[1:])
    return WrkResult(
        requests=requests,
        seconds=micros / 1e6,
        errors=errors,
        p50=p50 / 1e6,
        p95=p95 / 1e6,
        p99=p99 / 1e6,
    )
