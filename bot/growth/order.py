"""The order growth prompts follow once a person has assessed themselves."""

from __future__ import annotations

# Criteria they are not there yet on come first, those they have not rated next, and the
# ones they marked met only after all the rest.
_TIERS = {"not_yet": 0, "partly": 0, "met": 2}
_UNRATED = 1


def prompt_tier(rating: str | None) -> int:
    """Lower is asked first; within a tier the chooser keeps its own order."""
    return _TIERS.get(rating, _UNRATED) if rating else _UNRATED
