"""Reading configuration from the environment (design.md §5).

django-environ does the parsing; this module only adds the short aliases the
operators' contract promises (`console:`, `locmem:`) and a few typed helpers.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# design.md §5 lists `console:` and `locmem:` next to django-environ's own schemes.
EMAIL_URL_ALIASES = {
    "console:": "consolemail://",
    "console://": "consolemail://",
    "locmem:": "memorymail://",
    "locmem://": "memorymail://",
}


def email_config(default: str = "consolemail://") -> dict:
    """Return Django e-mail settings parsed from EMAIL_URL."""
    url = env.str("EMAIL_URL", default=default).strip()
    url = EMAIL_URL_ALIASES.get(url, url)
    parsed = environ.Env.email_url_config(url)
    return {key: value for key, value in parsed.items() if value not in (None, "")}


def ensure_var_dir(*parts: str) -> Path:
    """Create (if needed) and return a folder under var/, the embedded defaults' home."""
    path = VAR_DIR.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
