"""Pages for everyone: the lesson list, a lesson, signing up and in, and the health check."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import resolve, reverse, translate_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from quizzes.core import sign_in
from quizzes.core.background_save import is_background_save
from quizzes.core.database_busy import write_problem
from quizzes.core.sign_in_throttle import device_cookie_set
from quizzes.course.alphabet import alphabetical
from quizzes.course.content_cache import cached
from quizzes.course.content_cache import version as content_version
from quizzes.course.fallbacks import shown_in_each, untranslated_notice
from quizzes.course.rendering import Glossary
from quizzes.forms import SignupForm, ThrottledPasswordChangeForm
from quizzes.models import Course, GlossaryTerm, Lesson, Quiz, SourceExcerpt, TeacherNote
from quizzes.taking.progress import best_by_lesson
from quizzes.taking.scoring import shown_marks
from quizzes.views import language_refused


def _lesson_cards():
    """(lesson id, the start of its card on the home page) for each published lesson.

    The card's end, the learner's own score, is added per request.
    """
    lessons = Lesson.objects.published().prefetch_related(
        Prefetch("quizzes", queryset=Quiz.objects.filter(is_published=True), to_attr="live_quizzes")
    )
    return [
        (
            lesson.id,
            render_to_string(
                "quizzes/lesson_card.html",
                {"lesson": lesson, "fallback": shown_in_each(lesson, ("title", "summary"))},
            ),
        )
        for lesson in lessons
    ]


def _score(best, in_progress: bool) -> str:
    if best is None:
        return _("Attempt in progress") if in_progress else _("Not attempted yet")
    text = _("Your best in this lesson: %(best)s%%") % {"best": shown_marks(best)}
    return _("%(best)s · attempt in progress") % {"best": text} if in_progress else text


def _lesson_article(slug, *, drafts=False):
    """A lesson's title and its whole article as HTML, or None when there is no such lesson."""
    lessons = Lesson.objects.prefetch_related("sources")
    if not drafts:
        lessons = lessons.published()
    lesson = lessons.filter(slug=slug).first()
    if lesson is None:
        return None
    context = {
        "lesson": lesson,
        "quizzes": lesson.quizzes.filter(is_published=True),
        "fallback": shown_in_each(lesson, ("title", "summary", "body", "objectives")),
        "course": Course.objects.first(),
    }
    missing = next((lang for lang in context["fallback"].values() if lang), None)
    context["notice"] = untranslated_notice(missing) if missing else ""
    return lesson.title, render_to_string("quizzes/lesson_article.html", context)


@require_safe
def home(request):
    """Published lessons, each with its quizzes and the learner's best score."""
    # One cached entry, so one content-version check per request.
    cards, quizzes, course = cached(
        "home", lambda: (_lesson_cards(), Quiz.objects.in_bulk(), Course.objects.first())
    )
    rows = [(card, "") for _, card in cards]
    if request.user.is_authenticated:
        best, in_progress = best_by_lesson(request.user.pk, quizzes, timezone.now())
        rows = [
            (card, _score(best.get(lesson_id), lesson_id in in_progress))
            for lesson_id, card in cards
        ]
    context = {"rows": rows, "course": course, "content_version": content_version()}
    return render(request, "quizzes/home.html", context)


@require_safe
def lesson_detail(request, slug):
    """One lesson, rendered from Markdown, with links to its quizzes; drafts too for teachers."""
    if request.user.is_staff and request.user.has_perm("quizzes.change_lesson"):
        article = _lesson_article(slug, drafts=True)
    else:
        article = cached(f"lesson-article:{slug}", lambda: _lesson_article(slug))
    if article is None:
        raise Http404(_("There is no such lesson."))
    title, html = article
    context = {"title": title, "article": html}
    if request.user.is_staff and request.user.has_perm("quizzes.view_teachernote"):
        context["teacher_note"] = TeacherNote.objects.filter(lesson__slug=slug).first()
        context["excerpts"] = SourceExcerpt.objects.filter(lesson__slug=slug)
    return render(request, "quizzes/lesson_detail.html", context)


def _glossary_page():
    """The glossary's terms in the reader's alphabetical order, each with the lessons using it."""
    lessons = list(Lesson.objects.published())
    entries = []
    for term in alphabetical(GlossaryTerm.objects.all(), key=lambda term: term.term):
        finder = Glossary([("", term.forms_written)])
        entries.append(
            {
                "term": term,
                "fallback": shown_in_each(term, ("term", "definition")),
                "lessons": [lesson for lesson in lessons if finder.finds(lesson.body)],
            }
        )
    return render_to_string("quizzes/glossary_list.html", {"entries": entries})


