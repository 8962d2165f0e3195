"""Back up the whole database to a file in var/backups/ (or the path given)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from quizzes.core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Copy the whole database to a file while the site runs: SQLite's online backup API, "
        "or pg_dump for PostgreSQL. Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write it (default: var/backups/).")

    def handle(self, *args, path=None, **options):
        suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = (
            Path(path) if path else Path(settings.VAR_DIR) / "backups" / f"quizsite-{stamp}{suffix}"
        )
        try:
            written = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up the database to {written}"))
