"""Links to addresses that came from data, and facts shown without a source."""
from core.templatetags.links import external_link, source_link


def test_only_web_addresses_become_links():
    assert external_link("https://example.org/a", "a") == '<a href="https://example.org/a" rel="noopener noreferrer nofollow">a</a>'
    assert external_link("javascript:alert(1)", "a") == "a"
    assert external_link("", "a") == "a"


def test_a_fact_without_a_source_says_so():
    assert source_link("https://example.org/a") == '<a href="https://example.org/a" rel="noopener noreferrer nofollow">source</a>'
    assert '<span class="unsourced"' in source_link("") and ">no source</span>" in source_link("  ")
    assert ">r-0001 (no source)</span>" in source_link("", "r-0001")
    assert source_link("javascript:alert(1)", "r-1") == "r-1"  # given, but not a web address: shown as text
