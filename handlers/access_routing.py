"""Access to something that is not one of `access.resources`: which team it goes to, and passing it on.

The request goes to the team whose thing it is (SERVICE-OPERATION.md, "Rules of thumb"): access
to an application or a role inside it to `application`; to infrastructure (shares, groups,
servers, networks, cloud accounts, infrastructure databases, the mail system) to `technical`;
physical access to data centres and server rooms, and access to operations tools (backup
console, scheduler, monitoring) to `operations`. In that order of evidence: an application the
organisation names (`nlp.applications`: "the Jira project ABC"), a host it names (`nlp.hosts`),
then words for operations tools or places, infrastructure, applications. Words that say none of
these leave the ticket where intake's model filed it. The team handles the request as written,
approval included, by hand; the requester is told which team has it.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from handlers import notify
from handlers.desk import Desk
from storage import audit
from storage.access import AccessRequest
from storage.models import Ticket
from storage.tickets import add_comment

_OPERATIONS = re.compile(
    r"\b(?:backups?|backup console|restores? console|(?:job )?schedul\w*|batch jobs?|cron|control-?m|monitoring|"
    r"grafana|nagios|zabbix|datadog|prometheus|alert ?manager|data ?cent(?:re|er)s?|datacent(?:re|er)s?|"
    r"server ?rooms?|comms? rooms?|racks?|cages?|print (?:queues?|servers?)|loading bay)\b", re.I)
_TECHNICAL = re.compile(
    r"\b(?:shares?|shared (?:drive|folder)s?|network (?:drive|folder)s?|file ?shares?|folders?|drives?|"
    r"(?:ad|security|distribution|mail(?:ing)?|unix|ldap) (?:groups?|lists?)|active directory|ldap|directory|"
    r"vpn|wi-?fi|networks?|firewalls?|servers?|vms?|virtual machines?|hosts?|aws|azure|gcp|cloud accounts?|"
    r"s3|buckets?|kubernetes|k8s|clusters?|databases?|db|ssh|sudo|root|domain admin|mailbox(?:es)?|"
    r"certificates?|storage)\b", re.I)
_APPLICATION = re.compile(
    r"\b(?:apps?|applications?|wiki|repo(?:sitor(?:y|ies))?|crm|erp|hr (?:portal|system)|payroll|"
    r"portal|dashboards?|licen[cs]es?|workspace|channel|board)\b", re.I)


def queue_for(desk: Desk, words: str) -> str | None:
    """The queue of access to what `words` name (None: nothing says which)."""
    nlp = desk.organisation.nlp
    if _names(nlp.applications, words):
        return "application"
    if _names(nlp.hosts, words):
        return "technical"
    for queue, pattern in (("operations", _OPERATIONS), ("technical", _TECHNICAL), ("application", _APPLICATION)):
        if pattern.search(words):
            return queue
    return None


def pass_on(session: Session, desk: Desk, ticket: Ticket, request: AccessRequest, wanted: str,
            detail: str | None = None) -> str:
    """Access to something that is not a configured resource: the team of the thing handles it as
    written, approval included; the requester is told so. Returns their sentence."""
    now = desk.clock.now()
    request.state, request.asking, request.asked_at = "passed", None, None
    if detail:
        add_comment(session, ticket=ticket, author=ticket.requester_name, visibility="public", body=detail, at=now)
    audit.record(session, actor="desk", action="access_passed_on", ticket=ticket, field="resource", after=wanted,
                 reason="not one of the configured access resources", at=now)
    queue = queue_for(desk, f"{wanted} {detail or ''}")
    if queue is not None and queue != ticket.queue:
        audit.record(session, actor="desk", action="set_queue", ticket=ticket, field="queue", before=ticket.queue,
                     after=queue, reason=f"access to {wanted}", at=now)
        ticket.queue = queue
    team = desk.organisation.queues[ticket.queue].title
    added = f" They added: \"{detail}\"." if detail else ""
    notify.queue_channel(session, desk, ticket, event="access_task",
                         text=f"{ticket.ref}: access to {wanted} isn't something the desk arranges, so it's yours as "
                              f"written (approval too, by hand): \"{ticket.title}\".{added} When it's done: "
                              f"/sd resolve {ticket.ref} TEXT")
    return (f"{wanted[:1].upper()}{wanted[1:]} isn't one of the resources I arrange myself, so I've passed "
            f"{ticket.ref} to {team} as you wrote it; they'll take it from here.")


def _names(names: list[str], words: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", words, re.IGNORECASE) for name in names)
