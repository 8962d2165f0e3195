"""Teachers' side: their classes, results per quiz with item analysis, and CSV exports.

A teacher sees the results of the learners in their own classes; a superuser sees everyone's.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.core.sign_in_throttle import locked_usernames, unlock
from quizzes.course.fallbacks import LANGUAGE_NAMES, current_language, translated
from quizzes.course.versions import versions_by_id
from quizzes.models import (
    Answer,
    Classroom,
    Job,
    MarkOverride,
    Membership,
    Override,
    Quiz,
    QuizStatistics,
)
from quizzes.taking.attempts import attempts_follow_rules, moved_message, overdue_finish
from quizzes.taking.review import FULL, reviewed_answers
from quizzes.taking.scoring import marks_count, shown_marks
from quizzes.teaching import exports
from quizzes.teaching.classes import (
    attempts_visible_to,
    by_name,
    display_name,
    leave,
    lesson_now,
    rotate_code,
)
from quizzes.teaching.dashboard import (
    LEARNER_SORTS,
    Dashboard,
    QuestionReports,
    histogram_bars,
    item_report,
    learner_grades,
    learner_rows,
    quiz_summary,
)
from quizzes.teaching.downloads import (
    QUIZ_EXPORTS,
    WORKBOOK_TOO_LARGE,
    download,
    quiz_csv_download,
)
from quizzes.teaching.forms import (
    ALL_ALREADY_IN,
    AttemptFilterForm,
    ClassroomForm,
    MarkOverrideForm,
    OverrideForm,
    PasswordResetForm,
    RosterForm,
)
from quizzes.teaching.gradebook import EXPORT_TYPES as GRADEBOOK_TYPES
from quizzes.teaching.gradebook import gradebook, gradebook_quizzes, gradebook_rows, sorts
from quizzes.teaching.jobs import export_expired, job_retry, job_start
from quizzes.teaching.overrides import answer_override
from quizzes.teaching.quiz_statistics import statistics_for, statistics_recompute
from quizzes.teaching.roster import (
    FOLDED,
    PasswordChanged,
    never_signed_in,
    password_reset,
    passwords_reset,
    passwords_token,
    reset_token,
    roster_create,
)
from quizzes.teaching.workbooks import CONTENT_TYPE as XLSX
from quizzes.views import bad_request

teacher_only = permission_required("quizzes.view_attempt", raise_exception=True)


def _filtered(request, quiz=None):
    """The teacher's finished attempts narrowed by the filter, or (form, None) when invalid.

    Attempts whose time ran out are finished first, so they are counted with their marks.
    """
    data = request.GET.copy()
    if quiz is not None:
        data["quiz"] = quiz.slug
    form = AttemptFilterForm(data, user=request.user)
    if not form.is_valid():
        return form, None
    visible = attempts_visible_to(request.user)
    # Before the date filter: an overdue attempt has no submission date until it is finished.
    overdue_finish(form.filter(visible, dates=False))
    return form, form.filter(visible).submitted()


def _without(params, *names):
    """The query string minus some parameters, for links that keep the filter."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _summary_text(attempts: int, learners: int) -> str:
    """ "9 attempts by 7 learners.": each number with its own plural, where one sentence
    could give only the first its plural ("by 7 learner(s)")."""
    return _("%(attempts)s by %(learners)s.") % {
        "attempts": ngettext("%(count)d attempt", "%(count)d attempts", attempts)
        % {"count": attempts},
        "learners": ngettext("%(count)d learner", "%(count)d learners", learners)
        % {"count": learners},
    }


