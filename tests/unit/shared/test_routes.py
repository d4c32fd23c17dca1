import pytest
from werkzeug.http import parse_options_header

from shared.routes import attachment


def filename_read_back(header: str) -> str:
    """As a browser reads it (RFC 6266: filename* first)."""
    return parse_options_header(header)[1]["filename"]


@pytest.mark.parametrize(
    "name", ["returns-analysis-acme.xlsx", 'returns-analysis-½日本 "q" 100%.xlsx', "ü\\.csv"]
)
def test_a_download_keeps_its_whole_name_and_an_ascii_fallback(name):
    header = attachment(name)["Content-Disposition"]
    header.encode("latin-1")  # what an HTTP header may carry
    assert filename_read_back(header) == name
    fallback = header.split('filename="')[1].split('";')[0]
    assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
