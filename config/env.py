"""The one place that reads the process environment.

Every setting that may differ between machines comes through ``env``; nothing else in the project
reads ``os.environ`` directly. Secrets are read with ``env.secret`` which has no default: a missing
secret stops the process at start-up instead of silently running with a placeholder.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


class Env(environ.Env):
    def secret(self, name: str) -> str:
        """A secret without default: raises ImproperlyConfigured when it is missing or empty."""
        value = self.str(name)
        if not value:
            raise environ.ImproperlyConfigured(f"Set the {name} environment variable")
        return value


env = Env()
