"""Township geometry: reading any boundary file (``formats``), making it valid, dissolving,
simplifying and turning it into GeoJSON for plotly (``boundaries``). No figures here.

May import: natality.core.
"""
