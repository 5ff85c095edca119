"""The soak test (``make soak``): many simulated people reading and writing against gunicorn
on PostgreSQL for minutes, then every write they sent reconciled with the database.

``python -m soak --help`` lists its options. ``driver`` sets the site up, runs everything and
stops it; ``locustfile`` is the people; ``pages`` reads the forms they fill in; ``reconcile``
counts what was saved and prints the figures.
"""
