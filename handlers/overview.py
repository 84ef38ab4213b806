"""One person's view of the desk (a chat platform's home screen): an end user's open tickets;
for staff, also the open tickets of the queues they work and those assigned to them."""
from __future__ import annotations

from dataclasses import dataclass, field

from handlers.desk import Desk
from handlers.messages import Person
from handlers.organisation import QUEUES
from handlers.views import snapshot
from storage.tickets import list_tickets

LIMIT = 20


@dataclass(frozen=True)
class Overview:
    name: str
    staff: bool
    requested: list[dict] = field(default_factory=list)  # their own open tickets
    assigned: list[dict] = field(default_factory=list)  # staff: open tickets assigned to them
    queue: list[dict] = field(default_factory=list)  # staff: open tickets of their queues, nobody assigned
    queues: tuple[str, ...] = ()


def overview(desk: Desk, person: Person, *, limit: int = LIMIT) -> Overview:
    member = desk.organisation.staff_for(person.platform, person.user_id, person.groups, person.display_name)
    with desk.database.session() as session:
        requested = [snapshot(t) for t in list_tickets(session, requester=(person.platform, person.user_id),
                                                        limit=limit)]
        if member is None:
            return Overview(name=person.display_name, staff=False, requested=requested)
        queues = tuple(QUEUES) if member.works_all_queues() else tuple(member.queues)
        assigned = [snapshot(t) for t in list_tickets(session, assignee=member.name, limit=limit)]
        waiting = [snapshot(t) for t in list_tickets(session, queues=list(queues), limit=limit * 3)
                   if t.assignee is None][:limit] if queues else []
        return Overview(name=member.label, staff=True, requested=requested, assigned=assigned, queue=waiting,
                        queues=queues)
