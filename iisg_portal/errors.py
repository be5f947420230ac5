class PortalError(Exception):
    """A domain rule was broken; the message is written for the person who tried."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
