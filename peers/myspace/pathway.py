"""My space panels for the progression pathway: a worker's level and what is left for the
next one (with their induction while it lasts), and for supervisors and HR the way to the
pathways they may open.

Each panel costs a fixed number of queries whatever the number of competences, evidence or
workers.
"""

from cms.myspace import MySpacePanel
from cms.permissions import can

from ..rules import worker_of
from ..selectors import progression as selectors

LISTED = 5


class YourPathwayPanel(MySpacePanel):
    """For peer workers: their level, what the next level still needs, their induction."""

    name = "pathway_yours"
    heading = "Your progression"
    order = 34
    template_name = "peers/myspace/pathway_yours.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.view_pathway", worker_of(request.user))

    def get_context_data(self, request) -> dict:
        worker = worker_of(request.user)
        return {
            "pathway": selectors.pathway_of(worker),
            "induction": selectors.induction_of(worker),
        }


class PathwaysPanel(MySpacePanel):
    """For supervisors and HR: the workers whose pathways they may open, and inductions
    still under way."""

    name = "pathway_workers"
    heading = "Progression and induction"
    order = 36
    template_name = "peers/myspace/pathway_workers.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.list_pathways")

    def get_context_data(self, request) -> dict:
        workers = selectors.workers_on_pathway_visible_to(request.user)
        inducting = workers.filter(induction_open__gt=0)
        return {
            "worker_count": workers.count(),
            "inducting": list(inducting[:LISTED]),
            "inducting_count": inducting.count(),
        }


def add_pathway_panels(request, panels):
    panels.extend([YourPathwayPanel(), PathwaysPanel()])
