"""Township birth statistics for county leaders.

Data flows one way: source -> extract -> query -> statistics -> figure -> page. The subpackages
are layers along it (see docs/ARCHITECTURE.md); ``ui`` (the one Streamlit module) and ``cli``
stand on top, and no package imports one above it.
"""

__version__ = "0.1.0"
