"""The least a Django view can do: no template, no database. Benchmarks only.

Served twice by `make bench`: through the project's settings and middleware (`/bench/ceiling`,
when BENCHMARK_VIEWS is on) and by a bare Django with no middleware and no apps
(`benchmarks.bare_settings`), so each page's rate can be read against both.
"""

from django.http import HttpResponse
from django.urls import path


def ceiling(request):
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [path("bench/ceiling", ceiling)]
