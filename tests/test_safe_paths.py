"""Names made from titles nobody vetted: one safe segment each, and nothing written outside its root."""

import pytest

from dashkit.naming import file_safe
from dashkit.safe_paths import MAX_SEGMENT, UnsafePath, inside, segment, unique, write_text


@pytest.mark.parametrize("title", ["..", ".", " .. ", "", "   ", "...", "_", "._.", "\x00\x01"])
def test_nothing_usable_left_means_the_fallback(title):
    assert segment(title, fallback="folder") == "folder"


@pytest.mark.parametrize(("title", "name"), [
    ("_Archive", "Archive"),
    (".hidden", "hidden"),
    ("a/b", "a_b"),
    ("x/../y", "x_.._y"),
    ("..\\..\\windows", "windows"),
    ("line\nbreak\ttab", "line_break_tab"),
    ("CON", "CON_"),
    ("nul.txt", "nul_.txt"),
    ("com1", "com1_"),
    ("trailing dots...", "trailing dots"),
    ("Team: Payments", "Team_ Payments"),
    ("Überblick", "Überblick"),
])
def test_a_segment_is_one_visible_name(title, name):
    assert segment(title, fallback="x") == name


def test_a_long_name_is_cut_with_a_stable_suffix():
    title = "latency-by-region " * 20
    by_uid = segment(title, fallback="x", suffix="abc123")
    assert len(by_uid) <= MAX_SEGMENT and by_uid.endswith("-abc123") and by_uid.startswith("latency-by-region")
    assert segment(title, fallback="x", suffix="abc123") == by_uid
    hashed = segment(title, fallback="x")
    assert len(hashed) <= MAX_SEGMENT and hashed != segment(title + "!", fallback="x")
    wide = segment("監視" * 100, fallback="x")
    assert len(wide.encode("utf-8")) <= 200


def test_unique_names_are_case_blind():
    taken: set[str] = set()
    assert unique("Ops", taken, tag="u1") == "Ops"
    assert unique("ops", taken, tag="u2") == "ops-u2"
    assert unique("ops", taken, tag="u2") == "ops-u2-2"


def test_inside_follows_symlinks(tmp_path):
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert inside(root, root / "a" / "b.json") == (root / "a" / "b.json").resolve()
    for escaping in (root / ".." / "x.json", root / "link" / "x.json", root, root / "a" / ".." / ".." / "x"):
        with pytest.raises(UnsafePath):
            inside(root, escaping)
    with pytest.raises(UnsafePath):
        write_text(root, root / "link" / "deep" / "x.json", "{}")
    assert list(outside.iterdir()) == []
    write_text(root, root / "a" / "b.json", "{}")
    assert (root / "a" / "b.json").read_text() == "{}"


def test_file_safe_never_names_the_current_or_parent_directory():
    assert file_safe("..") == "__" and file_safe(".") == "_" and file_safe(" .. ") == "__"
    assert file_safe("Team: Payments") == "Team_ Payments" and file_safe("v1.2") == "v1.2"
