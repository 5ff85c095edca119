"""The offers directory as Open Referral UK (version 3) open data, out and in.

Council directories and service finders read our live offers through the ORUK feed;
editors bring offers in from another directory's ORUK file. Name the module you use:

- ``ids``: which ORUK we speak and the stable ids (UUIDs) our records have in it.
- ``export``: our models as ORUK documents (services, services at locations, places,
  schedules with closures, organisations, taxonomy), public facts only.
- ``query``: what a finder may ask the lists (every parameter the ORUK OpenAPI documents),
  read strictly: a value that cannot be used, or an unknown name, is a 400 naming it.
- ``selectors``: the reads the feed needs (live, public offers filtered as asked; each
  offer at each of its places; one found by id).
- ``views``: the feed itself, a read-only public JSON API open to any origin.
- ``import_file``: an ORUK file as a whole (size limit, JSON, services or not).
- ``import_records``: one service record read into a plan for an offer (its places,
  their own times and its closures included), or refused.
- ``importer``: the service that creates or updates offers from a file, all or none.
- ``admin``: the editors' import page in the Wagtail admin.
"""
