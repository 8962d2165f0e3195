"""Classes: creating, joining with a code or link, rotating the code, removing learners, and
who may see whose results."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import formats

from quizzes.models import Attempt, Classroom, Membership

from .conftest import answers_for, attempt_shown, enrol, started, take_url
from .factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def finish(user, quiz):
    client = signed_in(user)
    attempt_id = attempt_shown(started(client, quiz))
    client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    return Attempt.objects.get(pk=attempt_id)


def test_a_teacher_creates_a_class_and_gets_a_code_and_link(teacher, teacher_client):
    response = teacher_client.post(reverse("quizzes:class-list"), {"name": "History 2A"})
    classroom = Classroom.objects.get(name="History 2A")
    assert classroom.teacher == teacher
    assert response.url == classroom.get_absolute_url()
    assert len(classroom.join_code) == 8
    page = teacher_client.get(response.url).content.decode()
    assert classroom.join_code in page
    assert f"http://testserver/join/{classroom.join_code}/" in page


def test_a_second_class_with_the_same_name_is_refused(teacher_client):
    teacher_client.post(reverse("quizzes:class-list"), {"name": "History 2A"})
    response = teacher_client.post(reverse("quizzes:class-list"), {"name": "History 2A"})
    assert response.status_code == 400
    assert "You already have a class with this name." in response.content.decode()
    assert Classroom.objects.filter(name="History 2A").count() == 1


def test_a_learner_joins_with_the_link_after_confirming(classroom):
    newcomer = UserFactory()
    client = signed_in(newcomer)
    url = reverse("quizzes:join", args=[classroom.join_code])
    page = client.get(url).content.decode()
    assert "Class 3B" in page
    assert not Membership.objects.filter(learner=newcomer).exists()  # a GET joins nothing
    response = client.post(reverse("quizzes:join-form"), {"code": classroom.join_code})
    assert response.url == reverse("quizzes:my-classes")
    assert classroom.learners.filter(pk=newcomer.pk).exists()
    assert "Class 3B" in client.get(response.url).content.decode()
    again = client.get(url).content.decode()  # the link opened once more: nothing to press
    assert "You are already in “Class 3B”: there is nothing more to do." in again
    assert "Join the class" not in again


def test_a_teacher_cannot_join_a_colleagues_class_as_a_learner(classroom):
    """In it, the colleague saw their previews and could lift their sign-in lockout."""
    colleague = TeacherFactory()
    client = signed_in(colleague)
    page = client.get(reverse("quizzes:join", args=[classroom.join_code])).content.decode()
    assert "Teachers' accounts do not join classes" in page
    assert "Join the class" not in page
    response = client.post(reverse("quizzes:join-form"), {"code": classroom.join_code})
    assert response.status_code == 403
    assert not Membership.objects.filter(learner=colleague).exists()


def test_a_staff_account_in_a_class_from_before_cannot_be_unlocked_by_its_teacher(
    classroom, teacher_client
):
    colleague = TeacherFactory()
    Membership.objects.create(classroom=classroom, learner=colleague)
    url = reverse("quizzes:class-unlock", args=[classroom.pk, colleague.pk])
    assert teacher_client.post(url).status_code == 404


def test_a_typed_code_works_in_lower_case_and_twice_changes_nothing(classroom):
    newcomer = UserFactory()
    client = signed_in(newcomer)
    for _ in range(2):
        client.post(reverse("quizzes:join-form"), {"code": f" {classroom.join_code.lower()} "})
    assert Membership.objects.filter(learner=newcomer).count() == 1


def test_a_learner_can_be_in_several_classes(classroom, learner):
    other = Classroom.objects.create(name="Civics", teacher=TeacherFactory())
    signed_in(learner).post(reverse("quizzes:join-form"), {"code": other.join_code})
    assert set(learner.classrooms.values_list("name", flat=True)) == {"Class 3B", "Civics"}


@pytest.mark.parametrize(
    "spaced", ["{} {} {} {} {} {} {} {}", "{}{}{}-{}{}{}{}{}", "{}{}{}{} – {}{}{}{}"]
)
def test_a_code_typed_with_spaces_or_hyphens_between_its_characters_works(classroom, spaced):
    newcomer = UserFactory()
    typed = spaced.format(*classroom.join_code.lower())
    response = signed_in(newcomer).post(reverse("quizzes:join-form"), {"code": typed})
    assert response.status_code == 302
    assert Membership.objects.filter(learner=newcomer, classroom=classroom).exists()


@pytest.mark.parametrize("code", ["WRONG123", "", "x" * 17, "x" * 41, "K7M2.QX9P"])
def test_a_wrong_code_is_refused_with_a_message(learner_client, code):
    response = learner_client.post(reverse("quizzes:join-form"), {"code": code})
    assert response.status_code == 400
    assert not Membership.objects.exists()


def test_an_old_link_after_rotating_says_it_no_longer_works(teacher_client, classroom):
    old = classroom.join_code
    teacher_client.post(reverse("quizzes:class-rotate", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert classroom.join_code != old
    client = signed_in(UserFactory())
    page = client.get(reverse("quizzes:join", args=[old]), follow=True).content.decode()
    assert "does not work" in page
    assert client.post(reverse("quizzes:join-form"), {"code": old}).status_code == 400


def test_joining_needs_an_account(client, classroom):
    response = client.get(reverse("quizzes:join", args=[classroom.join_code]))
    assert response.status_code == 302 and "/en/accounts/login/" in response.url


def test_a_removed_learner_leaves_the_teachers_results(teacher_client, classroom, learner, quiz):
    finish(learner, quiz)
    results = reverse("quizzes:results")
    assert teacher_client.get(results).context["summary"]["count"] == 1
    response = teacher_client.post(reverse("quizzes:class-remove", args=[classroom.pk, learner.pk]))
    assert response.url == classroom.get_absolute_url()
    assert not classroom.learners.exists()
    assert teacher_client.get(results).context["summary"]["count"] == 0
    assert Attempt.objects.filter(learner=learner).exists()  # the learner's history stays
    again = teacher_client.post(reverse("quizzes:class-remove", args=[classroom.pk, learner.pk]))
    assert again.status_code == 404


@pytest.mark.parametrize("query", ["", "?date_to=2020-01-01"])
def test_class_results_with_no_attempts_say_so(teacher_client, classroom, learner, quiz, query):
    finish(learner, quiz)
    if not query:
        Attempt.objects.all().delete()
    page = teacher_client.get(reverse("quizzes:results") + query).content.decode()
    assert "0 attempts by 0 learners." in page
    assert "No attempts match this filter yet." in page
    assert "Download:" in page


@pytest.fixture
def other_teacher_class(quiz):
    """Teacher B's class with one learner who finished the quiz."""
    teacher_b = TeacherFactory()
    classroom_b = Classroom.objects.create(name="B's class", teacher=teacher_b)
    pupil = UserFactory(username="pupil-of-b")
    Membership.objects.create(classroom=classroom_b, learner=pupil)
    finish(pupil, quiz)
    return classroom_b


