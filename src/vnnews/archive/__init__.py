"""WARC read and write (ISO 28500): raw pages are kept so articles can be rebuilt without
fetching again. Django-free: the archive folder and size limit are arguments."""

from vnnews.archive.reader import WarcItem, iter_html_records, read_record
from vnnews.archive.writer import WarcArchive, append_response, response_record

__all__ = [
    "WarcArchive",
    "WarcItem",
    "append_response",
    "iter_html_records",
    "read_record",
    "response_record",
]
