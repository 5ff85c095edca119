"""Peer work at scale, for the benchmarks: the demo peer worker (Jo, peer@example.org)
with a hundred thousand sessions (a million with ``--big``), so the summary page shows it
reads daily totals, not every session.

Loads the peer work demo first, then tops Jo's sessions up in bulk to the target (with
topics and signposting on a share of them, as real logs have). Counting what exists first
makes it idempotent.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cms.bench.big import register_big_generator, register_dashboard, register_export
from cms.bench.generate import BATCH_SIZE, register_generator
from cms.bench.scenarios import PEER_WORKER, register
from cms.models import Need, OfferPage

from .demo import DEMO_WORKER_EMAIL, load_peers_demo
from .models import PeerWorker, SessionLog
from .models.sessions import Setting
from .services.activity_totals import activity_totals_rebuild

DEMO_WORKER_SESSIONS = 100_000
# Ten times the data (cms.bench.big): a million sessions, all Jo's, so her summary is the
# hardest case and her sessions download is a million rows long.
BIG_DEMO_WORKER_SESSIONS = 1_000_000
SETTINGS = [choice for choice, _ in Setting.choices]


@register_generator
@transaction.atomic
def generate_peer_work(*, scale: int) -> dict:
    load_peers_demo()
    return {"demo peer worker's sessions": _sessions(DEMO_WORKER_SESSIONS)}


@register_big_generator
def generate_big_peer_work() -> dict:
    return {"demo peer worker's sessions": _sessions(BIG_DEMO_WORKER_SESSIONS)}


def _sessions(target: int) -> dict[str, int]:
    worker = PeerWorker.objects.filter(user__email=DEMO_WORKER_EMAIL).first()
    if worker is None:
        return {"created": 0, "total": 0}
    existing = SessionLog.objects.filter(worker=worker).count()
    missing = max(0, target - existing)
    rng = random.Random(100)  # noqa: S311 - bench data, not security
    today = timezone.localdate()
    needs = list(Need.objects.values_list("pk", flat=True))
    offers = list(OfferPage.objects.live().values_list("pk", flat=True))
    topics = SessionLog.topics.through
    signposts = SessionLog.signposted_to.through
    made = 0
    while made < missing:
        batch = [
            SessionLog(
                worker=worker,
                # Spread over the last 13 months, so some fall outside the 12 shown.
                date=today - timedelta(days=rng.randint(0, 395)),
                duration_minutes=rng.choice([30, 45, 60, 90]),
                setting=rng.choice(SETTINGS),
                person_reference=f"B{rng.randint(1, 400):03d}",
                notes="Bench session.",
                created_by_id=worker.user_id,
            )
            for _ in range(min(BATCH_SIZE * 4, missing - made))
        ]
        SessionLog.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        ids = [session.pk for session in batch]
        if needs:
            topics.objects.bulk_create(
                [topics(sessionlog_id=pk, need_id=rng.choice(needs)) for pk in ids[::2]],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )
        if offers:
            signposts.objects.bulk_create(
                [signposts(sessionlog_id=pk, offerpage_id=rng.choice(offers)) for pk in ids[::5]],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )
        made += len(batch)
    if made:
        # Bulk inserts keep no daily totals, and the summary page reads those.
        activity_totals_rebuild(workers=PeerWorker.objects.filter(pk=worker.pk))
    return {"created": made, "total": existing + made}


register("peer-summary", "/peer-work/summary/", users=(PEER_WORKER,))
register_dashboard("peer summary", "/peer-work/summary/", DEMO_WORKER_EMAIL)
register_dashboard("supervision compliance", "/peer-work/supervision/compliance/", "hr@example.org")
register_export("peer sessions CSV", "/peer-work/summary/sessions.csv", DEMO_WORKER_EMAIL)
