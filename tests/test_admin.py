"""Teachers author content in the admin; the admin refuses questions nobody could answer."""

import html
import re

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.course.versions import versions_for
from quizzes.models import Attempt, Choice, Lesson, Question

from .conftest import answers_for, started, take_url
from .factories import QuizFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_QUESTION = reverse("admin:quizzes_question_add")


def question_post(quiz, kind, choices):
    """Admin form data for a new question with (text, is_correct) choices."""
    data = {
        "quiz": quiz.pk,
        "text_en": "Which article is about consultation?",
        "kind": kind,
        "marks": "1",
        "order": "1",
        "explanation_en": "Article 4 is the consultation clause.",
        "source_title": "The North Atlantic Treaty",
        "source_url": "https://www.nato.int/archives/1st5years/annexes/a.htm",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for n, (text, correct) in enumerate(choices):
        data[f"choices-{n}-text_en"] = text
        data[f"choices-{n}-feedback_en"] = f"Feedback on {text}."
        data[f"choices-{n}-order"] = str(n)
        if correct:
            data[f"choices-{n}-is_correct"] = "on"
    return data


def in_polish(data):
    """The same form data with each English text written in the Polish field instead."""
    return {key.replace("_en", "_pl") if key.endswith("_en") else key: v for key, v in data.items()}


def test_a_teacher_writes_a_question_in_polish_only(teacher_client, learner_client):
    """English readers get it with the "not yet translated" notice, as an imported one."""
    quiz = QuizFactory()
    data = in_polish(question_post(quiz, "single", [("Artykuł 4", True), ("Artykuł 5", False)]))
    response = teacher_client.post(ADD_QUESTION, data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.text_pl == "Which article is about consultation?" and not question.text_en
    assert sorted(question.choices.values_list("text_pl", flat=True)) == ["Artykuł 4", "Artykuł 5"]
    started(learner_client, quiz)
    page = learner_client.get(take_url(quiz)).content.decode()
    assert "Not yet translated: shown in Polish." in page
    assert "Artykuł 4" in page


def test_a_true_or_false_question_written_in_polish_only_saves(teacher_client):
    data = in_polish(
        question_post(QuizFactory(), "truefalse", [("Prawda", True), ("Fałsz", False)])
    )
    response = teacher_client.post(ADD_QUESTION, data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.kind == "truefalse"
    assert sorted(question.choices.values_list("text_pl", flat=True)) == ["Fałsz", "Prawda"]


def test_a_required_text_in_neither_language_is_refused(teacher_client):
    data = question_post(QuizFactory(), "single", [("Article 4", True), ("Article 5", False)])
    data["text_en"] = ""
    data["choices-1-text_en"] = ""
    response = teacher_client.post(ADD_QUESTION, data)
    assert response.status_code == 400
    assert response.content.decode().count("Write this in at least one of the languages.") == 2
    assert not Question.objects.exists()


def test_a_text_that_shows_nothing_is_refused_like_an_empty_one(teacher_client):
    """Zero-width spaces, a Hangul filler, a control character: a blank box for learners."""
    data = question_post(QuizFactory(), "single", [("Article 4", True), ("Article 5", False)])
    data["text_en"] = "\u200b\u200b"
    data["explanation_en"] = "\u3164"
    data["choices-1-text_en"] = "\u2060\x7f"
    response = teacher_client.post(ADD_QUESTION, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("This text shows nothing: write some words.") == 3
    assert "Write this in at least one of the languages." not in page
    assert not Question.objects.exists()
    data["text_en"] = "\u200bWhich article is about consultation?"  # words after one: kept
    data["explanation_en"] = ""
    data["choices-1-text_en"] = "Article 5"
    assert teacher_client.post(ADD_QUESTION, data).status_code == 302
    assert Question.objects.get().choices.count() == 2


def test_teachers_group_exists_with_authoring_and_read_only_result_permissions():
    codenames = set(
        Group.objects.get(name="Teachers").permissions.values_list("codename", flat=True)
    )
    for model in ("lesson", "lessonsource", "quiz", "question", "choice"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert {"view_attempt", "view_answer"} <= codenames
    assert not {"change_attempt", "add_attempt", "delete_attempt"} & codenames


def test_a_teacher_creates_a_valid_question_with_its_choices(teacher_client):
    quiz = QuizFactory()
    response = teacher_client.post(
        ADD_QUESTION, question_post(quiz, "single", [("Article 4", True), ("Article 5", False)])
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("Article 4", True),
        ("Article 5", False),
    ]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", [("Article 4", True)], "at least two choices"),
        ("single", [("Article 4", True), ("Article 5", True)], "exactly one correct choice"),
        ("single", [("Article 4", False), ("Article 5", False)], "exactly one correct choice"),
        ("multiple", [("Article 4", False), ("Article 5", False)], "at least one correct choice"),
    ],
)
def test_the_admin_refuses_a_bad_answer_key_with_a_clear_message(
    teacher_client, kind, choices, message
):
    response = teacher_client.post(ADD_QUESTION, question_post(QuizFactory(), kind, choices))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_a_choices_own_error_and_the_keys_are_shown_together(teacher_client):
    """A second correct choice that still names its misconception: both things to fix."""
    from quizzes.models import Misconception

    tag = Misconception.objects.create(slug="c45", name="Confuses Article 4 with Article 5")
    data = question_post(QuizFactory(), "single", [("Article 4", True), ("Article 5", True)])
    data["choices-1-misconception"] = tag.pk
    response = teacher_client.post(ADD_QUESTION, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "A correct choice tests no misconception; leave it empty." in page
    assert "exactly one correct choice; this one has 2" in page
    assert not Question.objects.exists()


def test_the_admin_accepts_a_several_answer_question_with_two_right_choices(teacher_client):
    data = question_post(QuizFactory(), "multiple", [("A", True), ("B", True), ("C", False)])
    assert teacher_client.post(ADD_QUESTION, data).status_code == 302
    assert Question.objects.get().choices.filter(is_correct=True).count() == 2


def test_deleted_choices_do_not_count_towards_the_answer_key(teacher_client):
    data = question_post(QuizFactory(), "single", [("A", True), ("B", False), ("C", False)])
    data["choices-1-DELETE"] = "on"
    data["choices-2-DELETE"] = "on"
    response = teacher_client.post(ADD_QUESTION, data)
    assert "at least two choices" in response.content.decode()


def test_changing_a_question_to_one_answer_rechecks_its_existing_choices(teacher_client):
    quiz = QuizFactory()
    teacher_client.post(
        ADD_QUESTION, question_post(quiz, "multiple", [("A", True), ("B", True), ("C", False)])
    )
    question = Question.objects.get()
    data = question_post(quiz, "single", [])
    data["choices-INITIAL_FORMS"] = data["choices-TOTAL_FORMS"] = "3"
    for n, choice in enumerate(question.choices.all()):
        data.update(
            {
                f"choices-{n}-id": choice.pk,
                f"choices-{n}-question": question.pk,
                f"choices-{n}-text_en": choice.text,
                f"choices-{n}-feedback_en": choice.feedback,
                f"choices-{n}-order": n,
            }
        )
        if choice.is_correct:
            data[f"choices-{n}-is_correct"] = "on"
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = teacher_client.post(url, data)
    assert "exactly one correct choice; this one has 2" in response.content.decode()
    question.refresh_from_db()
    assert question.kind == "multiple"


def test_teachers_can_read_attempts_but_not_change_or_delete_them(teacher_client, learner, quiz):
    attempt = Attempt.objects.create(learner=learner, quiz=quiz)  # a learner in their class
    change = reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    response = teacher_client.get(change)
    assert response.status_code == 200
    assert teacher_client.post(change, {}).status_code == 403
    delete = reverse("admin:quizzes_attempt_delete", args=[attempt.pk])
    assert teacher_client.post(delete, {"post": "yes"}).status_code == 403
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_a_quiz_with_finished_attempts_cannot_be_deleted(admin_client, quiz):
    now = timezone.now()
    Attempt.objects.create(learner=UserFactory(), quiz=quiz, started_at=now, submitted_at=now)
    response = admin_client.post(
        reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert Attempt.objects.count() == 1
    with translation.override("pl"):
        polish = admin_client.get(reverse("admin:quizzes_quiz_delete", args=[quiz.pk]))
    page = html.unescape(polish.content.decode())
    assert "Nie można usunąć: quiz" in page and "wymagałoby usunięcia tych chronionych" in page
    assert "nim/nią" not in page


@pytest.mark.parametrize(
    "name",
    [
        "admin:quizzes_lesson_changelist",
        "admin:quizzes_lesson_add",
        "admin:quizzes_quiz_changelist",
        "admin:quizzes_quiz_add",
        "admin:quizzes_question_changelist",
        "admin:quizzes_question_add",
        "admin:quizzes_attempt_changelist",
    ],
)
def test_teacher_admin_pages_open(teacher_client, quiz, name):
    assert teacher_client.get(reverse(name)).status_code == 200


def test_every_admin_list_shows_its_filter_counts(teacher_client, admin_client, quiz, learner):
    """The "Show counts" link (?_facets=True) of each list the teacher or a superuser opens:
    Django hands each filter its values as the lookups gave them, not as text."""
    learner_client = Client()
    learner_client.force_login(learner)
    started(learner_client, quiz)
    for client in (teacher_client, admin_client):
        for model in site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            if client.get(url).status_code != 200:
                continue  # a list the teacher may not open
            response = client.get(url, {"_facets": "True"})
            assert response.status_code == 200, url


def test_students_cannot_enter_the_admin(learner_client):
    response = learner_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/en/admin/login/" in response.url


def test_the_quiz_page_lists_its_questions_without_adding_any(teacher_client, quiz):
    response = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    page = response.content.decode()
    for question in quiz.questions.all():
        assert reverse("admin:quizzes_question_change", args=[question.pk]) in page
    assert "questions-TOTAL_FORMS" in page
    assert 'name="questions-0-text"' not in page  # shown as text, not an editable field


def test_a_quiz_cannot_be_set_to_draw_from_itself(teacher_client, quiz):
    other = QuizFactory(title="Another quiz")
    response = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    offered = set(response.context["adminform"].form.fields["draws_from"].queryset)
    assert other in offered and quiz not in offered


def test_a_quiz_only_opened_by_learners_can_be_deleted(admin_client, quiz):
    """An attempt merely in progress (a look, a preview) does not keep a quiz alive."""
    Attempt.objects.create(learner=UserFactory(), quiz=quiz)
    response = admin_client.post(
        reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Attempt.objects.exists()


def quiz_change_data(client, quiz, **changes):
    """The admin's change form of the quiz as it stands, with its questions, and `changes`."""
    form = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).context["adminform"]
    data = {
        name: value
        for name, value in form.form.initial.items()
        if value is not None and not isinstance(value, bool)
    }
    data.update(
        {
            "lesson": quiz.lesson_id,
            "is_published": "on",
            "grade_bands-TOTAL_FORMS": "0",
            "grade_bands-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": str(quiz.questions.count()),
            "questions-INITIAL_FORMS": str(quiz.questions.count()),
            **changes,
        }
    )
    for n, question in enumerate(quiz.questions.all()):
        data[f"questions-{n}-id"] = question.pk
        data[f"questions-{n}-quiz"] = quiz.pk
    return data


def test_a_teacher_sets_the_time_limit_paging_and_review_options_in_the_admin(teacher_client, quiz):
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = quiz_change_data(
        teacher_client,
        quiz,
        time_limit="15",
        one_question_per_page="on",
        review_marks="on",
        review_marks_after_close="on",
        review_correctness_after_close="on",
    )
    response = teacher_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quiz.refresh_from_db()
    assert quiz.time_limit == 15
    assert quiz.one_question_per_page
    assert (quiz.review_marks, quiz.review_correctness, quiz.review_feedback) == (
        True,
        False,
        False,
    )
    assert (quiz.review_marks_after_close, quiz.review_correctness_after_close) == (True, True)


@pytest.mark.parametrize("minutes", ["1441", "5000000000", "9223372036854775807"])
def test_a_time_limit_past_a_day_is_refused_in_the_admin(teacher_client, quiz, minutes):
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    response = teacher_client.post(url, quiz_change_data(teacher_client, quiz, time_limit=minutes))
    assert response.status_code == 400
    assert response.context["adminform"].form.errors["time_limit"] == [
        "A time limit can be at most 1440 minutes (a day)."
    ]
    quiz.refresh_from_db()
    assert quiz.time_limit is None


def test_teachers_see_only_their_classes_attempts_in_the_admin(teacher_client, quiz):
    stranger = Attempt.objects.create(learner=UserFactory(), quiz=quiz)
    change = reverse("admin:quizzes_attempt_change", args=[stranger.pk])
    assert teacher_client.get(change).status_code == 302  # "does not exist" → admin index
    listing = teacher_client.get(reverse("admin:quizzes_attempt_changelist"))
    assert listing.context["cl"].result_count == 0


def test_a_teacher_finds_their_own_previews_in_the_admin_but_no_one_elses(
    teacher, teacher_client, quiz
):
    mine = Attempt.objects.create(learner=teacher, quiz=quiz, preview=True)
    Attempt.objects.create(learner=TeacherFactory(), quiz=quiz, preview=True)
    listing = teacher_client.get(reverse("admin:quizzes_attempt_changelist"))
    assert [a.pk for a in listing.context["cl"].result_list] == [mine.pk]


def test_the_teachers_group_matches_what_the_migrations_grant():
    """roles.teachers_group() remakes the group with the migrations' permissions."""
    from quizzes.core.roles import TEACHER_PERMISSIONS, teachers_group

    migrated = set(
        Group.objects.get(name="Teachers").permissions.values_list("codename", flat=True)
    )
    assert migrated == set(TEACHER_PERMISSIONS)
    Group.objects.filter(name="Teachers").delete()
    remade = set(teachers_group().permissions.values_list("codename", flat=True))
    assert remade == migrated


def test_a_teacher_sets_open_and_close_dates_with_one_input_each(teacher_client, quiz):
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    page = teacher_client.get(url).content.decode()
    assert 'type="datetime-local" name="opens_at"' in page
    form = teacher_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, bool)}
    data.update(
        {
            "lesson": quiz.lesson_id,
            "is_published": "on",
            "opens_at": "2026-09-01T08:00",
            "closes_at": "2026-09-30T20:30",
            "grade_bands-TOTAL_FORMS": "0",
            "grade_bands-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": str(quiz.questions.count()),
            "questions-INITIAL_FORMS": str(quiz.questions.count()),
        }
    )
    for n, question in enumerate(quiz.questions.all()):
        data[f"questions-{n}-id"] = question.pk
        data[f"questions-{n}-quiz"] = quiz.pk
    assert teacher_client.post(url, data).status_code == 302
    quiz.refresh_from_db()
    assert timezone.localtime(quiz.opens_at).strftime("%Y-%m-%d %H:%M") == "2026-09-01 08:00"
    assert timezone.localtime(quiz.closes_at).strftime("%Y-%m-%d %H:%M") == "2026-09-30 20:30"


def test_polish_admin_titles_put_lessons_and_classes_in_the_accusative(teacher_client, classroom):
    """Django builds "Dodaj %s" from the name, "Dodaj lekcja"; Polish says "Dodaj lekcję"."""
    from quizzes.models import Lesson

    lesson = Lesson.objects.first() or QuizFactory().lesson
    with translation.override("pl"):
        pages = {
            "admin:quizzes_lesson_changelist": (), "admin:quizzes_lesson_add": (),
            "admin:quizzes_lesson_change": (lesson.pk,),
            "admin:quizzes_classroom_changelist": (), "admin:quizzes_classroom_add": (),
            "admin:quizzes_classroom_change": (classroom.pk,),
        }  # fmt: skip
        urls = {name: reverse(name, args=args) for name, args in pages.items()}
    text = {name: teacher_client.get(url).content.decode() for name, url in urls.items()}
    assert "<h1>Wybierz lekcję do zmiany</h1>" in text["admin:quizzes_lesson_changelist"]
    assert "Dodaj lekcję" in text["admin:quizzes_lesson_changelist"]  # the Add button
    assert "<h1>Dodaj lekcję</h1>" in text["admin:quizzes_lesson_add"]
    assert "<h1>Zmień lekcję</h1>" in text["admin:quizzes_lesson_change"]
    assert "<h1>Wybierz klasę do zmiany</h1>" in text["admin:quizzes_classroom_changelist"]
    assert "<h1>Dodaj klasę</h1>" in text["admin:quizzes_classroom_add"]
    assert "<h1>Zmień klasę</h1>" in text["admin:quizzes_classroom_change"]
    for name, page in text.items():
        assert "lekcja do zmiany" not in page and "Dodaj lekcja" not in page, name
    with translation.override("en"):
        url = reverse("admin:quizzes_lesson_changelist")
    english = teacher_client.get(url).content.decode()
    assert "<h1>Select lesson to change</h1>" in english and "Add lesson" in english


def test_a_refused_new_password_for_another_user_answers_400(admin_client, learner):
    url = reverse("admin:auth_user_password_change", args=[learner.pk])
    assert admin_client.get(url).status_code == 200
    mismatched = {
        "password1": "a long new passphrase",
        "password2": "another one",
        "usable_password": "true",
    }
    response = admin_client.post(url, mismatched)
    assert response.status_code == 400
    assert response.context["form"].errors["password2"]
    learner.refresh_from_db()
    assert learner.check_password("correct horse battery staple")
    matching = {
        "password1": "a long new passphrase",
        "password2": "a long new passphrase",
        "usable_password": "true",
    }
    assert admin_client.post(url, matching).status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("a long new passphrase")


def test_a_questions_page_lists_the_versions_learners_were_dealt_and_counts_only_mine(
    teacher_client, learner, quiz
):
    """Newest first: the text and key each attempt keeps, with the teacher's own learners'
    answers to it; another teacher's learner's answers are not counted."""
    question = quiz.questions.order_by("order").first()
    for user in (learner, UserFactory()):  # the teacher's learner, and a stranger
        client = Client()
        client.force_login(user)
        started(client, quiz)
        attempt = Attempt.objects.latest("id")
        client.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    question.text_en = "Reworded: which article is about consultation?"
    question.save()
    versions_for([question])  # as saving it in the admin, or dealing it, stores it
    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    html = page.content.decode()
    assert "Versions learners were dealt" in html
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    versions = [row for row in rows if "field-shown_text" in row]
    answered = [re.search(r"field-answered[^>]*>\s*<p>(\d+)</p>", row)[1] for row in versions]
    assert answered == ["0", "1"]
    assert "Reworded: which article" in versions[0] and "Reworded" not in versions[1]
    assert question.choices.get(is_correct=True).text_en in versions[1]


def test_the_admins_attempt_page_names_the_chosen_choices(teacher_client, learner_client, quiz):
    started(learner_client, quiz)
    attempt = Attempt.objects.get()
    learner_client.post(take_url(quiz), {"attempt": attempt.pk, **answers_for(quiz)})
    page = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    html = page.content.decode()
    cells = re.findall(r'field-chosen_texts.*?<div class="readonly">(.*?)</div>', html, re.S)
    dealt = attempt.answers.order_by("position")
    right = ["; ".join(c["text"] for c in a.snapshot["choices"] if c["is_correct"]) for a in dealt]
    assert cells == right and len(cells) == quiz.questions.count()


def test_a_lesson_written_in_polish_only_gets_its_slug_from_the_polish_title(teacher_client):
    add = reverse("admin:quizzes_lesson_add")
    form = teacher_client.get(add).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "title_pl": "Łódź i Gdańsk: konsultacje",
            "summary_pl": "O czym.",
            "body_pl": "Tekst.",
            "order": "9",
        }
    )
    for inline in teacher_client.get(add).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-{k}": "0" for k in ("TOTAL_FORMS", "INITIAL_FORMS")})
    first = teacher_client.post(add, data)
    assert first.status_code == 302
    again = teacher_client.post(add, data)
    assert again.status_code == 302
    assert sorted(Lesson.objects.values_list("slug", flat=True)) == [
        "lodz-i-gdansk-konsultacje",
        "lodz-i-gdansk-konsultacje-2",
    ]


def test_the_admin_names_a_question_without_its_markdown(teacher_client, quiz):
    question = quiz.questions.first()
    question.text_en = "Which of these are **all** true?"
    question.save()
    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "<title>Which of these are all true? | Change question" in page.content.decode()
