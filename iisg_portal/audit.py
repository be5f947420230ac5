import pghistory


def audited(actor, action: str):
    """Context for every write: audit events recorded inside it name the actor and the service."""
    return pghistory.context(user=getattr(actor, "pk", None), action=action)
