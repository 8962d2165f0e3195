from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Settings that change what a cached template fragment shows (changed in tests only).
FRAGMENT_SETTINGS = frozenset(
    {"STATIC_URL", "STORAGES", "ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGES", "TEMPLATES"}
)


def forget_template_fragments(setting, **kwargs):
    if setting in FRAGMENT_SETTINGS:
        from django.core.cache import caches

        caches["template_fragments"].clear()


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"
    verbose_name = _("Lessons and quizzes")

    def ready(self):
        from django.core.signals import setting_changed

        from quizzes.course.content_cache import connect_signals

        connect_signals()
        setting_changed.connect(forget_template_fragments, dispatch_uid="forget-fragments")
