import sys

from natality.cli import main

sys.exit(main())
