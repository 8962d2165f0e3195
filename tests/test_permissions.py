"""Every URL and method against every kind of visitor: exactly the intended answer, never a 500.

Roles: an anonymous visitor, the student who owns the attempt, another student, the student's
teacher, another class's teacher, and a superuser.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Classroom, Membership
from quizzes.teaching.roster import reset_token

from .conftest import answers_for, attempt_shown, started, take_url
from .factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "other_student", "teacher", "other_teacher", "superuser"]
SIGN_IN = "sign-in"  # a redirect to the sign-in page
ADMIN_SIGN_IN = "admin-sign-in"


@dataclass
class World:
    quiz: object
    lesson: object
    attempt: object
    practice: object
    classroom: object
    student: object
    clients: dict


@pytest.fixture
def world(quiz):
    student, other_student = UserFactory(), UserFactory()
    teacher, other_teacher = TeacherFactory(), TeacherFactory()
    superuser = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    classroom = Classroom.objects.create(name="Mine", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=student)
    other_class = Classroom.objects.create(name="Theirs", teacher=other_teacher)
    Membership.objects.create(classroom=other_class, learner=other_student)

    owner = Client()
    owner.force_login(student)
    attempt_id = attempt_shown(started(owner, quiz))
    owner.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz, all_right=False)})
    owner.post(reverse("quizzes:practice-new"), {"lesson": ""})
    practice = Attempt.objects.get(practice=True)

    clients = {"anonymous": Client(), "student": owner}
    for role, user in (
        ("other_student", other_student),
        ("teacher", teacher),
        ("other_teacher", other_teacher),
        ("superuser", superuser),
    ):
        clients[role] = Client()
        clients[role].force_login(user)
    return World(
        quiz=quiz,
        lesson=quiz.lesson,
        attempt=Attempt.objects.get(pk=attempt_id),
        practice=practice,
        classroom=classroom,
        student=student,
        clients=clients,
    )


def expect(anonymous, student, other_student, teacher, other_teacher, superuser):
    return dict(
        zip(
            ROLES,
            (anonymous, student, other_student, teacher, other_teacher, superuser),
            strict=True,
        )
    )


EVERYONE = expect(200, 200, 200, 200, 200, 200)
SIGNED_IN = expect(SIGN_IN, 200, 200, 200, 200, 200)
OWNER_ONLY = expect(SIGN_IN, 200, 404, 404, 404, 404)
TEACHERS = expect(SIGN_IN, 403, 403, 200, 200, 200)
MY_TEACHER = expect(SIGN_IN, 403, 403, 200, 404, 200)
STAFF = expect(ADMIN_SIGN_IN, ADMIN_SIGN_IN, ADMIN_SIGN_IN, 200, 200, 200)

# (method, URL built from the world, data, expected answer per role)
CASES = {
    "home": ("get", lambda w: "/en/", None, EVERYONE),
    "lesson": ("get", lambda w: w.lesson.get_absolute_url(), None, EVERYONE),
    "healthz": ("get", lambda w: "/healthz", None, EVERYONE),
    "signup": ("get", lambda w: reverse("signup"), None, expect(200, 302, 302, 302, 302, 302)),
    "login": ("get", lambda w: reverse("login"), None, EVERYONE),
    "quiz": ("get", lambda w: w.quiz.get_absolute_url(), None, SIGNED_IN),
    "result": ("get", lambda w: w.attempt.get_absolute_url(), None, OWNER_ONLY),
    "practice": ("get", lambda w: w.practice.take_url, None, OWNER_ONLY),
    "my results": ("get", lambda w: reverse("quizzes:my-results"), None, SIGNED_IN),
    "progress": ("get", lambda w: reverse("quizzes:progress"), None, SIGNED_IN),
    "my classes": ("get", lambda w: reverse("quizzes:my-classes"), None, SIGNED_IN),
    "join form": ("get", lambda w: reverse("quizzes:join-form"), None, SIGNED_IN),
    "join link": (
        "get",
        lambda w: reverse("quizzes:join", args=[w.classroom.join_code]),
        None,
        SIGNED_IN,
    ),
    "results": ("get", lambda w: reverse("quizzes:results"), None, TEACHERS),
    "export": ("get", lambda w: reverse("quizzes:results-export"), None, TEACHERS),
    "dashboard": (
        "get",
        lambda w: reverse("quizzes:quiz-results", args=[w.quiz.slug]),
        None,
        TEACHERS,
    ),
    "grades csv": (
        "get",
        lambda w: reverse("quizzes:quiz-export", args=[w.quiz.slug, "grades"]),
        None,
        TEACHERS,
    ),
    "recompute statistics": (
        "post",
        lambda w: reverse("quizzes:quiz-statistics", args=[w.quiz.slug]),
        {},
        expect(SIGN_IN, 403, 403, 302, 302, 302),
    ),
    "jobs": ("get", lambda w: reverse("quizzes:job-list"), None, TEACHERS),
    "classes": ("get", lambda w: reverse("quizzes:class-list"), None, TEACHERS),
    "class": (
        "get",
        lambda w: reverse("quizzes:class-detail", args=[w.classroom.pk]),
        None,
        MY_TEACHER,
    ),
    "rotate code": (
        "post",
        lambda w: reverse("quizzes:class-rotate", args=[w.classroom.pk]),
        {},
        expect(SIGN_IN, 403, 403, 302, 404, 302),
    ),
    "remove learner": (
        "post",
        lambda w: reverse("quizzes:class-remove", args=[w.classroom.pk, w.student.pk]),
        {},
        expect(SIGN_IN, 403, 403, 302, 404, 302),
    ),
    "unlock learner": (
        "post",
        lambda w: reverse("quizzes:class-unlock", args=[w.classroom.pk, w.student.pk]),
        {},
        expect(SIGN_IN, 403, 403, 302, 404, 302),
    ),
    "confirm a new code": (
        "get",
        lambda w: reverse("quizzes:class-rotate", args=[w.classroom.pk]),
        None,
        MY_TEACHER,
    ),
    "confirm removing a learner": (
        "get",
        lambda w: reverse("quizzes:class-remove", args=[w.classroom.pk, w.student.pk]),
        None,
        MY_TEACHER,
    ),
    "roster form": (
        "get",
        lambda w: reverse("quizzes:class-roster", args=[w.classroom.pk]),
        None,
        MY_TEACHER,
    ),
    "roster": (
        "post",
        lambda w: reverse("quizzes:class-roster", args=[w.classroom.pk]),
        {"names": "Ada Lovelace", "language": "en"},
        expect(SIGN_IN, 403, 403, 200, 404, 200),
    ),
    "confirm slips again": (
        "get",
        lambda w: reverse("quizzes:class-passwords", args=[w.classroom.pk]),
        None,
        MY_TEACHER,
    ),
    "confirm a password reset": (
        "get",
        lambda w: reverse("quizzes:class-password-reset", args=[w.classroom.pk, w.student.pk]),
        None,
        MY_TEACHER,
    ),
    "reset a password": (
        "post",
        lambda w: reverse("quizzes:class-password-reset", args=[w.classroom.pk, w.student.pk]),
        lambda w: {"language": "en", "replaces": reset_token(w.student)},
        expect(SIGN_IN, 403, 403, 200, 404, 200),
    ),
    "start the quiz": (
        "post",
        lambda w: w.quiz.get_absolute_url(),
        None,
        expect(SIGN_IN, 302, 302, 302, 302, 302),
    ),
    "answer the quiz": (
        "post",
        lambda w: take_url(w.quiz),
        lambda w: {"attempt": w.attempt.pk, "action": "save"},
        expect(SIGN_IN, 302, 404, 404, 404, 404),
    ),
    "answer the practice": (
        "post",
        lambda w: w.practice.take_url,
        lambda w: {"attempt": w.practice.pk, "action": "save"},
        expect(SIGN_IN, 302, 404, 404, 404, 404),
    ),
    "start practice": (
        "post",
        lambda w: reverse("quizzes:practice-new"),
        {"lesson": ""},
        expect(SIGN_IN, 302, 302, 302, 302, 302),
    ),
    "admin": ("get", lambda w: reverse("admin:index"), None, STAFF),
    "admin attempt": (
        "get",
        lambda w: reverse("admin:quizzes_attempt_change", args=[w.attempt.pk]),
        None,
        expect(ADMIN_SIGN_IN, ADMIN_SIGN_IN, ADMIN_SIGN_IN, 200, 302, 200),
    ),
    "admin regrade": (
        "get",
        lambda w: reverse("admin:quizzes_quiz_regrade", args=[w.quiz.pk]),
        None,
        STAFF,
    ),
    "admin import": (
        "get",
        lambda w: reverse("admin:quizzes_quiz_import", args=[w.quiz.pk]),
        None,
        STAFF,
    ),
    "admin gift": (
        "get",
        lambda w: reverse("admin:quizzes_quiz_gift", args=[w.quiz.pk]),
        None,
        STAFF,
    ),
    "logout": ("post", lambda w: reverse("logout"), {}, expect(302, 302, 302, 302, 302, 302)),
}

WRONG_METHODS = [
    ("put", "/en/"),
    ("post", "/healthz"),
    ("get", "/en/practice/"),
    ("delete", "/en/results/"),
    ("get", "/logout-does-not-exist/"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_each_role_gets_exactly_the_intended_answer(world, case, role):
    method, url, data, expected = CASES[case]
    data = data(world) if callable(data) else data
    client = world.clients[role]
    response = (
        getattr(client, method)(url(world), data)
        if data is not None
        else getattr(client, method)(url(world))
    )
    want = expected[role]
    if want == SIGN_IN:
        assert response.status_code == 302 and "/en/accounts/login/" in response.url, response
    elif want == ADMIN_SIGN_IN:
        assert response.status_code == 302 and "/en/admin/login/" in response.url, response
    else:
        assert response.status_code == want, (case, role, response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url"), WRONG_METHODS)
def test_a_wrong_method_or_unknown_url_is_a_4xx(world, role, method, url):
    response = getattr(world.clients[role], method)(url)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 302 and "/login/" in response.url
    )


def the_key_fits_the_students_answers(attempt):
    """Make the choices the student picked the right ones, so a regrade would change them."""
    for answer in attempt.answers.all():
        question = answer.question
        question.choices.update(is_correct=False)
        question.choices.filter(pk__in=answer.selected).update(is_correct=True, misconception=None)


# Every page and admin view that lists attempts or learners: (method, URL, data).
LISTINGS = {
    "admin attempts": ("get", lambda w: reverse("admin:quizzes_attempt_changelist"), None),
    "admin attempts searched": (
        "get",
        lambda w: reverse("admin:quizzes_attempt_changelist") + f"?q={w.student.last_name}",
        None,
    ),
    "admin attempt autocomplete": (
        "get",
        lambda w: (
            reverse("admin:autocomplete")
            + f"?app_label=quizzes&model_name=answer&field_name=attempt&term={w.student.last_name}"
        ),
        None,
    ),
    "admin attempts csv action": (
        "post",
        lambda w: reverse("admin:quizzes_attempt_changelist"),
        lambda w: {"action": "export_csv", "_selected_action": [w.attempt.pk]},
    ),
    "admin grades action": (
        "post",
        lambda w: reverse("admin:quizzes_attempt_changelist"),
        lambda w: {"action": "export_grades", "_selected_action": [w.attempt.pk]},
    ),
    "admin responses action": (
        "post",
        lambda w: reverse("admin:quizzes_attempt_changelist"),
        lambda w: {"action": "export_responses", "_selected_action": [w.attempt.pk]},
    ),
    "admin class": (
        "get",
        lambda w: reverse("admin:quizzes_classroom_change", args=[w.classroom.pk]),
        None,
    ),
    "admin regrade": (
        "get",
        lambda w: reverse("admin:quizzes_quiz_regrade", args=[w.quiz.pk]),
        None,
    ),
    "results": ("get", lambda w: reverse("quizzes:results"), None),
    "results csv": ("get", lambda w: reverse("quizzes:results-export"), None),
    "dashboard": ("get", lambda w: reverse("quizzes:quiz-results", args=[w.quiz.slug]), None),
    "grades csv": (
        "get",
        lambda w: reverse("quizzes:quiz-export", args=[w.quiz.slug, "grades"]),
        None,
    ),
    "responses csv": (
        "get",
        lambda w: reverse("quizzes:quiz-export", args=[w.quiz.slug, "responses"]),
        None,
    ),
    "class page": ("get", lambda w: reverse("quizzes:class-detail", args=[w.classroom.pk]), None),
}


def content_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("case", list(LISTINGS))
def test_only_the_students_own_teacher_and_a_superuser_see_them_listed(world, case):
    """Another class's teacher never sees the student's name, on any page or admin view."""
    the_key_fits_the_students_answers(world.attempt)
    method, url, data = LISTINGS[case]
    data = data(world) if callable(data) else {}
    seen = {}
    for role in ("teacher", "other_teacher", "superuser"):
        response = getattr(world.clients[role], method)(url(world), data)
        assert response.status_code in (200, 302, 404), (case, role, response)
        seen[role] = world.student.username in content_of(response)
    assert seen == {"teacher": True, "other_teacher": False, "superuser": True}, case
