"""Teachers' results: every finished attempt, filterable, and its CSV download."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import exports
from ..downloads import csv_download
from ..forms import AttemptFilterForm
from ..models import Attempt
from ..services import overdue_finish


def _filtered_attempts(request):
    """Finished graded attempts narrowed by the filter form, or None when it is invalid.

    Attempts whose time ran out are finished first, so the teacher sees them with their marks.
    """
    form = AttemptFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    attempts = Attempt.objects.graded()
    quiz = form.cleaned_data["quiz"]
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    overdue_finish(attempts)
    return form, attempts.submitted().select_related("learner", "quiz")


def _without_page(params):
    """The query string of a filtered list, minus its page number, for pagination links."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@permission_required("quizzes.view_attempt", raise_exception=True)
@require_GET
def results(request):
    """Teachers: every submitted attempt, filterable by quiz, with a CSV download."""
    form, attempts = _filtered_attempts(request)
    if attempts is None:
        return render(request, "quizzes/results.html", {"form": form}, status=400)
    summary = attempts.aggregate(
        count=Count("id"),
        learners=Count("learner", distinct=True),
        mean=Avg("percentage"),
        passed=Count("id", filter=Q(passed=True)),
    )
    page = Paginator(attempts.order_by("-submitted_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "quizzes/results.html",
        {"form": form, "page": page, "summary": summary, "query": _without_page(request.GET)},
    )


@login_required
@permission_required("quizzes.view_attempt", raise_exception=True)
@require_GET
def results_export(request):
    """Teachers: the filtered attempts as a streamed CSV file."""
    form, attempts = _filtered_attempts(request)
    if attempts is None:
        return HttpResponseBadRequest(_("There is no quiz with that name."))
    quiz = form.cleaned_data["quiz"]
    name = f"attempts-{quiz.slug}" if quiz else "attempts-all"
    return csv_download(exports.attempt_rows(attempts), name)
