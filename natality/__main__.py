import sys

from natality.cli import entry

sys.exit(entry())
