"""Bylines as people write them, and the handles they get."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from blogkit.migrate.model import Person
from blogkit.migrate.people import assign_handles, identity, parse_names


def names(text: str) -> list[str]:
    return [p.name for p in parse_names(text)]


def test_names_are_separated_by_commas_and_and():
    assert names("Ana Lima, Bo Chen and Cy Diaz") == ["Ana Lima", "Bo Chen", "Cy Diaz"]
    assert names("Ana Lima & Bo Chen; Cy Diaz") == ["Ana Lima", "Bo Chen", "Cy Diaz"]
    assert names("by Sandra Anderson and Andy Brand") == ["Sandra Anderson", "Andy Brand"]  # 'and' inside a name is no separator


def test_links_are_kept_as_profile_links_and_parentheses_as_affiliations():
    ana, bo, cy = parse_names("Ana Lima ([@ana](https://github.com/ana)), [Bo Chen](https://bo.dev) and Cy Diaz (Acme, Inc.)")
    assert ana == Person(key="", name="Ana Lima", links=(("GitHub", "https://github.com/ana"),))
    assert bo == Person(key="", name="Bo Chen", links=(("bo.dev", "https://bo.dev"),))
    assert cy == Person(key="", name="Cy Diaz", affiliation="Acme, Inc.")


def test_nothing_but_punctuation_is_nobody():
    assert parse_names("") == parse_names("  ,  and ; ") == parse_names("(((") == []


def test_names_that_make_one_slug_stay_two_people_unless_the_source_says_so():
    people = parse_names("José Díaz, Jose Diaz, Ana M. Lima, Ana Lima")
    handles = assign_handles(people)
    assert handles == {
        "name:Jose Diaz": "jose-diaz",
        "name:José Díaz": "jose-diaz-2",
        "name:Ana Lima": "ana-lima",
        "name:Ana M. Lima": "ana-m-lima",
    }
    keyed = [Person(key="jdiaz", name="José Díaz"), Person(key="jdiaz", name="Jose Diaz")]
    assert {identity(p) for p in keyed} == {"key:jdiaz"}  # the source's key makes them one


def test_handles_do_not_depend_on_the_order_people_come_in():
    people = parse_names("Zoë Ng, Zoe Ng, Ana Lima")
    assert assign_handles(people) == assign_handles(list(reversed(people)))


@given(st.text())
def test_parsing_never_raises_and_gives_names(text):
    for person in parse_names(text):
        assert person.name.strip() == person.name and person.name
        assert all(url.startswith(("https://", "http://")) for _, url in person.links)
