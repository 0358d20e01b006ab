"""Where uploaded evidence files live: outside the web root, under the instance folder
unless ``EVIDENCE_DIR`` names another place (a mounted volume, say).

Pages and the API both pass ``upload_root()`` to the services that store or serve files
(``eagov.storage`` decides the names inside it), so a file uploaded on a page can be
downloaded through the API and the other way round.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def upload_root() -> Path:
    """The folder for evidence files of the current app (created on the first save)."""
    configured = current_app.config.get("EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"
