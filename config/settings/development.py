"""Local development: the embedded defaults of `make run`, with DEBUG on unless told otherwise."""

from config.env import env

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
