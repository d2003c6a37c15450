"""Out of the app: slide-size images by kaleido (``render``), the meeting pack's slides
(``slides``) and its PPTX/PDF writers and CLI ``pack`` (``pack``).

May import: natality.core, natality.srb, natality.scorecard, natality.births, natality.maps,
natality.compare.
"""
