"""Campaign attribution values are checked before use: harmless, short, known, or dropped."""

import pytest
from django.http import QueryDict

from audience.attribution import MAX_LENGTH, Attribution


def test_known_parameters_are_kept_and_grouping_ones_lowercased():
    """utm_source, medium and campaign are grouped in reports, so case does not split them."""
    query = QueryDict(
        "utm_source=Lettre-Info&utm_medium=Email&utm_campaign=Printemps+2027"
        "&utm_content=bouton_haut&utm_term=suite+numérique&depuis=12&autre=x"
    )
    attribution = Attribution.from_query(query)
    assert attribution == Attribution(
        landing_page_id=12,
        utm_source="lettre-info",
        utm_medium="email",
        utm_campaign="printemps 2027",
        utm_content="bouton_haut",
        utm_term="suite numérique",
    )
    assert Attribution.from_payload(attribution.as_payload()) == attribution
    assert attribution.as_query().startswith("depuis=12&utm_source=lettre-info&")


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "jeanne@amis-du-velo.fr",  # no e-mail address in a campaign field
        "a" * (MAX_LENGTH + 1),
        "ligne\nsuivante",
        "nul\x00",
        '=HYPERLIEN("x")',
        "   ",
        "caf\u00e9\u200b",  # zero-width space
    ],
)
def test_odd_values_are_dropped(value):
    """Markup, addresses, control characters, formulas, overlong values: not stored."""
    attribution = Attribution.from_query({"utm_source": value, "utm_term": value})
    assert not attribution


@pytest.mark.parametrize("value", ["abc", "-3", "0", "1e3", "99999999999", "١٢"])
def test_the_landing_page_must_be_a_plain_page_number(value):
    """`depuis` is a page id: digits only, in range."""
    assert Attribution.from_query({"depuis": value}).landing_page_id is None


def test_a_payload_of_the_wrong_shape_gives_no_attribution():
    """A draft or token holding something unexpected is read as no attribution."""
    assert not Attribution.from_payload(["utm_source", "x"])
    assert not Attribution.from_payload({"utm_source": 42, "landing_page_id": True})
