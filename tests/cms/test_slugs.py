"""One rule for web-address slugs: the slugified text, then -2, -3... when it is taken;
reserved words are never given out; and ``refuse_reserved`` says so in plain words."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from cms.models import Area, Need, OfferPage, Organisation
from cms.oruk import importer
from cms.slugs import refuse_reserved, unique_slug
from tests.factories import OfferPageFactory

pytestmark = pytest.mark.django_db


# --- unique_slug ------------------------------------------------------------------------------


def test_a_free_slug_is_the_slugified_text():
    assert unique_slug(Area, "Crisis Café & Friends!") == "crisis-cafe-friends"


def test_a_taken_slug_gets_the_next_number():
    Area.objects.create(name="Northdale")
    assert unique_slug(Area, "Northdale") == "northdale-2"
    Area.objects.create(name="Northdale 2")  # takes "northdale-2"
    assert unique_slug(Area, "Northdale") == "northdale-3"


def test_a_slug_that_only_starts_the_same_does_not_count_as_taken():
    Area.objects.create(name="Northdale East")
    assert unique_slug(Area, "Northdale") == "northdale"


def test_a_queryset_narrows_what_counts_as_taken():
    mine = Area.objects.create(name="Southmoor")
    assert unique_slug(Area.objects.exclude(pk=mine.pk), "Southmoor") == "southmoor"
    assert unique_slug(Area.objects.all(), "Southmoor") == "southmoor-2"


def test_text_with_no_letters_or_digits_uses_the_fallback():
    assert unique_slug(Area, "!!!", fallback="area") == "area"
    Area.objects.create(name="Area")
    assert unique_slug(Area, "", fallback="area") == "area-2"


def test_the_text_is_cut_to_max_length_before_any_number():
    long_name = "a" * 130
    assert unique_slug(Organisation, long_name, max_length=120) == "a" * 120
    Organisation.objects.create(name="First", slug="a" * 120)
    assert unique_slug(Organisation, long_name, max_length=120) == "a" * 120 + "-2"


def test_a_reserved_word_gets_the_suffix_and_is_never_given_out():
    reserved = {"meetings", "calendar"}
    assert unique_slug(Area, "Meetings", reserved=reserved, fallback="panel") == "meetings-panel"
    assert (
        unique_slug(Area, "Meetings", reserved=reserved, fallback="x", reserved_suffix="role")
        == "meetings-role"
    )
    Area.objects.create(name="Meetings panel")
    assert unique_slug(Area, "Meetings", reserved=reserved, fallback="panel") == "meetings-panel-2"


def test_slugs_promised_but_not_yet_saved_count_as_taken():
    assert unique_slug(Area, "Kirklees", taken={"kirklees", "kirklees-2"}) == "kirklees-3"


def test_it_asks_the_database_once_however_many_clash(django_assert_num_queries):
    Area.objects.create(name="Calder")
    for number in range(2, 6):
        Area.objects.create(name=f"Calder {number}")  # calder-2 ... calder-5
    with django_assert_num_queries(1):
        assert unique_slug(Area, "Calder") == "calder-6"


# --- refuse_reserved --------------------------------------------------------------------------


def test_refuse_reserved_names_the_address_in_plain_words():
    with pytest.raises(ValidationError) as refused:
        refuse_reserved("meetings", {"meetings"}, address="/panels/")
    assert refused.value.messages == [
        "The address /panels/meetings/ belongs to another page on this site, so it cannot be "
        "used here. Choose a different address."
    ]


def test_refuse_reserved_lets_other_slugs_through():
    refuse_reserved("meetings-panel", {"meetings"}, address="/panels/")
    refuse_reserved("", {"meetings"}, address="/panels/")


# --- The models that use it keep their slugs --------------------------------------------------


def test_names_become_slugs_as_before():
    assert Area.objects.create(name="Holme Valley").slug == "holme-valley"
    assert Need.objects.create(name="Money & debt").slug == "money-debt"
    assert Organisation.objects.create(name="Open Door CIC").slug == "open-door-cic"


def test_an_editor_set_slug_is_kept():
    assert Area.objects.create(name="Holme Valley", slug="holme").slug == "holme"


def test_a_name_that_slugifies_like_another_gets_a_number_instead_of_failing():
    Organisation.objects.create(name="Mind & Co")
    assert Organisation.objects.create(name="Mind Co").slug == "mind-co-2"


def test_imported_offers_with_the_same_title_get_numbered_slugs():
    OfferPageFactory(title="Talking group", slug="talking-group")
    records = [
        {
            "id": str(uuid.UUID(int=number)),
            "name": "Talking group",
            "description": "A weekly group.",
            "status": "active",
            "organization": {"id": str(uuid.UUID(int=100)), "name": "Mind"},
        }
        for number in (1, 2)
    ]
    importer.offers_import_oruk(data={"contents": records})
    slugs = sorted(OfferPage.objects.filter(title="Talking group").values_list("slug", flat=True))
    assert slugs == ["talking-group", "talking-group-2", "talking-group-3"]