@login_required
@teacher_only
@require_safe
def results(request):
    """Every quiz's summary for the teacher's learners, and the latest attempts."""
    form, attempts = _filtered(request)
    if attempts is None:
        return render(request, "quizzes/results.html", {"form": form}, status=400)
    attempts = attempts.select_related("learner", "quiz")
    summary = attempts.aggregate(
        count=Count("id"),
        learners=Count("learner", distinct=True),
        mean=Avg("percentage"),
        passed=Count("id", filter=Q(passed=True)),
    )
    per_quiz = (
        attempts.order_by()
        .values("quiz__slug", quiz_name=translated("quiz__title"))
        .annotate(
            count=Count("id"),
            learners=Count("learner", distinct=True),
            mean=Avg("percentage"),
            passed=Count("id", filter=Q(passed=True)),
            last=Max("submitted_at"),
        )
        .order_by("quiz__lesson__order", "quiz__order", "quiz_name")
    )
    page = Paginator(attempts.order_by("-submitted_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "summary": summary,
        "summary_text": _summary_text(summary["count"], summary["learners"]),
        "per_quiz": per_quiz,
        "query": _without(request.GET, "page"),
        "filter_query": _without(request.GET, "page", "quiz"),
    }
    return render(request, "quizzes/results.html", context)


@login_required
@teacher_only
@require_safe
def results_export(request, format="csv"):
    """The filtered attempts as a streamed CSV file or a workbook, one row per attempt."""
    form, attempts = _filtered(request)
    if attempts is None:
        return bad_request(request, _("The filter is not valid: %(errors)s") % _errors(form))
    if format == "xlsx" and attempts.count() > settings.EXPORT_INLINE_LIMIT:
        # A workbook is written whole before it is sent (a CSV streams): too long to wait for.
        messages.info(request, WORKBOOK_TOO_LARGE)
        query = _without(request.GET, "bom")
        return redirect(reverse("quizzes:results") + (f"?{query}" if query else ""))
    quiz = form.cleaned_data["quiz"]
    name = f"attempts-{quiz.slug}" if quiz else "attempts-all"
    rows = exports.attempt_rows(attempts)
    return download(rows, name, exports.ATTEMPT_TYPES, format=format, bom=_bom(request))


def _errors(form):
    return {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)}


def _bom(request):
    return request.GET.get("bom") == "1"


@login_required
@teacher_only
@require_safe
def quiz_results(request, slug):
    """One quiz's dashboard: summary, histogram, item analysis, misconceptions, learners."""
    quiz = get_object_or_404(Quiz, slug=slug)
    form, attempts = _filtered(request, quiz)
    sort = request.GET.get("sort") or "name"
    if attempts is not None and sort not in LEARNER_SORTS:
        form.add_error(None, _("The learners cannot be sorted that way."))
        attempts = None
    if attempts is None:
        context = {"quiz": quiz, "form": form}
        return render(request, "quizzes/quiz_results.html", context, status=400)
    statistics = statistics_for(request.user, quiz, form)
    summary = quiz_summary(attempts)
    paginator = Paginator(learner_grades(quiz, attempts, sort=sort), LEARNERS_PER_PAGE)
    paginator.count = summary.learners  # known already: no COUNT over the grouped rows
    learners = paginator.get_page(request.GET.get("page"))
    dashboard = Dashboard(**vars(summary), **vars(_items(statistics)))
    context = {
        "quiz": quiz,
        "form": form,
        "dashboard": dashboard,
        "now": lesson_now(quiz, request.user, form.cleaned_data.get("classroom")),
        "statistics": statistics,
        "bars": histogram_bars(dashboard.histogram),
        "learners": learners,
        "learner_rows": learner_rows(quiz, learners.object_list),
        "sort_column": sort.removeprefix("-"),
        "sort_direction": "descending" if sort.startswith("-") else "ascending",
        "sort_links": _sort_links(sort),
        "query": _without(request.GET, "quiz", "sort", "page"),
        "page_query": _without(request.GET, "quiz", "page"),
    }
    return render(request, "quizzes/quiz_results.html", context)


LEARNERS_PER_PAGE = 50
# A heading's first click: names A to Z, figures highest (or latest) first.
FIRST_SORT = {"name": "name", "grade": "-grade", "attempts": "-attempts", "last": "-last"}