@require_safe
def glossary(request):
    """Every glossary term with its definition and the lessons that use it."""
    entries = cached("glossary", _glossary_page)
    return render(request, "quizzes/glossary.html", {"entries": entries})


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """Create a learner account and sign it in."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "quizzes:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same username, signed up a moment before in another tab
            form.add_error("username", form.instance.unique_error_message(User, ["username"]))
        else:
            return _signed_up(request, user, next_url)
    context = {
        "form": form,
        "next": next_url,
        "login_url": _with_next("login", next_url),
        "signup_url": _with_next("signup", next_url),  # the header's link to this page
        "joining": _is_join_link(next_url),
    }
    status = 400 if request.method == "POST" else 200  # sent back with its errors
    return render(request, "registration/signup.html", context, status=status)


def _signed_up(request, user, next_url):
    login(request, user, backend=sign_in.BACKEND)
    name = user.get_short_name() or user.get_username()
    messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": name})
    response = redirect(next_url or "quizzes:home")
    # As signing in does: this browser is the new learner's, so a classmate who mistypes
    # their password five times cannot lock them out of it.
    device_cookie_set(request, response, user.get_username())
    return response


def csrf_failure(request, reason=""):
    """A form or background save from a page whose CSRF token is stale (403), in the site's
    own page: signing in again in another tab gives a new token, and Django's page said only
    "CSRF verification failed" with no way on."""
    if is_background_save(request):
        message = _("This page is out of date: reload it, then choose your latest answers again.")
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "403_csrf.html", status=403)


def set_language(request):
    """Django's language switch, reading the page to return to in that page's own language.

    The switch lives outside the /en/ and /pl/ prefixes, so Django reads `next` in the
    language of the reader's cookie or browser: an English reader's /pl/… page did not resolve
    in English, and the switch sent them back to it in Polish, however often they pressed it.
    A language the site does not offer is refused: Django would keep it in the cookie for a
    year (it has its own German, say) and send the reader to a /de/… page that does not exist.
    """
    if request.method == "POST" and (
        refused := language_refused(request, request.POST.get("language"))
    ):
        return refused
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )  # False for junk that does not parse (http://[), which Django then ignores too
    if safe and (language := translation.get_language_from_path(urlsplit(next_url).path)):
        translation.activate(language)
    return i18n.set_language(request)


def _with_next(name: str, next_url: str) -> str:
    """The address of the named page, passing on where to go afterwards."""
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _is_join_link(url: str) -> bool:
    """Whether the address is a class's join link (or the join form)."""
    try:
        match = resolve(urlsplit(url).path)
    except Http404:
        return False
    return match.view_name in ("quizzes:join", "quizzes:join-form")


def _safe_next(request) -> str:
    """Where to go after signing up (a join link, say): only an address on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path, never a bare word: `redirect` would take "home" or "abc" for a URL's name.
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return _in_this_language(target) if safe else ""


def _in_this_language(url: str) -> str:
    """A page of this site to go to next, in the language of the page passing it on: a Polish
    join link on a sign-in page switched to English goes on in English, and is still known
    for a join link there."""
    current = translation.get_language()
    language = translation.get_language_from_path(urlsplit(url).path)
    if not language or language == current:
        return url
    with translation.override(language):  # an address resolves in its own language only
        return translate_url(url, current)


class SignInView(auth_views.LoginView):
    """Django's sign-in, which also marks the browser as one this user signs in from."""

    def get_redirect_url(self):
        return _in_this_language(super().get_redirect_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = context.get("next", "")  # already checked to be on this site by Django
        context["signup_url"] = _with_next("signup", next_url)
        context["login_url"] = _with_next("login", next_url)  # the header's link to this page
        context["joining"] = _is_join_link(next_url)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        device_cookie_set(self.request, response, form.get_user().get_username())
        return response

    def form_invalid(self, form):
        """A wrong password or a blank field: the form again with its message, as a 400."""
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, which then says so on the page it leads to (a shared classroom
    computer's next user sees that the last one is gone)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are signed out."))  # into the new, empty session
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the old password checked under sign-in throttling."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@never_cache
@require_safe
def healthz(request):
    """200 when the database can take a write within seconds; 503 and the reason when not."""
    problem = write_problem(within=settings.HEALTHZ_LOCK_TIMEOUT)
    if problem:
        return HttpResponse(f"database {problem}\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
