"""What the charter's tests share: HR (who keep charters), signed in, and a published
charter of their organisation."""

from datetime import date

import pytest

from tests.conftest import sign_in
from tests.factories import CharterFactory


@pytest.fixture
def hr(make_person):
    return make_person("hr")


@pytest.fixture
def hr_client(client, hr):
    return sign_in(client, hr)


@pytest.fixture
def charter(organisation):
    return CharterFactory(organisation=organisation, adopted_on=date(2024, 4, 1), published=True)
