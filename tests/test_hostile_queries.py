"""Hostile query strings on every admin changelist: a clear message and a 4xx, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from .factories import SuperuserFactory

pytestmark = [
    pytest.mark.django_db,
    # A hand-typed date without a time zone is read in the site's, as in production, where
    # this is a warning; the suite turns warnings into errors.
    pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime"),
]

CHANGELISTS = [
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
]

HOSTILE = [
    "started_at__year=9999",
    "started_at__year=1",
    "started_at__year=99999999999999999999",
    "started_at__year=%C2%B2",
    "started_at__year=2026&started_at__month=13",
    "submitted_at__gte=0001-01-01",
    "submitted_at__gte=9999-12-31+23:59:59&submitted_at__lt=10000-01-01",
    "submitted_at__gte=%00",
    "classroom=%C2%B2",
    "classroom=99999999999999999999",
    "classroom=%00",
    "quiz__id__exact=99999999999999999999",
    "quiz__id__exact=%C2%B2",
    "quiz__id__exact=-1",
    "passed__exact=%00",
    "q=%00",
    "q=a%00b",
    "o=99999999999999999999",
    "o=%C2%B2",
    "p=99999999999999999999",
    "p=%00",
    "e=1",
    "id__in=1,%00",
    "pk=99999999999999999999",
    "is_published__exact=2",
    "updated_at__gte=0001-01-01",
    "lesson__id__exact=99999999999999999999",
    "kind__exact=%00",
    "order=%C2%B2",
    "attempt_time__year=9999",
    "attempt_time__year=2026&attempt_time__month=99999999999999999999",
    "attempt_time__gte=0001-01-01",
    "date_joined__gte=0001-01-01",
    "groups__id__exact=%C2%B2",
]


@pytest.fixture
def superuser_client(quiz):
    client = Client()
    client.force_login(SuperuserFactory())
    return client


def assert_list_or_clear_400(response, changelist, query):
    page = response.content.decode()
    if response.status_code == 200:
        assert 'id="changelist"' in page, (changelist, query)
    else:
        assert response.status_code == 400, (changelist, query, response.status_code)
        assert "cannot use" in page or "NUL character" in page, (changelist, query)


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_a_hostile_query_string_gets_the_list_or_a_clear_400_never_a_500(
    superuser_client, changelist, query
):
    response = superuser_client.get(f"{reverse(changelist)}?{query}")
    assert_list_or_clear_400(response, changelist, query)


@pytest.mark.parametrize("selected", ["abc", "1.5", "9223372036854775808", "9" * 30, "-1e3"])
@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_an_action_on_rows_no_key_can_name_is_a_clear_400_never_a_500(
    superuser_client, changelist, selected
):
    """A forged selection (`_selected_action=abc`, a number past 2**63): Django's filter on it
    failed with a 500 on almost every list."""
    model_admin = next(
        m
        for m in admin.site._registry.values()
        if changelist.endswith(f"{m.opts.model_name}_changelist")
    )
    url = reverse(changelist)
    before = model_admin.model._default_manager.count()
    for action in model_admin.get_actions(superuser_client.get(url).wsgi_request):
        response = superuser_client.post(
            url, {"action": action, "_selected_action": ["1", selected], "index": "0"}
        )
        page = response.content.decode()
        if model_admin.model._meta.pk.get_internal_type() in ("CharField", "SlugField"):
            assert response.status_code in (200, 302), (changelist, action)
            continue
        assert response.status_code == 400, (changelist, action, response.status_code)
        assert "cannot be one of the" in page and "Nothing was changed" in page
    assert model_admin.model._default_manager.count() == before


@pytest.mark.parametrize("query", HOSTILE)
def test_a_teacher_filtering_attempts_by_hand_gets_a_clear_answer(teacher_client, query):
    url = reverse("admin:quizzes_attempt_changelist")
    assert_list_or_clear_400(teacher_client.get(f"{url}?{query}"), url, query)


def test_a_year_past_9999_says_the_filter_is_the_problem_and_links_back(teacher_client):
    url = reverse("admin:quizzes_attempt_changelist")
    response = teacher_client.get(f"{url}?started_at__year=9999")
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot use, such as a date out of range" in page
    assert f'href="{url}"' in page


@pytest.mark.parametrize("term", ["%00", "a%00", "%C2%B2", "x" * 2000])
@pytest.mark.parametrize("model", ["answer", "membership"])
def test_a_hostile_autocomplete_term_gets_a_4xx_or_results(teacher_client, term, model):
    field = "attempt" if model == "answer" else "classroom"
    url = reverse("admin:autocomplete")
    query = f"app_label=quizzes&model_name={model}&field_name={field}&term={term}"
    response = teacher_client.get(f"{url}?{query}")
    assert response.status_code in (200, 400), response.status_code
    if "%00" in term:
        assert response.status_code == 400


PAGES = [
    "/en/results/",
    "/en/results/export.csv",
    "/en/results/quiz/{slug}/",
    "/en/results/quiz/{slug}/grades.csv",
    "/en/classes/",
]
PAGE_QUERIES = [
    "quiz=%00",
    "classroom=%C2%B2",
    "classroom=99999999999999999999",
    "date_from=0001-01-01&date_to=9999-12-31",
    "date_from=99999-01-01",
    "date_from=%00",
    "page=99999999999999999999",
    "page=%C2%B2",
    "sort=%00",
]


@pytest.mark.parametrize("query", PAGE_QUERIES)
@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_query_string_on_a_teachers_page_gets_a_4xx_or_the_page(
    teacher_client, quiz, page, query
):
    response = teacher_client.get(page.format(slug=quiz.slug) + "?" + query)
    assert response.status_code in (200, 400, 404), (page, query, response.status_code)
    if "%00" in query:
        assert response.status_code == 400
        assert "NUL character" in response.content.decode()


NUL_POSTS = [
    ("quizzes:class-list", {"name": "Class\x003B"}),
    ("quizzes:join-form", {"code": "ABC\x00"}),
    ("quizzes:practice-new", {"lesson": "\x00"}),
    ("signup", {"username": "ola\x00", "password1": "x", "password2": "x"}),
    ("login", {"username": "teacher\x00", "password": "x"}),
]


@pytest.mark.parametrize(("name", "data"), NUL_POSTS)
def test_a_nul_character_in_any_form_is_refused_and_saves_nothing(teacher_client, name, data):
    from quizzes.models import Classroom, Membership

    before = (Classroom.objects.count(), Membership.objects.count())
    response = teacher_client.post(reverse(name), data)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert (Classroom.objects.count(), Membership.objects.count()) == before


def test_a_nul_character_in_a_quiz_answer_is_refused_and_saves_nothing(learner_client, quiz):
    from quizzes.models import Answer

    from .conftest import attempt_shown, started, take_url

    attempt = attempt_shown(started(learner_client, quiz))
    question = quiz.questions.first()
    response = learner_client.post(
        take_url(quiz), {"attempt": attempt, "action": "save", f"q{question.pk}": "1\x00"}
    )
    assert response.status_code == 400
    assert not Answer.objects.filter(chosen__isnull=False).exists()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "method, data",
    [
        ("get", {f"a{n}": "1" for n in range(3000)}),
        ("post", {f"a{n}": "1" for n in range(3000)}),
        ("post", {"name": "x" * 1_000_000}),
    ],
    ids=["many fields in the address", "many fields in a form", "a huge form"],
)
def test_too_many_fields_or_too_much_data_is_a_400_page_in_debug_too(
    teacher_client, settings, caplog, debug, method, data
):
    """`make run` serves with DEBUG, whose error page read the parameters again and said 500."""
    settings.DEBUG = debug
    teacher_client.raise_request_exception = False
    if method == "get":
        response = teacher_client.get(reverse("quizzes:my-results"), data)
    else:
        response = teacher_client.post(reverse("quizzes:class-list"), data)
    assert response.status_code == 400
    assert "too many fields or too much data" in response.content.decode()
    assert any(r.name.startswith("django.security.") for r in caplog.records)  # as Django logs


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "a learner"])
def test_a_form_in_another_charset_than_utf8_is_a_400_page_that_saves_nothing(
    client, learner, settings, debug, signed_in
):
    """`charset=utf-16` on a form: Django will not read it, and its CSRF check and error
    pages read it again and said 500 (with gunicorn's bare page in production)."""
    settings.DEBUG = debug
    csrf_client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if signed_in:
        csrf_client.force_login(learner)
    for path in ("/en/", reverse("signup"), reverse("quizzes:practice-new")):
        response = csrf_client.post(
            path,
            data="username=utf16&password1=x&password2=x",
            content_type="application/x-www-form-urlencoded; charset=utf-16",
        )
        assert response.status_code == 400, path
        assert "only UTF-8" in response.content.decode()
    assert not User.objects.filter(username="utf16").exists()


@pytest.mark.parametrize(
    "query", ["learner__password__startswith=p", "learner__classrooms__teacher__id__exact=4"]
)
def test_a_filter_the_list_does_not_offer_says_so_and_links_back(teacher_client, query):
    """Django refuses it (DisallowedModelAdminLookup); the page said only "could not
    understand that request", with no way back to the list."""
    url = reverse("admin:quizzes_attempt_changelist")
    response = teacher_client.get(f"{url}?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot use" in page and f'href="{url}"' in page
