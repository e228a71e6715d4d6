"""Settings come from the environment; production refuses a default secret."""

from django.conf import settings

from tests.conftest import run_python


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.AUTH_USER_MODEL == "accounts.User"


def _import_production(**env):
    return run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SETTINGS_MODULE="server.settings.production",
        **env,
    )


def test_production_refuses_default_secret():
    result = _import_production(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret():
    result = _import_production(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
