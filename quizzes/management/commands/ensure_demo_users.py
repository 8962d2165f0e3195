"""Make sure a demo teacher and a demo student exist, and say how to sign in as them.

Production (DEBUG off) gets them only with DEMO_ACCOUNTS=1, and then never prints a password:
it would end up in the server's logs.
"""

import json
import os
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from quizzes.core.roles import teachers_group

DEMO_USERS = {
    # username: (environment variable for the password, is a teacher)
    "teacher": ("DEMO_TEACHER_PASSWORD", True),
    "student": ("DEMO_STUDENT_PASSWORD", False),
}


class Command(BaseCommand):
    help = (
        "Create the demo accounts 'teacher' (staff, in the Teachers group) and 'student'. "
        "Passwords come from DEMO_TEACHER_PASSWORD / DEMO_STUDENT_PASSWORD when an account is "
        "created (or with --reset), else they are generated; they are kept in "
        "var/demo-credentials.json (not in the repository) so every run can print them. "
        "With DEBUG off it does nothing unless DEMO_ACCOUNTS=1, and never prints a password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Give both accounts new generated passwords."
        )

    def handle(self, *args, reset=False, **options):
        if not (settings.DEBUG or settings.DEMO_ACCOUNTS):
            self.stdout.write(
                "No demo accounts in production (DEBUG is off): set DEMO_ACCOUNTS=1 to create "
                "them, or create a teacher with `manage.py createsuperuser`."
            )
            return
        store = settings.VAR_DIR / "demo-credentials.json"
        known = json.loads(store.read_text()) if store.exists() else {}
        lines = []
        with transaction.atomic():
            for username, (variable, is_teacher) in DEMO_USERS.items():
                password = self._ensure(username, variable, is_teacher, known, reset)
                known[username] = password
                role = "teacher (admin and results)" if is_teacher else "student"
                shown = password or "(changed by its owner; run `make demo-passwords` to reset)"
                if password and not settings.DEBUG:
                    shown = f"(in {store})"
                lines.append(f"  {role:<28} username: {username:<8} password: {shown}")
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps({k: v for k, v in known.items() if v}, indent=2))
        store.chmod(0o600)
        # `make run PORT=8101` puts HOST and PORT in the environment of the commands it runs.
        site = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        self.stdout.write(
            f"Sign in at {site}/en/accounts/login/ (po polsku: {site}/pl/accounts/login/) as:"
        )
        self.stdout.write("\n".join(lines))

    def _ensure(self, username, variable, is_teacher, known, reset):
        """Create one demo account, or report an existing one; return its password if known.

        Roles and passwords are set only when the account is created (or with --reset, the
        password): an existing account of that name keeps its rights and its owner's password.
        """
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": "Demo",
                "last_name": username.capitalize(),
                "is_staff": is_teacher,
            },
        )
        if created and is_teacher:
            user.groups.add(teachers_group())
        if created or reset:
            password = os.environ.get(variable) or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            return password
        stored = known.get(username)
        return stored if stored and user.check_password(stored) else None