def test_teacher_a_cannot_see_filter_to_or_export_teacher_bs_class(
    teacher_client, other_teacher_class, quiz
):
    b = other_teacher_class
    assert teacher_client.get(reverse("quizzes:class-detail", args=[b.pk])).status_code == 404
    assert teacher_client.post(reverse("quizzes:class-rotate", args=[b.pk])).status_code == 404
    remove = reverse("quizzes:class-remove", args=[b.pk, b.learners.get().pk])
    assert teacher_client.post(remove).status_code == 404
    assert (
        "B&#x27;s class" not in teacher_client.get(reverse("quizzes:class-list")).content.decode()
    )
    results = teacher_client.get(reverse("quizzes:results"))
    assert results.context["summary"]["count"] == 0
    assert "pupil-of-b" not in results.content.decode()
    assert teacher_client.get(reverse("quizzes:results"), {"classroom": b.pk}).status_code == 400
    for kind in ("grades", "responses", "items"):
        url = reverse("quizzes:quiz-export", args=[quiz.slug, kind])
        assert teacher_client.get(url, {"classroom": b.pk}).status_code == 400
        body = b"".join(teacher_client.get(url).streaming_content)
        assert b"pupil-of-b" not in body
    export = b"".join(teacher_client.get(reverse("quizzes:results-export")).streaming_content)
    assert b"pupil-of-b" not in export
    dashboard = teacher_client.get(reverse("quizzes:quiz-results", args=[quiz.slug]))
    assert dashboard.context["dashboard"].attempts == 0


def test_a_superuser_sees_every_class_and_result(other_teacher_class, quiz):
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client = signed_in(admin)
    assert client.get(reverse("quizzes:results")).context["summary"]["count"] == 1
    url = reverse("quizzes:class-detail", args=[other_teacher_class.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("quizzes:class-list", []),
        ("quizzes:results", []),
        ("quizzes:results-export", []),
    ],
)
def test_students_can_reach_none_of_the_teachers_pages(learner_client, name, args):
    assert learner_client.get(reverse(name, args=args)).status_code == 403


