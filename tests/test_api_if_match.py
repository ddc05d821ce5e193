"""If-Match read by RFC 9110's grammar (tracker/shared/etags.py): a list of tags, `*`, or a 400; never a 500."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.models.entries import Entry
from tracker.shared.etags import EntityTag, MalformedIfMatch, format_entity_tag, parse_if_match

ETAGC = st.characters(codec="latin-1").filter(lambda c: c == "\x21" or "\x23" <= c <= "\x7e" or c >= "\x80")
TAGS = st.builds(EntityTag, st.text(ETAGC, max_size=12), st.booleans())
OWS = st.text(" \t", max_size=2)


@st.composite
def if_match_lists(draw):
    """A list as a sender may write it: tags with spaces around commas, and empty elements between."""
    tags = draw(st.lists(TAGS, max_size=5))
    parts = []
    for tag in tags:
        parts += [""] * draw(st.integers(0, 2))  # empty elements are allowed (RFC 9110 5.6.1)
        parts.append(draw(OWS) + format_entity_tag(tag.opaque, tag.weak) + draw(OWS))
    return tags, ",".join(parts)


@given(if_match_lists())
def test_every_list_of_entity_tags_reads_back_as_its_tags(written):
    tags, header = written
    parsed = parse_if_match(header)
    assert not parsed.any_version and list(parsed.tags) == tags
    assert parsed.strong_tags() == tuple(tag.opaque for tag in tags if not tag.weak)


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_any_header_is_a_list_of_tags_or_refused_never_an_error(header):
    try:
        parsed = parse_if_match(header)
    except MalformedIfMatch:
        return
    # What was read is what the grammar allows: each tag written back is found in the header.
    for tag in parsed.tags:
        assert format_entity_tag(tag.opaque, tag.weak) in header


@pytest.mark.parametrize("header", ["nonsense", '"a"b', 'W/', 'w/"1-1"', '"1-1" "1-1"', '"unclosed', "*, \"1-1\"", '"é✓"'])
def test_what_is_not_an_if_match_is_malformed(header):
    with pytest.raises(MalformedIfMatch):
        parse_if_match(header)


def test_star_any_version_and_empty_tags():
    assert parse_if_match(" * ").any_version
    assert parse_if_match('""').tags == (EntityTag(""),)
    assert parse_if_match('"", ').tags == (EntityTag(""),)
    assert parse_if_match('W/"x", "1-2"').strong_tags() == ("1-2",)


# ---- the API: PATCH and DELETE /api/v1/entries/<id> ----


@pytest.fixture
def manager_api(api_for, make_user, team):
    return api_for(make_user("manager", [team]))


@pytest.fixture
def own_entry(make_entry, manager_api, team, make_request):
    return make_entry(manager_api.user, team, make_request(), occurred_on=date.today() - timedelta(days=3), minutes=90)


@pytest.mark.parametrize("header", ['""', '"",', ', ""', '"{id}-99", ""', 'W/"{id}-1"', '"{id}-99", W/"{id}-1"'])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_empty_and_weak_tags_name_no_version_412_never_500(db, manager_api, own_entry, header, method):
    url = f"/api/v1/entries/{own_entry.id}"
    header = header.format(id=own_entry.id)
    args = (url, {"minutes": 5}) if method == "patch" else (url,)
    response = getattr(manager_api, method)(*args, headers={"If-Match": header})
    assert response.status_code == 412, (header, response.get_data(as_text=True))
    assert set(response.get_json()) == {"message"}
    db.session.expire_all()
    entry = db.session.get(Entry, own_entry.id)
    assert entry.minutes == 90 and entry.deleted_at is None


@pytest.mark.parametrize("header", ["nonsense", '"{id}-1" junk', "W/{id}-1", '"{id}-1"; "x"'])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_malformed_if_match_is_400_by_its_field(db, manager_api, own_entry, header, method):
    url = f"/api/v1/entries/{own_entry.id}"
    args = (url, {"minutes": 5}) if method == "patch" else (url,)
    response = getattr(manager_api, method)(*args, headers={"If-Match": header.format(id=own_entry.id)})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == ["If-Match"]
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).minutes == 90


def test_the_current_tag_in_a_list_with_empty_elements_is_accepted(manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    current = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 71}, headers={"If-Match": f', "", {current} ,'})
    assert response.status_code == 200 and response.get_json()["minutes"] == 71
    assert manager_api.delete(url, headers={"If-Match": response.headers["ETag"]}).status_code == 204
