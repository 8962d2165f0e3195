"""The Teachers group and what it may do, for code that needs the group at run time.

The data migrations create the group on `migrate`; this recreates it if it has gone (a flushed
database, a restored partial backup), with the same permissions the migrations grant.
"""

from django.contrib.auth.models import Group, Permission

AUTHORED = [
    "lesson",
    "lessonsource",
    "quiz",
    "question",
    "choice",
    "gradeband",
    "glossaryterm",
    "teachernote",
    "sourceexcerpt",
]
ACTIONS = ("add", "change", "delete", "view")
TEACHER_PERMISSIONS = [
    *(f"{action}_{model}" for model in AUTHORED for action in ACTIONS),
    "view_attempt",
    "view_answer",
    "add_misconception",
    "change_misconception",
    "view_misconception",
    "change_course",
    "view_course",
    *(f"{action}_classroom" for action in ACTIONS),
    "view_membership",
    "delete_membership",
    *(f"{action}_override" for action in ACTIONS),
]


def teachers_group() -> Group:
    """The Teachers group, with its permissions (made if missing)."""
    group, created = Group.objects.get_or_create(name="Teachers")
    if created:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="quizzes", codename__in=TEACHER_PERMISSIONS
            )
        )
    return group
