"""Video links → privacy-friendly embed addresses, without calling any oEmbed service.

Only the stored URL is used at render time: the page shows a link (that works without
JavaScript) and loads the player from the provider only when the visitor asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{6,12}$")
PEERTUBE_ID = re.compile(r"^[A-Za-z0-9-]{8,40}$")
PEERTUBE_PATH = re.compile(r"^/(?:w|videos/watch|videos/embed)/([^/?#]+)/?$")


@dataclass(frozen=True)
class VideoEmbed:
    provider: str
    embed_url: str
    watch_url: str


def parse_video_url(url: str) -> VideoEmbed | None:
    """The embed for a YouTube, Vimeo or PeerTube link, or None if we don't know it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower()
    path = parts.path

    if host in {"youtu.be"}:
        video_id = path.strip("/")
        return _youtube(video_id, url)
    if host in {"youtube.com", "www.youtube.com", "m.youtube.com", "www.youtube-nocookie.com"}:
        if path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        else:
            match = re.match(r"^/(?:embed|shorts|live)/([^/?#]+)", path)
            video_id = match.group(1) if match else ""
        return _youtube(video_id, url)

    if host in {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}:
        video_id = path.rstrip("/").rsplit("/", 1)[-1]
        if VIMEO_ID.match(video_id):
            return VideoEmbed(
                provider="Vimeo",
                embed_url=f"https://player.vimeo.com/video/{video_id}?dnt=1",
                watch_url=url,
            )
        return None

    match = PEERTUBE_PATH.match(path)
    if match and PEERTUBE_ID.match(match.group(1)):
        return VideoEmbed(
            provider="PeerTube",
            embed_url=f"https://{parts.netloc}/videos/embed/{match.group(1)}",
            watch_url=url,
        )
    return None


def _youtube(video_id: str, url: str) -> VideoEmbed | None:
    if not YOUTUBE_ID.match(video_id):
        return None
    return VideoEmbed(
        provider="YouTube",
        embed_url=f"https://www.youtube-nocookie.com/embed/{video_id}",
        watch_url=url,
    )
