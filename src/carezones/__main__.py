"""``python -m carezones`` runs the command line."""

import sys

from carezones.cli import main

sys.exit(main())
