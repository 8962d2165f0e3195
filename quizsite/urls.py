from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from quizzes.views import pages

admin.site.site_header = _("quizsite administration")
admin.site.site_title = _("quizsite")
admin.site.index_title = _("Lessons, quizzes and results")

accounts = [
    path("signup/", pages.signup, name="signup"),
    path("login/", pages.SignInView.as_view(), name="login"),
    path("logout/", pages.SignOutView.as_view(), name="logout"),
    path("password/", pages.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

# Every page lives under its language, /en/… or /pl/…; an address without one (the
# foundation's /, /lessons/…, /me/…) redirects to the visitor's language: the one they picked
# with the switcher (a cookie), else their browser's Accept-Language, else English.
urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("i18n/setlang/", pages.set_language, name="set_language"),
    *i18n_patterns(
        path("accounts/", include(accounts)),
        # The admin's own "Change password" checked the old password where sign-in throttling
        # never looks, so a staff session could guess it without limit: it is the site's.
        path(
            "admin/password_change/",
            RedirectView.as_view(pattern_name="password_change"),
            name="admin-password-change",
        ),
        path("admin/", admin.site.urls),
        path("", include("quizzes.urls")),
    ),
]


if settings.BENCHMARK_VIEWS:
    from benchmarks.ceiling import urlpatterns as ceiling_patterns
    from benchmarks.floor import urlpatterns as floor_patterns

    urlpatterns = ceiling_patterns + floor_patterns + urlpatterns
