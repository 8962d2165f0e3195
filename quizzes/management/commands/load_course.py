"""Load the course content from fixtures/ into an empty database, or reload it on request."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from quizzes.models import Lesson

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
        call_command("loaddata", str(COURSE_FIXTURE), verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the course: {Lesson.objects.count()} lessons from {COURSE_FIXTURE.name}."
            )
        )
