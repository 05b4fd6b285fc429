"""Closing the window never loses changed scenarios without asking."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from access_app.core.scenarios import load_scenarios


def test_close_asks_before_discarding_changed_scenarios(qtbot, window, tmp_path, monkeypatch):
    answers: list[QMessageBox.StandardButton] = []
    asked: list[str] = []

    def fake_question(parent, title, text, buttons, default):  # noqa: ANN001
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake_question))
    window.confirm_close = True
    # Unchanged scenarios: closing needs no question (reopen the window state afterwards).
    assert not window.has_unsaved_scenarios()
    assert window._may_close() and asked == []

    window.apply(lambda: window.session.duplicate("Status quo"))
    assert window.has_unsaved_scenarios() and window.windowTitle().endswith("*")
    # Cancel keeps the window open and the work in it.
    answers.append(QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked == ["Unsaved scenarios"] and window.isVisible()
    assert len(window.state.scenarios) == 5
    # Save writes the scenarios, then the window closes.
    target = tmp_path / "kept.toml"
    window.state.scenario_file = str(target)
    answers.append(QMessageBox.StandardButton.Save)
    window.close()
    assert not window.isVisible()
    assert [s.name for s in load_scenarios(target)] == [s.name for s in window.state.scenarios]
