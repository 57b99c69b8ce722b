"""Run the CLI as `python -m imvdoc`."""

from imvdoc.cli import main

raise SystemExit(main())
