"""`manage.py backup` and `restore` : a round trip keeps every attempt."""

import io

import pytest
from django.core.management import CommandError, call_command

from quizzes.models import Answer, Attempt

from .conftest import answers_for, attempt_shown, started, take_url
from .factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def everything():
    attempts = list(
        Attempt.objects.order_by("id").values_list(
            "id", "learner_id", "quiz_id", "submitted_at", "marks", "percentage", "passed"
        )
    )
    answers = list(
        Answer.objects.order_by("id").values_list("id", "version_id", "dealt", "chosen", "marks")
    )
    return attempts, answers


def test_a_backup_restores_every_attempt_exactly(quiz, client, tmp_path):
    for _ in range(3):
        client.force_login(UserFactory())
        attempt_id = attempt_shown(started(client, quiz))
        client.post(take_url(quiz), {"attempt": attempt_id, **answers_for(quiz)})
    before = everything()
    assert len(before[0]) == 3 and all(row[3] for row in before[0])

    out = io.StringIO()
    target = tmp_path / "backup.file"
    call_command("backup", str(target), stdout=out)
    assert "Backed up the database" in out.getvalue() and target.stat().st_size > 0

    Attempt.objects.filter(pk=before[0][0][0]).delete()  # an accident after the backup
    Attempt.objects.update(marks=0, percentage=0)
    assert everything() != before

    call_command("restore", str(target), "--yes", stdout=io.StringIO())
    assert everything() == before


def test_restoring_a_missing_file_changes_nothing(tmp_path):
    with pytest.raises(CommandError, match="There is no backup"):
        call_command("restore", str(tmp_path / "nope"), "--yes")
