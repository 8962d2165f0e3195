"""Finish attempts left open past their time limit or their quiz's close, for cron."""

from django.core.management.base import BaseCommand

from quizzes.models import Attempt
from quizzes.taking.attempts import overdue_finish


class Command(BaseCommand):
    help = (
        "Finish, with their saved answers, attempts whose time limit or quiz close date has "
        "passed. Pages do this too when they are opened; run it from cron to keep results "
        "complete for quizzes nobody opens."
    )

    def handle(self, *args, **options):
        count = overdue_finish(Attempt.objects.all())
        self.stdout.write(f"Finished {count} attempt{'s' if count != 1 else ''}.")
