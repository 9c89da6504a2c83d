"""Routing: which builders a resident's request goes to, in which order (pure)."""

from __future__ import annotations

from bot.directory import (
    SAMPLE,
    Areas,
    Builder,
    Contact,
    Directory,
    District,
    Municipality,
    Office,
    Organisation,
    WorkingHours,
    load,
)
from bot.routing import OFFICE_KM, area_of, route

NINE_TO_FIVE = WorkingHours(((),) * 7)
DAM = (52.3731, 4.8926)  # a resident standing on the Dam, Amsterdam
OFFICE = (52.3727, 4.8936)  # about 80 m away


def builder(
    builder_id: str,
    languages: str = "nl",
    areas: str = "1011-1019",
    *,
    team: str = "Centrum",
    coordinator: bool = False,
    office: tuple[float, float] | None = None,
) -> Builder:
    return Builder(
        builder_id,
        f"Builder {builder_id}",
        "buurtwerk",
        team,
        coordinator,
        tuple(languages.split(";")),
        Areas.parse(areas) if areas else Areas(),
        office,
    )


OOSTERDORP = Municipality(
    "GM0001",
    "Oosterdorp",
    Contact(phone="14 020"),
    (District("Centrum", Areas.parse("1011-1019")), District("Rand", Areas.parse("1100-1109"))),
)
WESTERDORP = Municipality(
    "GM0002",
    "Westerdorp",
    Contact(web="https://westerdorp.example"),
    (District("Alles", Areas.parse("1109-1119")),),
)


def directory(*builders: Builder, offices: tuple[Office, ...] = ()) -> Directory:
    organisation = Organisation("buurtwerk", "Buurtwerk", NINE_TO_FIVE, offices=offices)
    return Directory((OOSTERDORP, WESTERDORP), (organisation,), builders)


def ids(tiers: tuple[tuple[Builder, ...], ...]) -> list[list[str]]:
    return [[b.id for b in tier] for tier in tiers]


def test_the_postcode_area_finds_the_builders_who_cover_it() -> None:
    found = route(
        directory(builder("b-1"), builder("b-2", areas="1053"), builder("b-3", areas="1015")),
        "nl",
        postcode="1015 AB",
    )
    assert ids(found.tiers) == [["b-1", "b-3"]]
    assert found.area == 1015
    assert found.municipalities == (OOSTERDORP,)


def test_a_postcode_typed_in_arabic_digits_is_the_same_area() -> None:
    assert area_of("١٠١٥ ab") == 1015
    assert area_of("1015") == 1015
    assert area_of("not a postcode") is None
    assert area_of(None) is None


def test_builders_who_speak_the_residents_language_come_first() -> None:
    found = route(
        directory(builder("b-1", "nl;en"), builder("b-2", "nl;ar"), builder("b-3", "ar")),
        "ar",
        postcode="1012",
    )
    assert ids(found.tiers) == [["b-2", "b-3"], ["b-1"]]


def test_dari_and_persian_speakers_find_each_other() -> None:
    found = route(directory(builder("b-1", "nl"), builder("b-2", "fa")), "fa-AF", postcode="1012")
    assert ids(found.tiers) == [["b-2"], ["b-1"]]


def test_within_a_tier_the_builder_with_fewest_open_cases_comes_first() -> None:
    found = route(
        directory(builder("b-1", "uk"), builder("b-2", "uk"), builder("b-3", "uk"), builder("b-4")),
        "uk",
        postcode="1012",
        open_cases={"b-1": 4, "b-2": 0, "b-3": 2, "b-4": 9},
    )
    assert ids(found.tiers) == [["b-2", "b-3", "b-1"], ["b-4"]]


def test_a_tier_holds_at_most_three_builders() -> None:
    speakers = [builder(f"b-{n}", "tr") for n in range(1, 6)]
    others = [builder(f"b-{n}", "nl") for n in range(6, 10)]
    found = route(
        directory(*speakers, *others), "tr", postcode="1012", open_cases={"b-5": 0, "b-1": 3}
    )
    assert ids(found.tiers) == [
        ["b-2", "b-3", "b-4"],
        ["b-5", "b-1"],
        ["b-6", "b-7", "b-8"],
        ["b-9"],
    ]


