"""`python -m snapasset_desktop` runs the CLI (the window when given no command)."""

import sys

from snapasset_desktop.cli import main

sys.exit(main())
