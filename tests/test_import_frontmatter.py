"""Front matter in the three syntaxes old generators use, with the file's own lines for every problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from blogkit.migrate.frontmatter import FrontMatterError, read_front_matter


def test_toml_between_plus_signs():
    split = read_front_matter('+++\ntitle = "Raft"\ndate = 2024-03-01T09:00:00+02:00\n[extra]\nteam = "Storage"\n+++\nBody\n')
    assert split.syntax == "toml" and split.body == "Body\n" and split.body_line == 7
    assert split.data == {
        "title": "Raft",
        "date": datetime(2024, 3, 1, 9, tzinfo=timezone(timedelta(hours=2))),
        "extra": {"team": "Storage"},
    }


def test_yaml_between_dashes_keeps_dates_as_written():
    split = read_front_matter("---\ntitle: Raft\ndate: 2024-03-01 09:00:00 -0500\n---\n\nBody\n")
    assert split.syntax == "yaml" and split.data["date"] == "2024-03-01 09:00:00 -0500" and split.body_line == 5


def test_a_json_object():
    split = read_front_matter('{\n  "title": "Raft",\n  "draft": true\n}\n\nBody\n')
    assert split.syntax == "json" and split.data == {"title": "Raft", "draft": True}
    assert split.body == "\nBody\n" and split.body_line == 5


def test_no_front_matter_is_all_body():
    assert read_front_matter("# Title\n").data == {}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('+++\ntitle = "x"\ndate = 2024-13-01\n+++\n', 3, "invalid TOML front matter"),
        ("---\ntitle: [x\n---\n", 3, "invalid YAML front matter"),
        ('{\n  "title": x\n}\n', 2, "invalid JSON front matter"),
        ("+++\ntitle = 1\n", 1, "the front matter opened by '+++' is never closed"),
    ],
)
def test_problems_are_at_the_files_own_line(text, line, message):
    with pytest.raises(FrontMatterError) as problem:
        read_front_matter(text)
    assert problem.value.line == line and problem.value.message.startswith(message)


def test_dates_of_every_syntax_read_alike():
    from zoneinfo import ZoneInfo

    from blogkit.migrate.reading import when

    zone = ZoneInfo("UTC")
    assert when("2024-03-01 09:00:00 -0500", zone) == datetime(2024, 3, 1, 14, tzinfo=UTC)
    assert when("2024-03-01", zone) == datetime(2024, 3, 1, tzinfo=zone)
    assert when(datetime(2024, 3, 1, 9, tzinfo=UTC), zone) == datetime(2024, 3, 1, 9, tzinfo=UTC)
