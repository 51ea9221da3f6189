"""Backups are only as good as a restore: this one is tested on the demo data."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COUNT = (
    "from pipeline.models import Organisation, Engagement, Notification;"
    "from wagtail.models import Page;"
    "print(Organisation.objects.count(), Engagement.objects.count(),"
    " Notification.objects.count(), Page.objects.count())"
)


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own: a SQLite file, or a scratch PostgreSQL database in CI."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base = url.rsplit("/", 1)[0]
        name = f"restore_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'site.sqlite3'}"


def test_backup_then_restore_brings_back_the_demo_data(tmp_path, scratch_database):
    """Demo data, backup, destructive change, restore: the demo data is back exactly."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DATABASE_URL": scratch_database,
        "CELERY_BROKER_URL": "memory://",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": "locmem:",
    }
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "logo.txt").write_text("fichier téléversé")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    before = manage(env, "shell", "-c", COUNT).stdout.strip()

    backup = manage(env, "backup_data", str(tmp_path / "backups")).stdout
    folder = Path(backup.strip().rsplit(" ", 1)[-1])
    manage(env, "create_random_data", "--organisations", "20")
    (tmp_path / "media" / "logo.txt").unlink()
    assert manage(env, "shell", "-c", COUNT).stdout.strip() != before

    manage(env, "restore_data", str(folder), "--yes")
    assert manage(env, "shell", "-c", COUNT).stdout.strip() == before
    assert (tmp_path / "media" / "logo.txt").read_text() == "fichier téléversé"
