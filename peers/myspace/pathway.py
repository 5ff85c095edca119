"""My space panels for the progression pathway: a worker's level and what is left for the
next one (with their induction while it lasts), and for supervisors and HR the way to the
pathways they may open.

Each panel costs a fixed number of queries whatever the number of competences, evidence or
workers; their counts and the worker's practice minutes are read with the page's other
numbers.
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

    def counts(self, request) -> dict:
        worker = worker_of(request.user)
        return {
            "induction_steps": selectors.induction_items_of(worker),
            "induction_open": selectors.induction_open_items_of(worker),
        }

    def values(self, request) -> dict:
        worker = worker_of(request.user)
        return {
            "practice_minutes": selectors.practice_minutes_of(worker),
            "reached_level_on": selectors.reached_level_on(worker),
        }

    def get_context_data(self, request) -> dict:
        worker = worker_of(request.user)
        steps = self.counted(request, "induction_steps")
        still_open = self.counted(request, "induction_open")
        return {
            "pathway": selectors.pathway_of(
                worker,
                with_history=False,
                practice=self.valued(request, "practice_minutes") or 0,
                reached=self.valued(request, "reached_level_on"),
            ),
            # Shown while it lasts: it has steps and some are not done.
            "induction_steps": steps if still_open else 0,
            "induction_done": steps - still_open,
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

    def _inducting(self, request):
        return selectors.workers_on_pathway_visible_to(request.user).filter(induction_open__gt=0)

    def counts(self, request) -> dict:
        return {
            "workers": selectors.workers_on_pathway_visible_to(request.user),
            "inducting": self._inducting(request),
        }

    def get_context_data(self, request) -> dict:
        return {
            "worker_count": self.counted(request, "workers"),
            "inducting": list(self._inducting(request)[:LISTED]),
            "inducting_count": self.counted(request, "inducting"),
        }


def add_pathway_panels(request, panels):
    panels.extend([YourPathwayPanel(), PathwaysPanel()])
