"""factory_boy factories shared by the tests, the demo loader and the benchmark generator."""

from .cms import (
    DEMO_PASSWORD,
    ContentPageFactory,
    OrganisationFactory,
    UserFactory,
    add_page,
    home_page,
)

__all__ = [
    "DEMO_PASSWORD",
    "ContentPageFactory",
    "OrganisationFactory",
    "UserFactory",
    "add_page",
    "home_page",
]
