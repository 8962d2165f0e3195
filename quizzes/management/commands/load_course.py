"""Load the course content from fixtures/ into an empty database, or reload it on request."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quizzes.models import Lesson, Question
from quizzes.taking.scoring import answer_key_errors

COURSE_FIXTURE = settings.BASE_DIR / "fixtures" / "course.yaml"


class Command(BaseCommand):
    help = (
        "Load the course (lessons, quizzes, questions) from fixtures/course.yaml when the "
        "database has no lessons yet. With --reload, load it again over the existing rows: "
        "fixture rows are matched by primary key, so nothing is duplicated, but edits made "
        "to those rows in the admin are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload", action="store_true", help="Load even when lessons already exist."
        )

    def handle(self, *args, reload=False, **options):
        if Lesson.objects.exists() and not reload:
            self.stdout.write(
                "Course content already loaded; left as it is (use --reload to load it again)."
            )
            return
        with transaction.atomic():
            call_command("loaddata", str(COURSE_FIXTURE), verbosity=0)
            # loaddata skips the admin's checks; a reload over edited rows could break a key.
            problems = [
                f"{question.quiz.slug} / question {question.pk}: {error}"
                for question in Question.objects.select_related("quiz").prefetch_related("choices")
                for error in answer_key_errors(
                    question.kind, [choice.is_correct for choice in question.choices.all()]
                )
            ]
            if problems:
                raise CommandError(
                    "Nothing was loaded: the course would leave invalid questions. Fix them in "
                    "the admin, then load again.\n  " + "\n  ".join(problems)
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the course: {Lesson.objects.count()} lessons from {COURSE_FIXTURE.name}."
            )
        )
