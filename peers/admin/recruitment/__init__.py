"""HR's side of peer-role recruitment in the Wagtail admin: vacancies (add, edit, publish,
close), each vacancy's pipeline board, each application's page with one view per action
that moves it on, and the recruitment and retention reports for HR's organisation.

Everything is scoped: a vacancy or application of another organisation is a 404, as if it
did not exist. Every change goes through ``peers.services.recruitment``; a refusal is shown
on the form with everything HR typed kept. ``viewsets`` puts the views together, and
``peers/wagtail_hooks.py`` registers them.
"""
