"""What every field page (field/layout.html) hands to the field app's JavaScript: words for the
codes it shows in items held on the device, and what a conflict's kinds, fields and codes are
called (server.sync_api.conflict_words), in the request's language."""

from __future__ import annotations

from server.cases.kinds import CASE_TYPES
from server.i18n import gettext
from server.sync_api.conflict_words import conflict_words
from server.visits.schemas import MODES


def field_labels() -> dict:
    return {
        "MODES": MODES,
        "CASE_TYPES_SHOWN": {key: gettext(label) for key, label in CASE_TYPES.items()},
        "MODES_SHOWN": {key: gettext(label) for key, label in MODES.items()},
        "CONFLICT_WORDS_SHOWN": conflict_words(),
    }
