"""Let ``python -m soak`` run the soak test."""

from .driver import main

raise SystemExit(main())
