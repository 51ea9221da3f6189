import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_only_environment_variables(tmp_path):
    """`check --deploy` is silent given just SECRET_KEY, ALLOWED_HOSTS and SITE_URL."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7$k2!pq9@zW4#mN8&vB1^cR6*tY3(hU5)jL0_eF-gD+sA=oI~",
        "ALLOWED_HOSTS": "audit.example.org",
        "SITE_URL": "https://audit.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
