"""`python -m dashkit` runs the CLI."""

import sys

from dashkit.cli.main import main

sys.exit(main())
