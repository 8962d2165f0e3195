"""Indexes for the teacher pages at a school's scale (issue 16): see Attempt.Meta.indexes."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0015_question_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                fields=["quiz", "learner", "submitted_at"], name="attempt_quiz_learner_submitted"
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                fields=["submitted_at"], name="attempt_submitted"
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(fields=["started_at"], name="attempt_started"),
        ),
    ]
