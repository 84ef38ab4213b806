"""The impact and urgency phrases that feed the priority matrix (SERVICE-OPERATION.md).

Matched on normalised words by nlp/cues.py; where cues overlap the longest wins.
"""
from __future__ import annotations

IMPACT_PHRASES: dict[str, tuple[str, ...]] = {
    "high": (
        "whole office", "entire office", "everyone", "everybody", "all users", "all staff",
        "all employees", "all of us", "all offices", "whole site", "entire site", "whole building",
        "entire building", "whole floor", "entire floor", "whole company", "entire company",
        "company-wide", "companywide", "across the company", "customers", "clients",
        "customer-facing", "customer facing", "production", "prod", "live site",
        "security exposure", "data leak", "data breach", "leaked", "nobody can", "no one can",
    ),
    "medium": (
        "several of us", "a few of us", "some of us", "several people", "several users",
        "a few people", "a few users", "multiple users", "multiple people", "some users",
        "half the team", "whole team", "entire team", "whole department", "entire department",
    ),
    "low": ("just me", "only me", "only affects me", "just for me", "only for me", "only mine"),
}
URGENCY_PHRASES: dict[str, tuple[str, ...]] = {
    "high": (
        "can't work", "can not work", "unable to work", "can't do my job", "can't do any work",
        "can't do anything", "work is blocked", "blocked from working", "blocking me",
        "blocking us", "blocker", "deadline today", "due today", "by end of day", "by eod",
        "today's deadline", "urgent", "urgently", "asap", "as soon as possible", "emergency",
        "critical", "immediately", "right away", "customers affected", "customers are affected",
        "customers can't", "affecting customers", "outage", "security scare", "phishing",
        "malware", "ransomware", "virus", "hacked", "compromised", "suspicious login",
        "data leak", "data breach", "security exposure", "stolen", "top priority",
        "high priority",
    ),
    "medium": (
        "slow", "slowly", "sluggish", "laggy", "lagging", "intermittent", "intermittently",
        "on and off", "sometimes", "from time to time", "occasionally", "flaky", "degraded",
        "workaround", "work around", "by tomorrow", "tomorrow", "this week", "end of the week",
        "end of week", "by friday", "by monday",
    ),
    "low": (
        "no hurry", "no rush", "not urgent", "not in a hurry", "when you have time",
        "when you get a chance", "whenever you can", "whenever", "low priority", "next week",
        "next month", "at your convenience", "no pressure", "not a big deal", "not critical",
        "not blocking", "not a priority",
    ),
}