def _sort_links(sort):
    """Per column of the learner table, the `sort` its heading's link asks for: the column's
    first order, or the reverse when the table is in that order already."""
    links = {}
    for column, first in FIRST_SORT.items():
        reverse = first.removeprefix("-") if first.startswith("-") else f"-{first}"
        links[column] = reverse if sort == first else first
    return links


def _items(statistics: QuizStatistics) -> QuestionReports:
    """The stored item analysis for the page; empty while the first computation runs."""
    if statistics.result is None:
        return QuestionReports(questions=[], quiz=None, complete_matrix=True, misconceptions=[])
    return item_report(statistics.result)


def _dashboard_url(quiz, request):
    query = _without(request.GET, "quiz")
    return reverse("quizzes:quiz-results", args=[quiz.slug]) + (f"?{query}" if query else "")


@login_required
@teacher_only
@require_POST
def quiz_statistics_refresh(request, slug):
    """The Recompute (or Retry) button: compute the item statistics of this view again."""
    quiz = get_object_or_404(Quiz, slug=slug)
    form, attempts = _filtered(request, quiz)
    if attempts is None:
        return bad_request(request, _("The filter is not valid: %(errors)s") % _errors(form))
    statistics = statistics_recompute(request.user, quiz, form)
    if statistics.status == QuizStatistics.Status.DONE:
        messages.success(request, _("The item statistics were computed again."))
    elif statistics.status == QuizStatistics.Status.COMPUTING:
        messages.info(
            request,
            _("The item statistics are being computed. Reload this page in a minute to see them."),
        )
    return redirect(_dashboard_url(quiz, request))


EXPORT_FILTER = ("classroom", "date_from", "date_to")


@login_required
@teacher_only
@require_safe
def quiz_export(request, slug, kind, format="csv"):
    """A quiz's grades, responses or item statistics as a CSV file or a workbook: sent now, or
    written by a background task when there are more than `EXPORT_INLINE_LIMIT` attempts."""
    quiz = get_object_or_404(Quiz, slug=slug)
    if kind not in QUIZ_EXPORTS:
        return bad_request(request, _("There is no such export."))
    form, attempts = _filtered(request, quiz)
    if attempts is None:
        return bad_request(request, _("The filter is not valid: %(errors)s") % _errors(form))
    if kind == "items":
        statistics = statistics_for(request.user, quiz, form)
        if statistics.result is None:
            messages.info(
                request,
                _("Item statistics are being computed. Download them when this page shows them."),
            )
            return redirect(_dashboard_url(quiz, request))
        items = item_report(statistics.result)
        return quiz_csv_download(
            request.user, quiz, attempts, kind, bom=_bom(request), items=items, format=format
        )
    count = attempts.count()
    if count > settings.EXPORT_INLINE_LIMIT:
        params = {
            "kind": kind,
            "format": format,
            "bom": _bom(request),
            "filter": {name: request.GET.get(name, "") for name in EXPORT_FILTER},
            "language": get_language(),  # of the headings, names and numbers, as a download's
        }
        job_start(owner=request.user, quiz=quiz, kind=Job.Kind.EXPORT, params=params, total=count)
        messages.info(
            request,
            _("This export is large, so it is written in the background. Download it when done."),
        )
        return redirect("quizzes:job-list")
    return quiz_csv_download(request.user, quiz, attempts, kind, bom=_bom(request), format=format)


# Jobs --------------------------------------------------------------------------------------


def _jobs(user):
    """The jobs a user sees: their own (every job for a superuser)."""
    jobs = Job.objects.select_related("quiz", "owner")
    return jobs if user.is_superuser else jobs.filter(owner=user)


