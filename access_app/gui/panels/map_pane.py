"""A map with a title and headline numbers above it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..mapview import MapView


class MapPane(QWidget):
    """Title, headline numbers and a :class:`MapView`, stacked vertically."""

    def __init__(self, title: str = "", parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name or "mapPane")
        self.title = QLabel(title)
        self.title.setObjectName("paneTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.headline = QLabel("")
        self.headline.setObjectName("paneHeadline")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        self.headline.setToolTip("Demand-weighted headline numbers of this scenario")
        self.view = MapView(self)
        self.view.setObjectName(f"{self.objectName()}View")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.headline)
        lay.addWidget(self.view, 1)

    def set_text(self, title: str, headline: str) -> None:
        """Set the title and the headline line (plain text)."""
        self.title.setText(title)
        self.headline.setText(headline)
