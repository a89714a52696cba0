import sys

from pexlogs.cli import main

sys.exit(main())
