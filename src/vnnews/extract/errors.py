"""Why a page could not be extracted. Every failure of the public functions is one of these."""


class ExtractionError(ValueError):
    """A page could not be turned into an Article; the message names the reason."""


class EmptyPageError(ExtractionError):
    """The input is empty or holds no text."""


class NotHTMLError(ExtractionError):
    """The input is binary or otherwise not an HTML/text page."""


class PageTooLargeError(ExtractionError):
    """The input exceeds the size limit (default 15 MB)."""


class NoArticleError(ExtractionError):
    """The page parsed, but no article body was found in it."""
