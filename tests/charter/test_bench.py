"""The charter's benchmark generator: 30 measures × 24 readings, and the board report timed."""

import pytest

from tests.factories import OrganisationFactory


@pytest.mark.django_db
def test_the_bench_charter_is_made_once_and_its_board_report_is_timed():
    from charter.bench import generate_charter

    OrganisationFactory()
    first = generate_charter(scale=1)
    again = generate_charter(scale=1)
    assert first["charter readings"] == {"created": 720, "total": 720}
    assert again["charter readings"]["created"] == 0
    timing = next(
        value for key, value in again.items() if key.startswith("ms for the board report")
    )
    assert timing["total"] > 0
