import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from quizzes.models import Answer, Attempt, Classroom, Membership, Question

from .factories import QuizFactory, TeacherFactory, UserFactory, question_with_choices


@pytest.fixture(autouse=True)
def english_to_start_with():
    """A request leaves its language active in the thread: every test starts in English, so
    factories write the English versions of translated fields."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def teacher(db):
    return TeacherFactory()


@pytest.fixture
def learner_client(learner):
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def classroom(teacher, learner):
    """The teacher's class, with the learner in it: teachers see their classes' results."""
    classroom = Classroom.objects.create(name="Class 3B", teacher=teacher)
    Membership.objects.create(classroom=classroom, learner=learner)
    return classroom


def enrol(classroom, *learners):
    for learner in learners:
        Membership.objects.get_or_create(classroom=classroom, learner=learner)


@pytest.fixture
def teacher_client(teacher, classroom):
    client = Client()
    client.force_login(teacher)
    return client


@pytest.fixture
def quiz(db):
    """A published quiz: one one-answer question and one several-answer question (2 of 4)."""
    quiz = QuizFactory(pass_mark=60)
    question_with_choices(quiz, correct=1, wrong=2, order=1, text="Who may ask for consultations?")
    question_with_choices(
        quiz,
        correct=2,
        wrong=2,
        kind=Question.Kind.MULTIPLE,
        order=2,
        text="Which statements about Article 5 are true?",
    )
    return quiz


def choice_ids(question, *, correct):
    """Ids of the question's right (correct=True) or wrong (correct=False) choices."""
    return [c.id for c in question.choices.all() if c.is_correct == correct]


def attempt_shown(response) -> int:
    """The attempt id a quiz page's form carries, read from the page as a browser would."""
    assert response.status_code == 200, response.status_code
    found = re.findall(r'name="attempt" value="([0-9]+)"', response.content.decode())
    assert len(found) == 1, found
    return int(found[0])


def values_shown(question, ids, *, attempt=None) -> list[str]:
    """The values the quiz page gives these choices of `question` (a question or its id).

    Read from the order the choices were dealt to `attempt` (an attempt or its id); without
    one, every attempt dealt the question must have them in the same order (no shuffling).
    """
    answers = Answer.objects.filter(question=question)
    if attempt is not None:
        answers = answers.filter(attempt=attempt)
    orders = {tuple(choice["id"] for choice in a.snapshot["choices"]) for a in answers}
    assert len(orders) == 1, f"{len(orders)} orders dealt: open the quiz page or name the attempt"
    dealt = orders.pop()
    return [str(dealt.index(i) + 1) for i in ids]


def answers_for(quiz, *, all_right=True, attempt=None):
    """POST data answering every question of `quiz`, all right or all wrong, as the page would
    send it (see `values_shown`: open the quiz page first)."""
    data = {}
    for question in quiz.questions.all():
        ids = choice_ids(question, correct=all_right)
        if question.kind == Question.Kind.SINGLE:
            ids = ids[:1]
        data[f"q{question.id}"] = values_shown(question, ids, attempt=attempt)
    return data


def nothing_saved():
    """No choice recorded on any answer and no attempt finished."""
    return not (
        Answer.objects.filter(selected__isnull=False).exists()
        or Attempt.objects.submitted().exists()
    )


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['ENGINE']})"
