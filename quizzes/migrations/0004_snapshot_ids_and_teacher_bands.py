"""Give older answer snapshots their question id, and let teachers edit grade bands."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def snapshot_ids(apps, schema_editor):
    Answer = apps.get_model("quizzes", "Answer")
    for answer in Answer.objects.all().iterator():
        if "id" not in answer.snapshot:
            answer.snapshot["id"] = answer.question_id or 0
            answer.save(update_fields=["snapshot"])


def teacher_band_permissions(apps, schema_editor):
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    teachers, _ = Group.objects.get_or_create(name="Teachers")
    teachers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes",
            codename__in=[f"{a}_gradeband" for a in ("add", "change", "delete", "view")],
        )
    )


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0003_quiz_settings_and_dealt_answers")]

    operations = [
        migrations.RunPython(snapshot_ids, migrations.RunPython.noop),
        migrations.RunPython(teacher_band_permissions, migrations.RunPython.noop),
    ]