def test_students_get_403_on_class_and_quiz_pages(learner_client, classroom, quiz):
    for url in (
        reverse("quizzes:class-detail", args=[classroom.pk]),
        reverse("quizzes:quiz-results", args=[quiz.slug]),
        reverse("quizzes:quiz-export", args=[quiz.slug, "grades"]),
    ):
        assert learner_client.get(url).status_code == 403
    for url in (
        reverse("quizzes:class-rotate", args=[classroom.pk]),
        reverse("quizzes:class-remove", args=[classroom.pk, 1]),
    ):
        assert learner_client.post(url).status_code == 403
    assert learner_client.post(reverse("quizzes:class-list"), {"name": "Mine"}).status_code == 403
    assert not Classroom.objects.filter(name="Mine").exists()


def test_teachers_see_their_classes_in_the_admin_only(teacher_client, other_teacher_class):
    listing = teacher_client.get(reverse("admin:quizzes_classroom_changelist"))
    assert listing.context["cl"].result_count == 1
    change = reverse("admin:quizzes_classroom_change", args=[other_teacher_class.pk])
    assert teacher_client.get(change).status_code == 302


@pytest.mark.parametrize("value", ["abc", "", "1.5", "²", "٣"])
def test_a_junk_class_filter_in_the_admin_is_refused_not_a_crash(teacher_client, value):
    response = teacher_client.get(reverse("admin:quizzes_attempt_changelist"), {"classroom": value})
    assert response.status_code == 400
    assert "cannot use" in response.content.decode()


def test_the_admin_refuses_a_second_class_with_the_same_name(teacher_client, classroom):
    other = Classroom.objects.create(name="Civics", teacher=classroom.teacher)
    for url in (
        reverse("admin:quizzes_classroom_add"),
        reverse("admin:quizzes_classroom_change", args=[other.pk]),
    ):
        response = teacher_client.post(
            url,
            {"name": "Class 3B", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
        )
        assert response.status_code == 400
        assert "already has a class with this name" in response.content.decode()
    assert Classroom.objects.filter(name="Class 3B").count() == 1


@pytest.mark.parametrize("code", ["%00", "abc%00def", "ä" * 3])
def test_odd_join_links_say_the_code_does_not_work(learner_client, code):
    response = learner_client.get(f"/en/join/{code}/")
    assert response.status_code == 200
    assert "does not work" in response.content.decode()


def test_the_header_takes_a_teacher_to_the_classes_they_teach_and_a_learner_to_theirs(
    teacher_client, learner_client
):
    teacher_page = teacher_client.get(reverse("quizzes:class-list")).content.decode()
    assert (
        f'<a href="{reverse("quizzes:class-list")}" aria-current="page">Classes</a>' in teacher_page
    )
    assert reverse("quizzes:my-classes") not in teacher_page
    learner_page = learner_client.get(reverse("quizzes:home")).content.decode()
    assert f'<a href="{reverse("quizzes:my-classes")}">My classes</a>' in learner_page
    assert reverse("quizzes:class-list") not in learner_page


def test_learners_are_listed_by_surname_in_the_readers_alphabet_with_their_usernames(
    teacher_client, classroom, learner
):
    classroom.memberships.all().delete()
    for username, first, last in [
        ("zofiaz", "Zofia", "Zając"),
        ("lucjal", "Łucja", "Łukasik"),
        ("annan", "Anna", "Nowakowska"),
        ("annak", "Anna", "Kowalska"),
        ("jann", "Jan", "Nowak"),
    ]:
        enrol(classroom, UserFactory(username=username, first_name=first, last_name=last))
    page = teacher_client.get(classroom.get_absolute_url().replace("/en/", "/pl/")).content.decode()
    names = ("Anna Kowalska", "Łucja Łukasik", "Jan Nowak", "Anna Nowakowska", "Zofia Zając")
    rows = [page.index(name) for name in names]
    assert rows == sorted(rows)
    options = page[page.index('name="who"') :]
    labels = ["Anna Kowalska (annak)", "Łucja Łukasik (lucjal)", "Zofia Zając (zofiaz)"]
    places = [options.index(label) for label in labels]
    assert places == sorted(places)


def test_the_class_page_says_when_each_learner_last_signed_in(teacher_client, classroom, learner):
    """Not a dash for everyone: the teacher can tell who has used their slip yet."""
    from django.utils import timezone

    newcomer = UserFactory(first_name="Nowy")
    Membership.objects.create(classroom=classroom, learner=newcomer)
    learner.last_login = timezone.now()
    learner.save()
    page = teacher_client.get(reverse("quizzes:class-detail", args=[classroom.pk])).content.decode()
    rows = {row.split("</th>")[0]: row for row in page.split('<th scope="row">')[1:]}
    [mine] = [row for name, row in rows.items() if f"({learner.username})" in name]
    [new] = [row for name, row in rows.items() if f"({newcomer.username})" in name]
    when = formats.date_format(timezone.localtime(learner.last_login), "SHORT_DATETIME_FORMAT")
    assert f"Last: {when}" in mine
    assert "Never signed in" in new and "Last:" not in new