@login_required
@teacher_only
@require_safe
def job_list(request):
    """The teacher's background jobs: what runs, how far it got, errors, files to download."""
    page = Paginator(_jobs(request.user), 50).get_page(request.GET.get("page"))
    # The classes the jobs were asked for (a superuser's: every teacher's), by one query.
    asked = {job.params.get("filter", {}).get("classroom") for job in page}
    asked = [int(pk) for pk in map(str, asked) if pk.isascii() and pk.isdigit() and len(pk) < 19]
    classes = Classroom.objects.taught_by(request.user).filter(pk__in=asked)
    class_names = dict(classes.values_list("pk", "name"))
    for job in page:
        job.label, job.filters = _job_label(job, class_names)
        job.downloadable = (
            job.owner_id == request.user.pk
            and job.status == Job.Status.DONE
            and bool(job.file)
            and not export_expired(job)
        )
    running = any(job.status in (Job.Status.QUEUED, Job.Status.RUNNING) for job in page)
    return render(request, "quizzes/job_list.html", {"page": page, "running": running})


def _job_label(job, class_names: dict[int, str]) -> tuple[str, str]:
    """What a job is ("Grades, CSV for Excel") and the filter it was asked with."""
    if job.kind == Job.Kind.REGRADE:
        return _("Regrade"), ""
    params = job.params
    what = _("Grades") if params.get("kind") == "grades" else _("Responses")
    if params.get("format") == "xlsx":
        form = _("Excel workbook (.xlsx)")
    elif params.get("bom"):
        form = _("CSV for Excel (UTF-8 with BOM)")
    else:
        form = _("CSV")
    chosen = params.get("filter", {})
    filters = []
    classroom = str(chosen.get("classroom", ""))
    if classroom.isascii() and classroom.isdigit():
        name = class_names.get(int(classroom), _("a class no longer yours"))
        filters.append(_("class %(name)s") % {"name": name})
    for name, text in (("date_from", _("from %(date)s")), ("date_to", _("to %(date)s"))):
        if chosen.get(name):
            filters.append(text % {"date": _shown_date(chosen[name])})
    return f"{what}, {form}", ", ".join(filters) or _("all your learners")


def _shown_date(value: str) -> str:
    """A filter's date as the pages write dates ("5 January 2026"), or as it was sent."""
    try:
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


@login_required
@teacher_only
@require_POST
def job_retry_view(request, pk):
    """Run a failed job again."""
    job = get_object_or_404(_jobs(request.user), pk=pk)
    if job_retry(job):
        messages.success(request, _("The job was started again."))
    else:
        messages.info(request, _("Only a job that failed can be retried."))
    return redirect("quizzes:job-list")


@login_required
@teacher_only
@require_safe
def job_download(request, pk):
    """A finished export's file, for the teacher who asked for it only (404 for anyone else)."""
    job = get_object_or_404(
        Job, pk=pk, owner=request.user, kind=Job.Kind.EXPORT, status=Job.Status.DONE
    )
    if not job.file or export_expired(job):
        raise Http404(_("This export is no longer kept. Export it again."))
    filename = job.result["filename"]
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=XLSX if filename.endswith(".xlsx") else "text/csv; charset=utf-8",
    )


# Classes -----------------------------------------------------------------------------------


def _my_class(request, pk):
    """A class the signed-in teacher runs (any class for a superuser); 404 otherwise."""
    return get_object_or_404(Classroom.objects.taught_by(request.user), pk=pk)


