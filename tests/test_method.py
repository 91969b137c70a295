"""A story's method for readers: its METHODS.md as one offline page, and sources' publishers."""

from __future__ import annotations

from reactions.method import method_name, method_page, read_method
from reactions.wording import publisher_words


def test_the_method_page_is_its_markdown_with_raw_html_escaped():
    text = (
        "# How this was made\n\nA <script>alert(1)</script> line.\n\n"
        "| stance | score |\n|---|---|\n| Ambiguous | 0 |\n"
    )
    page = method_page(text, "a-story")
    assert "<title>How this was made</title>" in page
    assert "<h1>How this was made</h1>" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>Ambiguous</td>" in page and "<td>0</td>" in page
    assert "http" not in page  # nothing loaded from elsewhere
    assert method_name("a-story") == "a-story.method.html"


def test_without_a_heading_the_page_is_titled_by_its_story():
    assert "<title>How this was made: a-story</title>" in method_page("Plain text.\n", "a-story")


def test_only_a_regular_file_of_the_story_folder_is_read(tmp_path):
    (tmp_path / "story").mkdir()
    assert read_method(tmp_path / "story") is None
    (tmp_path / "outside.md").write_text("# Not the story's\n", encoding="utf-8")
    (tmp_path / "story" / "METHODS.md").symlink_to(tmp_path / "outside.md")
    assert read_method(tmp_path / "story") is None
    (tmp_path / "story" / "METHODS.md").unlink()
    (tmp_path / "story" / "METHODS.md").write_text("\ufeff# Method\n", encoding="utf-8")
    assert read_method(tmp_path / "story") == "# Method\n"


def test_a_source_shows_its_publisher_and_its_kind():
    assert publisher_words("TASS", "news_agency") == "TASS (news agency)"
    assert publisher_words("txtreport.com", "aggregator") == "txtreport.com (copy on an aggregator)"
    assert publisher_words("", "official") == "official"
    assert publisher_words("EEAS", "") == "EEAS"
