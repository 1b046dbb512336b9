"""`python -m alexa_local` starts the console."""

import sys

from alexa_local.console import main

sys.exit(main())
