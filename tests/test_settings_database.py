import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    "url", ["sqlite:///{tmp}/x.sqlite3", "postgres://someone@127.0.0.1:5432/passerelle"]
)
def test_database_connections_are_kept_between_requests_on_both_engines(tmp_path, url):
    """Both engines keep connections 60 s by default (DATABASE_CONN_MAX_AGE), checked before
    reuse: opening a connection costs more than a cached page's query."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DATABASE_URL": url.format(tmp=tmp_path),
    }

    def settings_line(**extra):
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
            cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert settings_line()[1:] == ["60", "True"]
    assert settings_line(DATABASE_CONN_MAX_AGE="0")[1] == "0"
