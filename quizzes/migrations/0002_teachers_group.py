"""Create the Teachers group: authors of lessons and quizzes who can read results."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEACHERS = "Teachers"
AUTHORED = ["lesson", "lessonsource", "quiz", "question", "choice"]
READ_ONLY = ["attempt", "answer"]


def teacher_permissions():
    codenames = [f"{action}_{model}" for model in AUTHORED for action in ("add", "change", "delete", "view")]
    return codenames + [f"view_{model}" for model in READ_ONLY]


def create_teachers(apps, schema_editor):
    # Permissions are normally made after all migrations; make ours now so the group gets them.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=TEACHERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="quizzes", codename__in=teacher_permissions())
    )


def remove_teachers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=TEACHERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_teachers, remove_teachers)]