def test_the_teams_coordinators_are_known_for_cases_nobody_takes() -> None:
    found = route(
        directory(
            builder("b-1"),
            builder("b-2", coordinator=True, areas=""),  # covers no area, coordinates
            builder("b-3", areas="1053", team="West"),
            builder("b-4", areas="1053", team="West", coordinator=True),
        ),
        "nl",
        postcode="1012",
    )
    assert ids(found.tiers) == [["b-1"]]
    assert [b.id for b in found.coordinators] == ["b-2"]


def test_a_border_area_gives_both_municipalities_and_a_pick_narrows_the_builders() -> None:
    east = builder("b-1", areas="1100-1109", team="Oost")
    west = builder("b-2", areas="1109-1119", team="West")
    both = directory(east, west)
    found = route(both, "nl", postcode="1109 XY")
    assert found.municipalities == (OOSTERDORP, WESTERDORP)
    assert ids(found.tiers) == [["b-1", "b-2"]]
    picked = route(both, "nl", postcode="1109 XY", municipality="GM0002")
    assert picked.municipalities == (WESTERDORP,)
    assert ids(picked.tiers) == [["b-2"]]


def test_no_builder_for_the_area_says_so_with_the_municipalitys_contact() -> None:
    found = route(directory(builder("b-1")), "nl", postcode="1105")
    assert not found.found and found.tiers == ()
    assert [m.contact.phone for m in found.municipalities] == ["14 020"]


def test_an_area_in_no_municipality_finds_nobody() -> None:
    found = route(directory(builder("b-1")), "nl", postcode="9999")
    assert (found.area, found.municipalities, found.tiers) == (9999, (), ())


def test_a_shared_location_finds_the_nearest_office_and_its_builders() -> None:
    offices = (
        Office("Buurthuis", *OFFICE, Areas.parse("1011-1019"), "buurtwerk"),
        Office("Far away", 52.0, 5.0, Areas.parse("1100-1109"), "buurtwerk"),
    )
    found = route(
        directory(builder("b-1"), builder("b-2", areas="1105"), offices=offices),
        "nl",
        location=DAM,
    )
    assert found.office is not None and found.office.name == "Buurthuis"
    assert found.office_km is not None and found.office_km < 0.2
    assert found.area is None
    assert ids(found.tiers) == [["b-1"]]
    assert found.municipalities == (OOSTERDORP,)


def test_an_office_farther_than_five_km_is_not_the_residents_neighbourhood() -> None:
    offices = (Office("Buurthuis", *OFFICE, Areas.parse("1011-1019"), "buurtwerk"),)
    rotterdam = (51.9225, 4.4792)
    found = route(directory(builder("b-1"), offices=offices), "nl", location=rotterdam)
    assert (found.office, found.tiers, found.municipalities) == (None, (), ())
    assert OFFICE_KM == 5.0


def test_a_builders_own_office_counts_as_an_office() -> None:
    found = route(directory(builder("b-1", office=OFFICE)), "nl", location=DAM)
    assert found.office is not None and found.office.builder == "b-1"
    assert ids(found.tiers) == [["b-1"]]


def test_a_known_postcode_wins_over_a_shared_location() -> None:
    offices = (Office("Buurthuis", *OFFICE, Areas.parse("1011-1019"), "buurtwerk"),)
    found = route(
        directory(builder("b-1"), builder("b-2", areas="1105"), offices=offices),
        "nl",
        postcode="1105",
        location=DAM,
    )
    assert found.office is None
    assert ids(found.tiers) == [["b-2"]]


def test_the_sample_directory_routes_like_its_comments_say() -> None:
    sample = load(SAMPLE)
    ukrainian = route(sample, "uk", postcode="1053 AB")
    assert ids(ukrainian.tiers) == [["b-003"], ["b-001"]]
    assert [m.name for m in route(sample, "so", postcode="1109").municipalities] == [
        "Amsterdam",
        "Diemen",
    ]
    noord = route(sample, "nl", postcode="1021")
    assert not noord.found and noord.municipalities[0].contact.phone == "14 020"
    dam = route(sample, "ar", location=DAM)
    assert dam.office is not None and ids(dam.tiers) == [["b-002"], ["b-001"]]
