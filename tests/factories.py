"""factory-boy factories for the quiz models."""

import factory
from django.contrib.auth.models import User

from quizzes.core.roles import teachers_group
from quizzes.models import Choice, GlossaryTerm, Lesson, Question, Quiz, SourceExcerpt, TeacherNote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class TeacherFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n}")
    is_staff = True

    @factory.post_generation
    def teachers_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(teachers_group())


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    summary = "What this lesson covers."
    body = "## A heading\n\nA paragraph about Article 4."
    order = factory.Sequence(int)
    is_published = True


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    lesson = factory.SubFactory(LessonFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    description = "Ten questions on the lesson."
    pass_mark = 60
    is_published = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    text = factory.Sequence(lambda n: f"Question number {n}?")
    kind = Question.Kind.SINGLE
    marks = 1
    explanation = "Why the right answer is right."
    source_title = "The North Atlantic Treaty"
    source_url = "https://www.nato.int/archives/1st5years/annexes/a.htm"
    order = factory.Sequence(int)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False
    feedback = "Why this choice is right or wrong."
    order = factory.Sequence(int)


def question_with_choices(quiz, *, correct, wrong, kind=Question.Kind.SINGLE, marks=1, **kwargs):
    """A question in `quiz` with `correct` right and `wrong` wrong choices, right ones first."""
    question = QuestionFactory(quiz=quiz, kind=kind, marks=marks, **kwargs)
    for n in range(correct):
        ChoiceFactory(question=question, text=f"Right {n + 1}", is_correct=True)
    for n in range(wrong):
        ChoiceFactory(question=question, text=f"Wrong {n + 1}", is_correct=False)
    return question


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    slug = factory.Sequence(lambda n: f"term-{n}")
    term = factory.Sequence(lambda n: f"term{n}")
    definition = "What the term means, in a sentence."
    forms = ""


class TeacherNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherNote

    lesson = factory.SubFactory(LessonFactory)
    discussion = "Ask the class why allies consult before they act."
    activity = "1. Split the class into allies.\n2. Try to reach consensus."


class SourceExcerptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceExcerpt

    lesson = factory.SubFactory(LessonFactory)
    source = "North Atlantic Council, statement of 23 September 2025"
    text = "Our commitment to Article 5 is ironclad."
    is_quotation = True
    url = "https://www.eurasiareview.com/"
    order = factory.Sequence(int)
