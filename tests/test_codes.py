"""core/codes.py: codes and links in any mix, duplicates merged, junk with reasons."""

from __future__ import annotations

from illvid_tui.api.links import code_from_text, file_link
from illvid_tui.core.codes import MAX_REJECTED_KEPT, code_of, parse_codes, reject_reason


def test_mixed_separators_links_and_case_kept() -> None:
    text = (
        "abcdef123456, https://illvid.com/3WGI2ZA99MG2/video.mp4\n"
        "\tillvid.com/d/zzzzzz999999;qqqqqq111111 | https://illvid.com/embed-kkkkkk222222.html\n"
        "http://127.0.0.1:8080/mmmmmm333333?x=1\n"
    )
    parsed = parse_codes(text)
    assert parsed.codes == [
        "abcdef123456",
        "3WGI2ZA99MG2",
        "zzzzzz999999",
        "qqqqqq111111",
        "kkkkkk222222",
        "mmmmmm333333",
    ]
    assert parsed.from_links == 4
    assert parsed.rejected == [] and parsed.duplicates == 0


def test_duplicates_merged_but_case_variants_are_different_codes() -> None:
    parsed = parse_codes("abcdef123456\nhttps://illvid.com/abcdef123456\nABCDEF123456 abcdef123456")
    assert parsed.codes == ["abcdef123456", "ABCDEF123456"]
    assert parsed.duplicates == 2
    assert parsed.summary() == "2 codes, 2 duplicates merged"


def test_junk_is_listed_with_reasons_and_line_numbers() -> None:
    parsed = parse_codes(
        "abc\nok0000000001 hello_world\nftp://x.com/abcdef123456\nhttps://illvid.com/\n" + "x" * 40
    )
    assert parsed.codes == ["ok0000000001"]
    reasons = {r.token: (r.reason, r.line) for r in parsed.rejected}
    assert reasons["abc"] == ("too short for a code (3 characters, at least 6)", 1)
    assert reasons["hello_world"][0] == "a code has only letters and digits, this has '_'"
    assert reasons["hello_world"][1] == 2
    assert reasons["ftp://x.com/abcdef123456"][0] == "not an http(s) link"
    assert reasons["https://illvid.com/"][0] == "a link without a file code in it"
    assert reasons["x" * 40][0].startswith("too long for a code (40")
    assert parsed.rejected_count == 5
    assert "5 left out" in parsed.summary()


def test_reason_for_non_ascii() -> None:
    assert "'é'" in reject_reason("cafébabe1234")
    assert code_of("cafébabe1234") == (None, False)


def test_rejected_list_is_capped_but_counted() -> None:
    parsed = parse_codes("\n".join(["no"] * (MAX_REJECTED_KEPT + 5)))
    assert len(parsed.rejected) == MAX_REJECTED_KEPT
    assert parsed.rejected_count == MAX_REJECTED_KEPT + 5


def test_hundred_thousand_lines() -> None:
    lines = [
        f"https://illvid.com/c{i:011d}/name.mp4" if i % 2 else f"c{i:011d}" for i in range(100_000)
    ]
    parsed = parse_codes("\n".join(lines))
    assert len(parsed.codes) == 100_000 and parsed.from_links == 50_000


def test_file_link_keeps_scheme_host_and_a_non_default_port() -> None:
    assert file_link("https://illvid.com/api", "abcdef123456") == "https://illvid.com/abcdef123456"
    assert file_link("https://ILLVID.com:443/api", "Ab12cd34EF") == "https://illvid.com/Ab12cd34EF"
    assert file_link("http://127.0.0.1:8080/api", "abcdef123456") == (
        "http://127.0.0.1:8080/abcdef123456"
    )
    assert file_link("http://[::1]:9000/api", "abcdef123456") == "http://[::1]:9000/abcdef123456"


def test_code_from_text_links_and_junk() -> None:
    assert code_from_text("<https://illvid.com/e/abcdef123456/name.mp4>") == "abcdef123456"
    assert code_from_text("illvid.com/abcdef123456.html") == "abcdef123456"
    assert code_from_text("HTTPS://illvid.com/%61bcdef123456") == "abcdef123456"
    assert code_from_text("mailto:abc@illvid.com") is None
    assert code_from_text("https:///abcdef123456") is None
