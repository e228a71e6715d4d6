"""`make run`: a developer's machine with the embedded cluster."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
