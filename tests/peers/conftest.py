"""People the peer practice tests share: a supervisor and the peer worker they supervise, in
the suite's organisation (Northdale Health NHS Trust).

``supervisor`` and ``worker`` are Priya Shah and Sam Okafor. A module whose tests need other
names (the acknowledge form's hint must name the worker, not a supervisor who happens to be
called Sam) overrides them with ``make_supervisor`` and ``make_worker``.
"""

import pytest

from tests.factories import PeerWorkerFactory, SupervisorFactory


@pytest.fixture
def make_supervisor(organisation):
    """Make a supervisor, with MFA, in the organisation; other fields as keywords."""

    def make(first_name: str, last_name: str, **kwargs):
        kwargs.setdefault("organisation", organisation)
        return SupervisorFactory(mfa=True, first_name=first_name, last_name=last_name, **kwargs)

    return make


@pytest.fixture
def make_worker(organisation):
    """Make a peer worker in the organisation with these supervisors; ``user`` fields
    (such as ``email``) as keywords."""

    def make(first_name: str, last_name: str, *, supervisors, **user_fields):
        return PeerWorkerFactory(
            organisation=organisation,
            supervisors=supervisors,
            user__first_name=first_name,
            user__last_name=last_name,
            **{f"user__{field}": value for field, value in user_fields.items()},
        )

    return make


@pytest.fixture
def supervisor(make_supervisor):
    return make_supervisor("Priya", "Shah", email="priya@example.org")


@pytest.fixture
def worker(make_worker, supervisor):
    return make_worker("Sam", "Okafor", supervisors=[supervisor])
