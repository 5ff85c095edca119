"""The charter holds no personal data about the people it serves: its measures are counts.
Its only links to people record which member of staff led, entered or uploaded something.
See ``cms.data_registry``."""

from cms.data_registry import register_staff_links

from .models import Charter, Comparison, Evidence, Reading

register_staff_links(Charter, "lead", why="The member of staff who leads the charter.")
register_staff_links(Reading, "entered_by", why="Which member of staff entered a reading by hand.")
register_staff_links(Evidence, "uploaded_by", why="Which member of staff uploaded evidence.")
register_staff_links(
    Comparison, "entered_by", why="Which member of staff entered outcome figures by hand."
)
