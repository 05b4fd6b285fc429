"""Qt-free application session: what the user has loaded and chosen (:mod:`.session`)."""
