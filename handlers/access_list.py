"""`/sd access list [USER|RESOURCE]`: who has access to what through the desk, until when.

Staff list anyone's (a person, a resource, or everyone); others only their own. A name that is
neither a resource, a person the desk knows (`staff:`, `people:`) nor anyone who ever had access
through the desk is answered as such, with the resources to choose from, not as "No current
access for Bogus".
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.access_config import label, label_of, match_resource, name_of, resource_list
from handlers.desk import Desk
from handlers.grants import _what, when
from handlers.lifecycle import Actor, DeskError, Refused
from storage.access import AccessGrant, current_grants
from storage.models import Ticket

USAGE = "Usage: /sd access list [USER|RESOURCE]"


def access_list(session: Session, desk: Desk, actor: Actor, rest: str) -> str:
    words = rest.split()
    if not words or words[0].lower() != "list":
        raise DeskError(USAGE)
    organisation = desk.organisation
    me = name_of(organisation, actor.person.platform, actor.person.user_id, actor.person.groups)
    arg = words[1].lower().lstrip("@") if len(words) > 1 else None
    resource = None
    if arg is not None:
        found = arg in organisation.access.resources and (arg, None) or match_resource(organisation.access,
                                                                                       " ".join(words[1:]))
        resource = found[0] if found else None
    user = None if resource else (arg or (None if actor.staff else me))
    if actor.staff is None and (resource is not None or user != me):
        raise Refused("Sorry, you can only list your own access; support staff can see everyone's.")
    if user is not None and user != me and not _known(session, desk, user):
        raise DeskError(f"'{words[1]}' is neither a resource nor anyone who has had access through the desk. Name a "
                        f"person (e.g. /sd access list tom) or a resource: {resource_list(organisation.access)}.")
    rows = current_grants(session, beneficiary=user, resource=resource)
    if resource:
        scope = label(resource, organisation.access.resources[resource])
    elif user == me:  # the person's own name as the platform gives it (an unlisted Discord user's id is no name)
        scope = label_of(organisation, me) if me in organisation.people or organisation.staff_named(me) \
            else actor.person.display_name
    else:
        scope = label_of(organisation, user) if user else "everyone"
    if not rows:
        return "No one has access through the desk right now." if scope == "everyone" else \
            f"No current access for {scope}."
    lines = [f"  {_what(desk, g)} · {label_of(organisation, g.beneficiary)} · "
             f"{g.state if g.state != 'active' else 'until ' + when(g.expires_at)} · approved by "
             f"{', '.join(g.approvers or []) or '-'} · {session.get(Ticket, g.ticket_id).ref}" for g in rows]
    return f"Current access ({scope}):\n" + "\n".join(lines)


def _known(session: Session, desk: Desk, name: str) -> bool:
    """A person the desk knows, or anyone who ever had access through it (an unlisted user)."""
    organisation = desk.organisation
    if organisation.staff_named(name) is not None or name in organisation.people:
        return True
    return session.execute(select(AccessGrant.id).where(AccessGrant.beneficiary == name).limit(1)).first() is not None
