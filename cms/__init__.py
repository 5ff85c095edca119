"""The site shell every app plugs into: users, organisations, roles, pages and shared tools."""
