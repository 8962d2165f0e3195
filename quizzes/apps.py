from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"
    verbose_name = _("Lessons and quizzes")

    def ready(self):
        from .content_cache import connect_signals

        connect_signals()
