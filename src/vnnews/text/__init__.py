"""Vietnamese text: NFC, one tone-mark placement, folding for search, dates."""

from vnnews.text.normalize import fold, normalize, place_tone_marks

__all__ = ["fold", "normalize", "place_tone_marks"]
