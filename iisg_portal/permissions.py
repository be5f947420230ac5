"""Who may: the check a service makes of its actor, so that every door (page, API, task, command, admin) gets
the same answer. Views check again only to choose 403 or 404 before calling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iisg_portal.errors import PortalError

if TYPE_CHECKING:
    from partners.models import User


def actor_require(actor: User | None, perm: str, message: str, *, system: bool = False) -> None:
    """Refuse with PortalError(`message`) an actor without the global permission `perm`.

    `actor` None is the portal itself (a scheduled task, a command run as no one, a seed): it passes only where
    the service lets the system act (`system=True`). Any person, signed in or not, needs the permission.
    """
    if actor is None:
        if not system:
            raise PortalError(message)
        return
    if not actor.has_perm(perm):
        raise PortalError(message)
