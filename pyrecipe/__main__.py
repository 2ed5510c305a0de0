"""Allow ``python -m pyrecipe``."""

from pyrecipe.cli import main

raise SystemExit(main())