@login_required
@permission_required("quizzes.add_classroom", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def class_list(request):
    """The teacher's classes, and a form to create one."""
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        classroom = form.save(commit=False)
        classroom.teacher = request.user
        try:
            with transaction.atomic():
                classroom.save()
        except IntegrityError:
            form.add_error("name", _("You already have a class with this name."))
        else:
            messages.success(
                request,
                _("Class “%(name)s” created. Share its code or link with your learners.")
                % {"name": classroom.name},
            )
            return redirect(classroom)
    classes = (
        Classroom.objects.taught_by(request.user)
        .select_related("teacher")
        .annotate(size=Count("memberships"))
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "quizzes/class_list.html", {"classes": classes, "form": form}, status=status
    )


@login_required
@teacher_only
@require_safe
def class_detail(request, pk):
    """A class: its join code and link, its learners with their latest activity, who of them
    is locked out of signing in, and the quiz overrides for the class and its learners."""
    return _class_page(request, _my_class(request, pk))


def _class_page(request, classroom, override_form=None, status=200):
    members = (
        Membership.objects.filter(classroom=classroom)
        .select_related("learner")
        .annotate(
            attempts=Count(
                "learner__attempts",
                filter=Q(
                    learner__attempts__submitted_at__isnull=False,
                    learner__attempts__practice=False,
                    learner__attempts__preview=False,
                ),
            ),
            last=Max(
                "learner__attempts__submitted_at",
                filter=Q(learner__attempts__practice=False, learner__attempts__preview=False),
            ),
        )
    )
    members = by_name(members)
    join_link = request.build_absolute_uri(classroom.join_url())
    locked = locked_usernames([member.learner.get_username() for member in members])
    context = {
        "classroom": classroom,
        "members": members,
        "join_link": join_link,
        "locked": locked,
        "overrides": Override.objects.of_class(classroom).select_related(
            "quiz", "learner", "classroom"
        ),
        "override_form": override_form or OverrideForm(classroom=classroom),
    }
    return render(request, "quizzes/class_detail.html", context, status=status)


@login_required
@teacher_only
@require_POST
def class_override_save(request, pk):
    """Give the class, or one of its learners, other settings for a quiz (or change them)."""
    classroom = _my_class(request, pk)
    form = OverrideForm(request.POST, classroom=classroom)
    if not form.is_valid():
        return _class_page(request, classroom, form, status=400)
    with transaction.atomic():
        override = form.save()
        moved = attempts_follow_rules(override.quiz, override.learner_ids())
    if form.replaced:
        saved = _(
            "The override for %(who)s on “%(quiz)s” is saved. It replaces the earlier one: "
            "a setting left empty is the quiz's own again."
        )
    else:
        saved = _("The override for %(who)s on “%(quiz)s” is saved.")
    saved = saved % {
        "who": display_name(override.learner) if override.learner else override.classroom,
        "quiz": override.quiz,
    }
    messages.success(request, _join(saved, moved_message(moved)))
    return redirect(f"{classroom.get_absolute_url()}#overrides-heading")


@login_required
@teacher_only
@require_POST
def class_override_delete(request, pk, override_id):
    """Remove an override of the class or of one of its learners: the quiz's own settings
    apply again, to attempts in progress too."""
    classroom = _my_class(request, pk)
    override = get_object_or_404(Override.objects.of_class(classroom), pk=override_id)
    with transaction.atomic():
        learners = override.learner_ids()
        override.delete()
        moved = attempts_follow_rules(override.quiz, learners)
    messages.success(request, _join(_("The override is removed."), moved_message(moved)))
    return redirect(f"{classroom.get_absolute_url()}#overrides-heading")


def _join(*sentences):
    return " ".join(sentence for sentence in sentences if sentence)


@login_required
@teacher_only
@require_http_methods(["GET", "HEAD", "POST"])
def class_rotate(request, pk):
    """Give the class a new code, once confirmed: the old code and link stop working."""
    classroom = _my_class(request, pk)
    if request.method == "GET":
        return _confirm(
            request,
            classroom,
            title=_("Make a new code for “%(name)s”?") % {"name": classroom.name},
            text=_(
                "The code %(code)s and the class's join link stop working at once. Learners "
                "already in the class stay in it; anyone still to join needs the new code."
            )
            % {"code": classroom.join_code},
            button=_("Make a new code"),
        )
    rotate_code(classroom)
    messages.success(
        request,
        _("The class has a new code: %(code)s. The old one no longer works.")
        % {"code": classroom.join_code},
    )
    return redirect(classroom)


@login_required
@teacher_only
@require_http_methods(["GET", "HEAD", "POST"])
def class_remove(request, pk, learner_id):
    """Take a learner out of the class, once confirmed; their attempts stay, but this class no
    longer shows them."""
    classroom = _my_class(request, pk)
    learner = get_object_or_404(User, pk=learner_id)
    if request.method == "GET":
        if not classroom.memberships.filter(learner=learner).exists():
            raise Http404(_("This learner is not in the class."))
        return _confirm(
            request,
            classroom,
            title=_("Remove %(name)s from “%(class)s”?")
            % {"name": display_name(learner), "class": classroom.name},
            text=_(
                "Their account and their attempts stay, but this class and its results no longer "
                "show them. They can join again with the class's code."
            ),
            button=_("Remove from the class"),
        )
    left = leave(classroom=classroom, learner=learner)
    if not left.removed:
        raise Http404(_("This learner is not in the class."))
    removed = _("%(name)s was removed from the class.") % {"name": display_name(learner)}
    if left.overrides_removed:
        removed = _join(
            removed,
            ngettext(
                "Their own override is removed too: no other class of theirs shows it.",
                "Their own %(count)s overrides are removed too: no other class of theirs "
                "shows them.",
                left.overrides_removed,
            )
            % {"count": left.overrides_removed},
        )
    messages.success(request, _join(removed, moved_message(left.attempts_moved)))
    return redirect(classroom)


@login_required
@teacher_only
@require_POST
def class_unlock(request, pk, learner_id):
    """Let a learner of the class sign in again: forget their wrong passwords everywhere."""
    classroom = _my_class(request, pk)
    membership = get_object_or_404(  # never a staff account (one that joined before they could not)
        Membership.objects.select_related("learner"),
        classroom=classroom,
        learner_id=learner_id,
        learner__is_staff=False,
        learner__is_superuser=False,
    )
    unlock(membership.learner.get_username())
    name = display_name(membership.learner)
    messages.success(request, _("%(name)s can sign in again.") % {"name": name})
    return redirect(classroom)


def _confirm(request, classroom, *, title, text, button):
    """The page that asks before a class action which one click should not do."""
    context = {"classroom": classroom, "title": title, "text": text, "button": button}
    return render(request, "quizzes/class_confirm.html", context)


def _slips(request, classroom, slips, language, **context):
    """The page that shows new passwords, once: rendered in the POST's response, never stored."""
    with override(language):
        sign_in = request.build_absolute_uri(reverse("login"))
    # A narrow slip breaks the address after a slash, not inside "login".
    sign_in = mark_safe(escape(sign_in).replace("/", "/<wbr>"))  # noqa: S308 - escaped first
    context.update(classroom=classroom, slips=slips, slip_language=language, sign_in=sign_in)
    return render(request, "quizzes/class_slips.html", context)


@never_cache
@login_required
@teacher_only
@require_http_methods(["GET", "HEAD", "POST"])
def class_roster(request, pk):
    """Add learners from a pasted list of names: accounts made, sign-in slips shown once."""
    classroom = _my_class(request, pk)
    form = RosterForm(
        request.POST or None, classroom=classroom, initial={"language": get_language()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            slips = roster_create(
                classroom=classroom,
                names=form.cleaned_data["names"],
                language=form.cleaned_data["language"],
            )
        except IntegrityError:  # another paste took a username a moment ago; nothing was saved
            form.add_error(
                None, _("Someone made accounts at the same moment. Send the list again.")
            )
        else:
            if slips:
                language = form.cleaned_data["language"]
                extra = {"repeated": form.repeated, "already": form.already}
                return _slips(request, classroom, slips, language, **extra)
            # The same list sent twice at once: the other request made the accounts.
            form.add_error("names", ALL_ALREADY_IN)
    status = 400 if request.method == "POST" else 200
    context = {"classroom": classroom, "form": form}
    return render(request, "quizzes/class_roster.html", context, status=status)


@never_cache
@login_required
@teacher_only
@require_http_methods(["GET", "HEAD", "POST"])
def class_password_reset(request, pk, learner_id):
    """Give a learner of the class a new password, once confirmed, shown once on a slip.

    Staff accounts are not the class's to reset (a teacher who joined a colleague's class, say).
    """
    classroom = _my_class(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("learner"),
        classroom=classroom,
        learner_id=learner_id,
        learner__is_staff=False,
        learner__is_superuser=False,
    )
    learner = membership.learner
    return _reset_page(
        request,
        classroom,
        lambda token, language: [password_reset(learner=learner, token=token, language=language)],
        reset_token(learner),
        "quizzes/class_password_reset.html",
        {"learner": learner, "name": display_name(learner)},
    )


@never_cache
@login_required
@teacher_only
@require_http_methods(["GET", "HEAD", "POST"])
def class_passwords_reset(request, pk):
    """New passwords, on slips, for every learner of the class who has never signed in: the
    slips made with their accounts are lost, or the page showing them was reloaded."""
    classroom = _my_class(request, pk)
    learners = never_signed_in(classroom)

    def make_slips(token, language):
        if not learners:  # all signed in since the page was opened
            raise PasswordChanged
        return passwords_reset(learners=learners, token=token, language=language)

    return _reset_page(
        request,
        classroom,
        make_slips,
        passwords_token(learners),
        "quizzes/class_passwords_reset.html",
        {"learners": [display_name(learner) for learner in learners]},
    )


def _reset_page(request, classroom, make_slips, token, template, context):
    """A confirm page for new passwords, whose form sends `token` (what it knows of the
    passwords it replaces); on POST, the slips `make_slips(token, language)` makes (their
    passwords in the slips' language), or the page again:
    a 400 for a form not of ours, a 409 for one sent again (PasswordChanged)."""
    form = PasswordResetForm(request.POST or None, initial={"language": get_language()})
    status = 200
    if request.method == "POST":
        status = 400
        if "replaces" in form.errors:  # not a form of ours: the confirm page writes it
            return bad_request(request, _("This form is out of date. Reload the page."))
        if form.is_valid():
            language = form.cleaned_data["language"]
            try:
                slips = make_slips(form.cleaned_data["replaces"], language)
            except PasswordChanged:  # sent again: a reloaded slip, a double click
                status = 409
            else:
                return _slips(request, classroom, slips, language, reset=True)
    context.update(classroom=classroom, form=form, replaces=token, changed=status == 409)
    return render(request, template, context, status=status)


# One learner's attempt, and marks by hand --------------------------------------------------


def _visible_attempt(request, pk):
    """A finished attempt of one of the teacher's learners (anyone's for a superuser); 404."""
    attempts = attempts_visible_to(request.user).submitted().select_related("learner", "quiz")
    return get_object_or_404(attempts, pk=pk)


def _attempt_page(request, attempt, *, bound=None, status=200):
    """The teacher's view of an attempt; `bound` is an override form that failed, kept.

    Its questions are in the teacher's language where the version holds that language's own
    texts, as the learner's result page is for the learner; the attempt's language is named."""
    attempt.reader_language = current_language()
    answers = list(attempt.answers.order_by("position"))
    versions_by_id(answer.version_id for answer in answers)
    history = defaultdict(list)
    for change in MarkOverride.objects.filter(attempt=attempt).select_related("by"):
        history[change.answer_id].append(change)
    questions = []
    for answer, shown in zip(answers, reviewed_answers(answers, FULL), strict=True):
        form = bound if bound is not None and bound.answer.pk == answer.pk else None
        questions.append(
            {
                "answer": answer,
                "shown": shown,
                "form": form or MarkOverrideForm(answer=answer, prefix=f"a{answer.position}"),
                "open": form is not None,
                "history": history[answer.pk],
            }
        )
    others = (
        attempts_visible_to(request.user)
        .submitted()
        .filter(learner=attempt.learner, quiz=attempt.quiz)
        .order_by("submitted_at", "id")
        .only("pk", "submitted_at", "percentage", "overridden_at")
    )
    context = {
        "attempt": attempt,
        "learner": attempt.learner,
        "questions": questions,
        "others": others,
        "duration": attempt.submitted_at - attempt.started_at,
        "failed": bound.answer.position if bound is not None else None,
        "attempt_language": LANGUAGE_NAMES.get(attempt.language, attempt.language),
    }
    return render(request, "quizzes/teacher_attempt.html", context, status=status)


@login_required
@teacher_only
@require_safe
def attempt_detail(request, pk):
    """One learner's finished attempt as the teacher sees it: every question as dealt, the
    learner's answer, the key, marks, time taken, and a form to change marks or comment."""
    return _attempt_page(request, _visible_attempt(request, pk))


@login_required
@teacher_only
@require_POST
def attempt_override(request, pk, position):
    """Set one question's marks by hand (with a reason) and/or its comment."""
    attempt = _visible_attempt(request, pk)
    answer = get_object_or_404(Answer, attempt=attempt, position=position)
    form = MarkOverrideForm(request.POST, answer=answer, prefix=f"a{position}")
    if not form.is_valid():
        return _attempt_page(request, attempt, bound=form, status=400)
    try:
        result = answer_override(
            answer=answer,
            by=request.user,
            marks=form.cleaned_data["marks"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _attempt_page(request, attempt, bound=form, status=400)
    if result.change is None:
        messages.info(request, _("Nothing changed: the marks and comment were already these."))
    else:
        messages.success(
            request,
            ngettext(
                "Question %(number)s saved. The attempt now has %(marks)s of %(maximum)s mark.",
                "Question %(number)s saved. The attempt now has %(marks)s of %(maximum)s marks.",
                marks_count(result.attempt.max_marks),
            )
            % {
                "number": position,
                "marks": shown_marks(result.attempt.marks),
                "maximum": shown_marks(result.attempt.max_marks),
            },
        )
    return redirect(reverse("quizzes:teacher-attempt", args=[attempt.pk]) + f"#question-{position}")


# Gradebook ---------------------------------------------------------------------------------


@login_required
@teacher_only
@require_safe
def class_gradebook(request, pk, format=None):
    """A class's learners × quizzes grid of the grades that count, sortable by any column;
    with `format` ("csv" or "xlsx"), the same grid as a file for a school's gradebook."""
    classroom = _my_class(request, pk)
    quizzes = gradebook_quizzes(classroom)
    sort = request.GET.get("sort") or "name"
    if sort not in sorts(quizzes):
        context = {"classroom": classroom, "error": _("The gradebook cannot be sorted that way.")}
        return render(request, "quizzes/gradebook.html", context, status=400)
    book = gradebook(classroom, quizzes, sort=sort)
    if format is not None:
        # ł has no decomposition, so slugify alone dropped it ("zazoc" for "Zażółć").
        name = f"gradebook-{slugify(classroom.name.translate(FOLDED)) or classroom.pk}"
        rows = gradebook_rows(book)
        return download(rows, name, GRADEBOOK_TYPES, format=format, bom=_bom(request))
    columns = [
        {
            "quiz": quiz,
            "sort": quiz.slug if sort != quiz.slug else f"-{quiz.slug}",
            "aria_sort": _aria_sort(sort, quiz.slug),
            "average": average,
        }
        for quiz, average in zip(book.quizzes, book.averages, strict=True)
    ]
    context = {
        "classroom": classroom,
        "book": book,
        "columns": columns,
        "name_sort": "-name" if sort == "name" else "name",
        "name_aria_sort": _aria_sort(sort, "name"),
        "query": f"sort={sort}" if sort != "name" else "",
    }
    return render(request, "quizzes/gradebook.html", context)


def _aria_sort(sort: str, key: str) -> str:
    if sort == key:
        return "ascending"
    return "descending" if sort == f"-{key}" else ""
