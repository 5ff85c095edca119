"""Let ``python -m cms.bench`` run the benchmarks."""

from .runner import main

raise SystemExit(main())
