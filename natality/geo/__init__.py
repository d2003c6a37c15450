"""Township geometry: reading any boundary file (``formats``), making it valid, dissolving,
simplifying and turning it into GeoJSON for plotly (``boundaries``); the map layers of an
extract version, kept once built: townships at levels of detail and counties dissolved from
them, and the GeoJSON of a region (``layers``). No figures here.

May import: natality.core.
"""
