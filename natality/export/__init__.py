"""Out of the app: slide-size images by kaleido (``render``), figures laid out for a phone and the
portrait image for chat groups (``narrow``), QR codes of a view's URL (``qr``), the meeting pack's slides
(``slides``) and its PPTX/PDF writers and CLI ``pack`` (``pack``).

May import: natality.core, natality.srb, natality.scorecard, natality.births, natality.maps,
natality.compare.
"""
