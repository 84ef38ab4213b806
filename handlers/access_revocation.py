"""Removing someone's access ("remove Tom's access to Salesforce").

No approval is needed when the beneficiary, their manager (`people:`), staff of the resource's
queue or the resource's owners (the people its `approvers` name, by name or group) ask: removing
access lowers risk and should be quick. Anyone else's request goes to the resource's approvers
like a grant (README, "Access requests"), whether or not the desk has the access on record.

Once it may go ahead, the provisioner removes a grant on record (handlers.provisioners); with
none on record, the resource's team is asked to check and remove any access they find, and
confirms with `/sd revoked ACC-n`.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import approvals, notify, provisioners
from handlers.access_config import GROUP, AccessResource, label, label_of, manager_of, name_of
from handlers.desk import Desk
from storage.access import AccessGrant, AccessRequest, current_grant
from storage.models import Ticket


def revoke(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, resource: AccessResource,
           grant: AccessGrant | None, subject: str) -> str:
    """The removal asked on `ticket`: done at once, or sent for approval. `subject` is the
    request in a sentence (for the approvers' reply). Returns the requester's sentence."""
    request.grant_id = grant.id if grant is not None else None
    if not may_remove(desk, ticket, request, resource):
        request.state = "approval"
        waiting = approvals.request_approval(session, desk, ticket, list(resource.approvers),
                                             beneficiary_id=request.beneficiary)
        return f"{ticket.ref}: {subject} {waiting}"
    request.state = "approved"
    if grant is None:
        return _check_and_remove(session, desk, ticket, request, resource)
    already = removing(session, request)
    provisioners.carry_out(session, desk, ticket, request, resource)
    return f"{ticket.ref}: no approval needed. {removal_text(desk, request, already)}"


def approved(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, resource: AccessResource) -> None:
    """The approvers agreed to the removal: the provisioner removes it (or the team checks)."""
    if request.grant_id is None:
        grant = current_grant(session, resource=request.resource, beneficiary=request.beneficiary)
        if grant is None:
            notify.requester(session, desk, ticket, event="provisioning",
                             text=_check_and_remove(session, desk, ticket, request, resource))
            return
        request.grant_id = grant.id  # given since the request was made
    already = removing(session, request)
    provisioners.carry_out(session, desk, ticket, request, resource)
    if request.state == "revoking":
        notify.requester(session, desk, ticket, event="provisioning", text=removal_text(desk, request, already))


def may_remove(desk: Desk, ticket: Ticket, request: AccessRequest, resource: AccessResource) -> bool:
    """Whether the requester may have the access removed without approval."""
    organisation = desk.organisation
    requester = name_of(organisation, ticket.requester_platform, ticket.requester_id)
    member = organisation.staff_named(requester)
    return (requester == request.beneficiary or requester == manager_of(organisation, request.beneficiary)
            or (member is not None and member.may_work(resource.queue)) or requester in owners(desk, resource))


def owners(desk: Desk, resource: AccessResource) -> set[str]:
    """The people a resource's approvers name (by name, or in a group); not "manager"."""
    names: set[str] = set()
    for spec in resource.approvers:
        spec = spec.strip()
        if spec.startswith(GROUP):
            names.update(desk.organisation.access.groups.get(spec[len(GROUP):], []))
        elif spec != "manager":
            names.add(spec.lower())
    return names


def removing(session: Session, request: AccessRequest) -> bool:
    """Whether the grant this revocation names is being removed already (the expiry, another request)."""
    grant = session.get(AccessGrant, request.grant_id) if request.grant_id else None
    return grant is not None and grant.state == "revoking"


def removal_text(desk: Desk, request: AccessRequest, already: bool) -> str:
    """For the requester: who removes the access; they hear again when it is done."""
    resource = desk.organisation.access.resources[request.resource]
    who, what = label_of(desk.organisation, request.beneficiary), label(request.resource, resource)
    if already:
        return f"{who}'s access to {what} is already being removed; I'll tell you when it's done."
    if resource.provisioner == "webhook":
        return f"Removing {who}'s access to {what} now; I'll tell you when it's done."
    team = desk.organisation.queues[resource.queue].title
    return f"{team} will remove {who}'s access to {what}; I'll tell you when it's done."


def _check_and_remove(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest,
                      resource: AccessResource) -> str:
    """No access on record: the team checks and removes any; the requester's sentence."""
    who, what = label_of(desk.organisation, request.beneficiary), label(request.resource, resource)
    request.state = "approved"
    notify.queue_channel(session, desk, ticket, event="access_task", queue=resource.queue,
                         text=f"{ticket.ref}: please check and remove {who}'s access to {what} "
                              f"(none on record here). When it's done: /sd revoked {ticket.ref}")
    team = desk.organisation.queues[resource.queue].title
    return (f"{ticket.ref}: I have no record of {who} having access to {what}; {team} will check and remove any "
            f"they find.")
