"""Answers point at shared, immutable question versions instead of each keeping a JSON copy.

Every snapshot becomes a version (the same content once), the order its choices were dealt
(`dealt`, indexes into the version's choices) and what was chosen (`chosen`, a bit mask over
them). A snapshot was written in its attempt's language only, so its version holds that one
language; `shown_in` keeps the "not yet translated" notice the learner saw. Marks, texts and
reviews are unchanged (tests/test_question_versions.py checks every one).

The functions here are frozen copies of what the app did when this migration was written, so
the migration keeps working whatever the app's code becomes.
"""

import hashlib
import json
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import TextField
from django.db.models.functions import Cast

BATCH = 5000


def fingerprint(question_key, kind, marks, source, content):
    canonical = json.dumps(
        [question_key, kind, str(marks), *source, content],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _version_content(snapshot, language):
    """(content, the choice ids in the version's order) for a snapshot taken in `language`."""
    choices = sorted(snapshot["choices"], key=lambda choice: choice["id"])
    content = {
        language: {
            "text": snapshot["text"],
            "explanation": snapshot["explanation"],
            "shown_in": snapshot.get("shown_in"),
            "choices": [{"text": c["text"], "feedback": c["feedback"]} for c in choices],
        },
        "choices": [
            {
                "id": c["id"],
                "is_correct": c["is_correct"],
                "misconception": c.get("misconception"),
            }
            for c in choices
        ],
    }
    return content, [c["id"] for c in choices]


def snapshots_to_versions(apps, schema_editor):
    Answer = apps.get_model("quizzes", "Answer")
    Question = apps.get_model("quizzes", "Question")
    QuestionVersion = apps.get_model("quizzes", "QuestionVersion")
    db = schema_editor.connection.alias
    live = set(Question.objects.using(db).values_list("id", flat=True))
    versions = {}  # fingerprint -> version id
    seen = {}  # (language, snapshot as stored) -> (version id, choice ids in its order, dealt)
    table = schema_editor.quote_name(Answer._meta.db_table)
    update = f"UPDATE {table} SET version_id = %s, dealt = %s, chosen = %s WHERE id = %s"  # noqa: S608
    rows = (
        Answer.objects.using(db)
        .order_by("id")
        .annotate(raw=Cast("snapshot", TextField()))
        .values_list("id", "raw", "selected", "attempt__language", "attempt__started_at")
    )
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for answer_id, raw, selected, language, started_at in rows.iterator(chunk_size=BATCH):
            key = (language, raw)
            if key not in seen:
                snapshot = json.loads(raw)
                content, order = _version_content(snapshot, language)
                marks = Decimal(snapshot["marks"])
                source = (snapshot["source_title"], snapshot["source_url"])
                digest = fingerprint(snapshot["id"], snapshot["kind"], marks, source, content)
                if digest not in versions:
                    versions[digest] = (
                        QuestionVersion.objects.using(db)
                        .create(
                            question_id=snapshot["id"] if snapshot["id"] in live else None,
                            question_key=snapshot["id"],
                            fingerprint=digest,
                            kind=snapshot["kind"],
                            marks=marks,
                            source_title=source[0],
                            source_url=source[1],
                            content=content,
                            created_at=started_at,
                        )
                        .pk
                    )
                dealt = ",".join(str(order.index(c["id"])) for c in snapshot["choices"])
                seen[key] = (versions[digest], order, dealt)
            version_id, order, dealt = seen[key]
            chosen = sum(1 << order.index(i) for i in set(selected or ()) if i in order) or None
            batch.append((version_id, dealt, chosen, answer_id))
            if len(batch) >= BATCH:
                cursor.executemany(update, batch)
                batch = []
        if batch:
            cursor.executemany(update, batch)


def versions_to_snapshots(apps, schema_editor):
    """Back to one JSON copy per answer, as the code before versions wrote them."""
    Answer = apps.get_model("quizzes", "Answer")
    db = schema_editor.connection.alias
    for answer in (
        Answer.objects.using(db).select_related("version", "attempt").iterator(chunk_size=BATCH)
    ):
        version = answer.version
        content = version.content
        language = answer.attempt.language
        if language not in content:
            language = next(code for code in content if code != "choices")
        shown = content[language]
        indexes = [int(i) for i in answer.dealt.split(",")]
        choices = content["choices"]
        answer.snapshot = {
            "id": version.question_key,
            "shown_in": shown["shown_in"],
            "text": shown["text"],
            "kind": version.kind,
            "marks": str(version.marks),
            "explanation": shown["explanation"],
            "source_title": version.source_title,
            "source_url": version.source_url,
            "choices": [
                {
                    "id": choices[i]["id"],
                    "text": shown["choices"][i]["text"],
                    "is_correct": choices[i]["is_correct"],
                    "feedback": shown["choices"][i]["feedback"],
                    "misconception": choices[i]["misconception"],
                }
                for i in indexes
            ],
        }
        mask = answer.chosen or 0
        answer.selected = sorted(c["id"] for i, c in enumerate(choices) if mask >> i & 1) or None
        answer.save(update_fields=["snapshot", "selected"])


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0014_quiz_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "question_key",
                    models.PositiveBigIntegerField(
                        help_text="The question's id, kept after the question is deleted.",
                        verbose_name="question id",
                    ),
                ),
                ("fingerprint", models.CharField(max_length=64, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("single", "One answer"), ("multiple", "Several answers")],
                        max_length=10,
                        verbose_name="answers",
                    ),
                ),
                (
                    "marks",
                    models.DecimalField(decimal_places=2, max_digits=6, verbose_name="marks"),
                ),
                ("source_title", models.CharField(max_length=300, verbose_name="source title")),
                ("source_url", models.URLField(max_length=500, verbose_name="source URL")),
                ("content", models.JSONField(verbose_name="content")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="versions",
                        to="quizzes.question",
                    ),
                ),
            ],
            options={
                "verbose_name": "question version",
                "verbose_name_plural": "question versions",
                "ordering": ["question_key", "created_at", "id"],
                "indexes": [models.Index(fields=["question_key"], name="version_question_key")],
            },
        ),
        migrations.CreateModel(
            name="Regrade",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="applied"),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="regrades",
                        to="quizzes.quiz",
                        verbose_name="quiz",
                    ),
                ),
            ],
            options={
                "verbose_name": "regrade",
                "verbose_name_plural": "regrades",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RegradedAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "marks_before",
                    models.DecimalField(
                        decimal_places=7, max_digits=14, verbose_name="marks before"
                    ),
                ),
                (
                    "marks_after",
                    models.DecimalField(
                        decimal_places=7, max_digits=14, verbose_name="marks after"
                    ),
                ),
                (
                    "attempt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="regrades",
                        to="quizzes.attempt",
                    ),
                ),
                (
                    "regrade",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="quizzes.regrade",
                    ),
                ),
            ],
            options={
                "verbose_name": "regraded attempt",
                "verbose_name_plural": "regraded attempts",
                "ordering": ["regrade", "attempt"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("regrade", "attempt"), name="regraded_attempt_unique_per_regrade"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="answer",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answers",
                to="quizzes.questionversion",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="dealt",
            field=models.CharField(default="", max_length=100, verbose_name="choice order"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="answer",
            name="chosen",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="chosen choices"
            ),
        ),
        # Nullable while both exist, so that going back can fill it before it is required.
        migrations.AlterField(
            model_name="answer",
            name="snapshot",
            field=models.JSONField(null=True, verbose_name="question as answered"),
        ),
        migrations.RunPython(snapshots_to_versions, versions_to_snapshots, elidable=False),
        migrations.AlterField(
            model_name="answer",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answers",
                to="quizzes.questionversion",
            ),
        ),
        migrations.RemoveField(model_name="answer", name="snapshot"),
        migrations.RemoveField(model_name="answer", name="selected"),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(("chosen__isnull", True), ("chosen__gt", 0), _connector="OR"),
                name="answer_chosen_not_empty",
            ),
        ),
    ]
