import sys

from natality.cli import main
from natality.importing.importer import yield_cpu_to_the_dashboard

if sys.argv[1:2] == ["import"]:  # an import while leaders browse runs at a lower CPU priority
    yield_cpu_to_the_dashboard()
sys.exit(main())
