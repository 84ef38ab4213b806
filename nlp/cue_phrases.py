"""The impact and urgency phrases that feed the priority matrix (SERVICE-OPERATION.md).

Matched on normalised words by nlp/cues.py; where cues overlap the longest wins. RULE_WORDS holds
the words of the situation rules in nlp/priority.py (security exposures, data-centre failures,
customers hit, imminent deadlines: see there what counts and what does not); CANCEL_PHRASES
("no customers affected") switch off the cues inside them.
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
        "whole warehouse", "entire warehouse", "whole branch", "entire branch", "whole store",
        "whole plant", "whole factory", "all branches", "all stores", "all sites",
        "whole head office", "entire head office", "whole hq", "entire hq",
        "whole headquarters", "every customer", "each customer", "any customer", "every client",
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
        "can't do anything", "can't get any work done", "can't get anything done",
        "can't use my computer", "can't use my laptop", "can't use my pc", "can't use my machine",
        "can't use my desktop", "can't use my mac", "unable to use my computer",
        "unable to use my laptop", "unable to use my pc", "work is blocked", "blocked from working",
        "blocking me", "blocking us", "blocker", "deadline today", "due today", "by end of day",
        "by eod",
        "today's deadline", "urgent", "urgently", "asap", "as soon as possible", "emergency",
        "critical", "immediately", "right away", "customers affected", "customers are affected",
        "is unreachable", "are unreachable", "completely unreachable", "not reachable at all",
        "customers can't", "affecting customers", "outage", "security scare", "phishing",
        "malware", "ransomware", "virus", "hacked", "compromised", "suspicious login",
        "data leak", "data breach", "security exposure", "stolen", "top priority",
        "high priority", "within the hour", "within an hour", "within the next hour",
        "in the next hour", "in half an hour", "in an hour's time",
        # a fire or electrical hazard is urgent even for one person
        "caught fire", "on fire", "flames", "burning smell", "smell of burning", "smells burnt",
        "sparks", "sparking", "sparked", "electric shock", "smoke coming", "smoke from",
        "is smoking", "are smoking", "started smoking", "literally smoking",
    ),
    "medium": (
        "slow", "slowly", "sluggish", "laggy", "lagging", "intermittent", "intermittently",
        "on and off", "sometimes", "from time to time", "occasionally", "flaky", "degraded",
        "workaround", "work around", "by tomorrow", "tomorrow", "this week", "end of the week",
        "end of week", "by friday", "by monday",
    ),
    "low": (
        "no hurry", "no rush", "not urgent", "not in a hurry", "when you have time",
        "when you get a chance", "whenever you can", "whenever you get a chance",
        "whenever you get to it", "whenever you have time", "whenever you have a moment",
        "whenever convenient", "whenever it suits", "small thing", "minor thing", "nothing urgent",
        "it can wait", "low priority", "next week",
        "next month", "at your convenience", "no pressure", "not a big deal", "not critical",
        "not blocking", "not a priority",
    ),
}

# Impact or urgency cues inside these words do not count ("customers are not affected"; but
# "no customers can pay" is customers affected).
CANCEL_PHRASES: tuple[str, ...] = tuple(
    [f"{who} {be}{hit}" for who in ("no customers", "no clients") for be in ("", "are ", "were ")
     for hit in ("affected", "impacted", "hit")]
    + [f"{who} {be}not {hit}" for who in ("customers", "clients") for be in ("", "are ", "were ")
       for hit in ("affected", "impacted", "hit")]
    + ["no customer impact", "no impact to customers", "no client impact"]
    + ["not affecting customers", "not customer-facing", "not customer facing",
       "nothing customer facing", "nothing customer-facing", "no impact on customers",
       "not in production", "not production", "not prod", "not in prod", "not on prod",
       "production is fine", "prod is fine",
       "production is not affected", "prod is not affected", "no production impact",
       "not a data leak", "no data leak", "not a data breach", "no data breach",
       "not a security exposure", "no malware", "no virus", "no viruses", "no ransomware",
       "not a virus", "not malware", "not hacked", "not been hacked", "not compromised",
       "not been compromised", "not phishing", "not a phishing", "virus free", "malware free",
       "no threats", "virus scan", "malware scan", "virus protection",
       "malware protection", "phishing training", "phishing test", "phishing simulation",
       "phishing awareness", "phishing course", "phishing exercise"]
)

# Imminent deadlines: "in 10 minutes", "in one hour", "within 2 hrs" (a few hours at most).
_COUNTS = {
    "minutes": [str(n) for n in range(1, 91)] + [
        "a few", "a couple of", "five", "ten", "fifteen", "twenty", "thirty", "forty", "forty-five",
    ],
    "hours": [str(n) for n in range(1, 6)]
    + ["a", "an", "one", "two", "three", "a couple of", "1.5"],
}
_TIME_UNITS = {
    "minutes": ("minutes", "minute", "mins", "min", "m"),
    "hours": ("hours", "hour", "hrs", "hr", "h"),
}


def imminent_phrases() -> list[str]:
    """'in 10 minutes', 'in 10mins', 'within two hours', 'in the next 30 min' ..."""
    found = []
    for kind, counts in _COUNTS.items():
        for count in counts:
            for unit in _TIME_UNITS[kind]:
                for lead in ("in", "within", "in the next", "within the next"):
                    found.append(f"{lead} {count} {unit}")
                    if count.isdigit():
                        found.append(f"{lead} {count}{unit}")
    return found


def deadline_phrases() -> list[str]:
    """A deadline later today: 'by 5pm', 'before 17:00', 'by noon', 'by tonight' (nlp/priority.py
    keeps the ones near an EVENT word and not followed by a later day: 'by 5pm tomorrow')."""
    times = [f"{h}{sep}{ampm}" for h in range(1, 13) for sep in ("", " ")
             for ampm in ("pm", "am", "p.m.", "a.m.", "o'clock")]
    times += [f"{h}:{m}{sep}{ampm}" for h in range(1, 13) for m in ("00", "15", "30", "45")
              for sep in ("", " ") for ampm in ("pm", "am", "")]
    times += [f"{h:02d}:{m}" for h in range(7, 24) for m in ("00", "15", "30", "45")]
    times += ["noon", "midday", "lunch", "lunchtime", "tonight", "close of business", "cob",
              "the end of today", "end of today", "the end of the day today"]
    return [f"{lead} {time}" for lead in ("by", "before") for time in times]


# Word lists for the rules in nlp/cues.py, one PhraseMatcher label each (matched on NORM).
_ACCOUNT = ("account", "accounts", "mailbox", "email", "e-mail", "inbox", "outlook", "login",
            "o365", "office 365", "m365", "microsoft account", "google account")
_DEVICE = ("laptop", "laptops", "phone", "phones", "mobile", "mobile phone", "iphone", "ipad",
           "tablet", "computer", "macbook", "notebook", "pc", "smartphone", "usb stick",
           "usb drive", "usb key", "memory stick", "flash drive", "thumb drive", "hard drive",
           "external drive", "hard disk", "external disk", "yubikey", "security key", "work phone",
           "work laptop")
_SENSITIVE = ("payslip", "payslips", "pay slip", "pay slips", "salary", "salaries", "pay",
              "paycheck", "medical", "health", "bank details", "appraisal", "appraisals",
              "performance review", "performance reviews", "passport", "tax", "p60", "w2", "ssn",
              "personal data", "personal details", "personal information", "personal info",
              "home address", "credit card", "card details", "card numbers", "contract",
              "contracts", "confidential", "customer data", "customer list", "patient", "patients",
              "hr file", "hr files", "social security")
_DATA = ("data", "details", "records", "record", "file", "files", "information", "info",
         "emails", "email", "mails", "mailbox", "documents", "document", "orders", "order",
         "invoices", "invoice", "profile", "profiles", "timesheet", "timesheets", "expenses",
         "messages", "addresses", "phone numbers", "accounts", "account", "bookings")
_CREDENTIALS = ("password", "passwords", "passwd", "credentials", "creds", "login details",
                "log in details", "username and password", "mfa code", "2fa code", "code",
                "one-time code", "verification code", "otp", "pin", "remote access",
                "remote control", "anydesk", "teamviewer", "mfa", "2fa", "mfa prompt",
                "authenticator", "api key", "api keys", "secret", "secrets", "token", "tokens",
                "access key", "access keys", "private key", "ssh key")
RULE_WORDS: dict[str, tuple[str, ...]] = {
    "CLAUSE_END": (".", "!", "?", ";", "\n", "\n\n", "\n\n\n", " \n", "\n "),
    # a deadline later today (high urgency); "today" words need an EVENT nearby
    "DEADLINE": tuple(deadline_phrases()),
    "TODAY": ("is today", "are today", "is due today", "today at", "later today", "this afternoon",
              "this evening", "tonight", "today before", "today by", "in the afternoon today"),
    "LATER_DAY": ("tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday", "next", "on the", "weekend", "of next"),
    "EARLIER": ("since", "from", "until", "after", "before", "last", "yesterday", "earlier"),
    "TEAM_MODIFIER": ("member", "members", "lead", "leader", "leads", "manager", "channel", "site",
                      "drive", "folder", "mailbox", "calendar", "space", "page", "chat", "account",
                      "'s", "name", "meeting", "lunch", "event", "budget"),
    # a leak: data shown to someone who should not see it
    "FORBIDDEN_SEE": ("not supposed to see", "not supposed to be able to see",
                      "not supposed to have access", "should not see", "should not be able to see",
                      "should not have access to", "should not be seeing", "not meant to see",
                      "not allowed to see", "not authorised to see", "not authorized to see",
                      "should not be visible", "not supposed to be visible",
                      "should never see", "not meant to be visible"),
    # reported as exposures by themselves (unless negated or hypothetical)
    "EXPOSURE": ("data leak", "data breach", "security breach", "security exposure",
                 "account takeover", "ransom note", "cryptolocker",
                 "identity theft", "we have been breached", "we were breached", "we got breached",
                 "files are encrypted", "files encrypted", "encrypted all", ".locked"),
    "MALWARE": ("malware", "ransomware", "ransom", "virus", "viruses", "trojan", "trojans",
                "spyware", "keylogger", "rootkit", "infected", "infection", "malicious software",
                "malicious file", "malicious program", "malicious code", "cryptominer",
                "crypto miner", "backdoor", "worm"),
    "NOT_THREAT": ("scan", "scans", "scanner", "scanning", "protection", "software", "definitions",
                   "signatures", "training", "course", "policy", "licence", "license", "update",
                   "updates", "check", "checker", "awareness", "simulation", "test", "filter",
                   "removal", "free"),
    "SCAN": ("scan", "scanned", "scanning", "check", "checked", "checking", "test", "tested",
             "look", "looking", "search", "searched", "protected", "protection", "safe"),
    "SICK": ("sick", "ill", "flu", "covid", "cold", "fever", "stomach", "off work", "doctor"),
    "COMPROMISED": ("hacked", "compromised", "hijacked", "taken over", "broken into"),
    "NOT_COMPROMISE": ("together", "around", "up", "away", "on"),
    "OWNED": _ACCOUNT + _DEVICE + ("password", "passwords", "credentials", "machine", "mac",
                                   "device", "server", "servers", "system", "systems",
                                   "website", "site", "network", "wifi", "i", "me", "we", "us",
                                   "my", "our"),
    "ACTOR": ("someone", "somebody", "someone else", "somebody else", "hacker", "hackers",
              "attacker", "attackers", "stranger", "a stranger", "unknown person", "unknown user",
              "an unknown person", "a third party"),
    "TRUSTED": ("from it", "from the it", "from support", "from your team", "from the service desk",
                "from the helpdesk", "from helpdesk", "from the desk", "in it", "in my team"),
    "ACTOR_FILLER": ("else", "has", "have", "had", "is", "was", "just", "been", "somehow",
                     "apparently", "keeps", "already", "'s", "managed to", "seems to have",
                     "must have", "might have"),
    "INTRUDES": ("logged", "logging", "signed", "signing", "accessed", "accessing", "got into",
                 "broke into", "using", "used", "changed", "reset", "controlling", "took over",
                 "remoted", "logs", "signs", "moving my mouse"),
    "MINE": tuple(f"{who} {what}" for who in ("my", "our") for what in _ACCOUNT + _DEVICE
                  + ("password", "credentials", "machine", "screen", "mouse"))
            + ("as me", "in my name"),
    "SEND": ("sending", "sent", "sends", "send", "sending out", "going out", "emailing", "mailing"),
    "SENT": ("sent", "forwarded", "emailed", "mailed", "shared", "went out", "cc'd", "cced",
             "replied all", "uploaded"),
    "SPAM": ("spam", "phishing", "scam", "junk", "weird emails", "strange emails",
             "dodgy emails", "phishing emails", "spam emails"),
    "DISOWNED": ("never sent", "did not send", "never wrote", "did not write", "not me",
                 "was not me", "i never", "without me", "not from me"),
    "FROM_MINE": tuple(f"from {who} {what}" for who in ("my", "our", "my work", "my company")
                       for what in _ACCOUNT + ("address", "email address", "email account")),
    "SENDER": tuple(f"my {what} {mid}{verb}" for what in _ACCOUNT + ("address",)
                    for mid in ("", "is ", "was ", "has been ", "keeps ", "'s ", "is still ")
                    for verb in ("sending", "sent")),
    "HANDOVER": ("entered", "typed", "typed in", "put in", "gave", "given", "submitted", "provided",
                 "filled in", "filled out", "shared", "told", "read out", "approved", "accepted",
                 "keyed in", "installed", "allowed", "let", "handed over"),
    "LOGGED_IN": ("logged in", "signed in", "logged into", "signed into", "logged on",
                  "logged in there", "signed on"),
    "CREDENTIALS": _CREDENTIALS,
    "SCAM": ("phishing", "phish", "phishy", "fake", "scam", "scammer", "scammers", "scammy",
             "suspicious", "spoofed", "spoof", "fraudulent", "fraud", "fraudster", "dodgy",
             "bogus", "pretending", "pretended", "impersonating", "posing as", "not legit",
             "not legitimate", "was not real", "turned out", "malicious", "hacker",
             "lookalike", "look-alike", "not really", "claiming to be", "claimed to be",
             "said he was from", "said she was from", "said they were from", "unexpected",
             "did not request", "did not initiate", "was not me", "random"),
    "LOSS": ("lost", "stolen", "stole", "nicked", "misplaced", "missing", "can not find",
             "cannot find", "could not find", "theft", "theft of", "snatched", "left",
             "taken", "gone", "pinched"),
    "ROBBED": ("robbed", "burgled", "mugged", "broken into", "break-in", "burglary", "theft",
               "pickpocketed", "pickpocket"),
    "DEVICE": _DEVICE,
    "DEVICE_FILLER": ("my", "our", "the", "a", "an", "his", "her", "their", "work", "company",
                      "corporate", "personal", "business", "office", "new", "old", "colleague",
                      "'s", "boss", "manager", "of", "both", "its", "whole", "entire", "issued",
                      "company-issued", "encrypted", "dell", "hp", "lenovo", "thinkpad", "apple",
                      "samsung", "android", "surface", "mac"),
    "ACCESSORY": ("charger", "charging", "cable", "cables", "case", "cover", "sleeve", "stand",
                  "adapter", "adaptor", "power", "mouse", "dock", "docking", "pen", "stylus",
                  "headset", "headphones", "keyboard", "sticker", "lock", "password", "pin",
                  "passcode", "connection", "signal", "number", "screen", "battery", "bag",
                  "backpack", "holder", "mount", "key", "settings", "data", "wifi", "network",
                  "access", "sound", "display", "contract", "plan", "bill", "camera"),
    "PASSIVE": ("was", "were", "is", "are", "got", "get", "gets", "been", "'s", "just",
                "apparently", "probably", "maybe", "now", "today", "has been", "have been"),
    "PUBLIC_PLACE": ("train", "taxi", "cab", "bus", "plane", "flight", "uber", "tram", "airport",
                     "station", "restaurant", "bar", "pub", "hotel", "metro", "subway", "tube",
                     "cafe", "coffee shop", "car park", "street", "park", "conference",
                     "gym", "shop", "store", "underground"),
    "FOUND": ("found it", "found it again", "turned up", "has been found", "was found",
              "found my", "it is back", "got it back"),
    "OTHERS": ("someone else 's", "somebody else 's", "another person 's", "another employee 's",
               "another user 's", "another customer 's", "another client 's", "another patient 's",
               "another colleague 's", "other people 's", "other employees '", "other users '",
               "other customers '", "other clients '", "other patients '", "other people",
               "other employees", "other customers", "other clients", "other patients",
               "other users", "other staff", "other staff 's", "a different person 's",
               "a different employee 's", "the wrong person 's", "someone else", "somebody else",
               "another person", "another employee", "another customer", "everyone else 's",
               "another company 's", "everyone 's"),
    "OTHERS_WEAK": ("colleague 's", "coworker 's", "co-worker 's", "manager 's", "boss 's",
                    "ceo 's", "a customer 's", "a client 's", "a patient 's", "a colleague 's"),
    "SENSITIVE": _SENSITIVE,
    "DATA": _DATA + _SENSITIVE,
    "SEEN": ("see", "seeing", "saw", "seen", "shows", "showing", "shown", "show", "visible",
             "displayed", "displaying", "display", "displays", "appears", "appearing",
             "appeared", "pops up", "popped up", "came up", "comes up", "got", "received",
             "receiving", "sent me", "view", "viewing", "opened", "open", "pulled up", "loads",
             "loaded", "in my", "instead of mine", "instead of my", "read", "access"),
    "REQUEST": ("need", "needs", "want", "wants", "give", "grant", "request", "requesting",
                "can i", "could i", "may i", "how do i", "how can i", "how to", "is there a way",
                "delegate", "allow", "please", "should be able", "can you", "could you",
                "show me", "let me", "make"),
    "LINKISH": ("link", "page", "site", "website", "form", "url", "the email", "portal", "it"),
    "PUBLIC": ("publicly", "public link", "public repo", "public repository", "public github",
               "public channel", "open to the internet", "exposed to the internet",
               "open to everyone", "visible to everyone",
               "accessible to everyone", "available to everyone", "anyone with the link",
               "pastebin", "exposed", "leaked", "public bucket", "world-readable",
               "world readable", "is public", "are public", "made public", "went public"),
    "POSTED": ("posted", "pasted", "committed", "pushed", "published", "uploaded", "put",
               "typed", "shared", "sent", "tweeted"),
    "POSTED_WHERE": ("public", "github", "gitlab", "repo", "repository", "channel", "chat",
                     "slack", "teams", "forum", "internet", "online", "twitter", "pastebin",
                     "stack overflow", "stackoverflow", "everyone", "all staff", "general"),
    "SECRET": _CREDENTIALS + _SENSITIVE + ("data", "records", "bucket", "spreadsheet", "database",
                                           "backup", "backups", "keys", "key", "files", "folder",
                                           "share", "documents", "details", "list"),
    "WRONG_TO": ("to the wrong", "wrong recipient", "wrong recipients", "to the whole company",
                 "to all staff", "to everyone", "to an external", "outside the company",
                 "to a personal email", "to my personal email", "to the wrong person",
                 "to the wrong people", "to a customer", "to all customers",
                 "to the entire company", "to external"),
    # the data centre: everything hosted there is affected
    "FACILITY": ("data centre", "data center", "datacentre", "datacenter", "data - centre",
                 "data - center", "server room", "server rooms", "comms room", "machine room",
                 "computer room", "equipment room", "colo", "colocation", "dc hall", "server hall"),
    "FACILITY_PART": ("power", "cooling", "air conditioning", "air conditioner", "air con",
                      "air - con", "aircon", "a / c", "ac", "hvac", "crac", "chiller", "chillers",
                      "ups", "generator", "generators", "temperature",
                      "electricity", "mains", "power supply", "climate control", "fans",
                      "aircons", "ac unit", "ac units", "cooling unit", "cooling units",
                      "temperatures", "batteries"),
    "FACILITY_FAILED": ("failed", "fails", "failing", "failure", "down", "out", "outage", "off",
                        "lost", "broke", "broken", "not working", "does not work", "stopped",
                        "tripped", "dead", "gone", "died", "alarm", "alarms", "alarming",
                        "beeping", "on battery", "overheating", "too hot", "rising", "cut",
                        "blackout", "shut down", "shutting down", "went off", "faulty",
                        "is off", "fault", "high", "climbing", "degrees", "did not start",
                        "did not kick in", "would not start", "will not start", "did not come back",
                        "not come back", "did not switch over", "on fire"),
    "FACILITY_DISASTER": ("fire", "on fire", "smoke", "smoking", "flood", "flooded", "flooding",
                          "water leak", "water leaking", "water coming", "overheating",
                          "too hot", "blackout", "power cut", "power outage", "lost power",
                          "no power", "burning smell", "smell of burning", "burning", "sprinklers", "melting", "no cooling",
                          "no ac", "no air conditioning", "no aircon", "no air con"),
    "NOT_DISASTER": ("detector", "detectors", "sensor", "sensors", "alarm", "suppression",
                     "extinguisher", "extinguishers", "door", "doors", "exit", "drill", "safety",
                     "marshal", "panel", "certificate", "inspection"),
    "SINCE": ("since", "after", "since the", "after the", "during the"),
    "ONE_RACK": ("rack", "pdu", "pdus", "one server", "a server", "single server", "a switch",
                 "socket", "sockets", "power strip", "one of the racks"),
    "PLANNED": ("planned", "scheduled", "maintenance", "test", "testing", "drill", "next week",
                "tomorrow", "install", "installing", "move", "moving", "quote", "decommission",
                "upgrade", "would like", "audit", "inspection", "annual", "power off", "switch off",
                "turn off", "shut down the", "power down the"),
    # customers hit by a failure are customers affected
    "CUSTOMERS": ("customers", "clients", "customer-facing", "customer facing", "shoppers",
                  "the public", "every customer", "each customer", "any customer",
                  "every client"),
    "TECH_CLIENT": ("vpn", "email", "mail", "thin", "zero", "citrix", "sccm", "dhcp", "ssh", "ftp",
                    "sftp", "desktop", "mobile", "windows", "mac", "api", "rdp", "wifi",
                    "wireless", "vnc", "outlook", "teams", "java", "web", "ntp", "dns", "nfs",
                    "smb", "torrent", "mdm", "intune", "slack", "zoom", "git", "oracle", "sap",
                    "jira", "test", "bi", "backup", "db", "database"),
    "FAILING": ("error", "errors", "erroring", "fail", "fails", "failing", "failed", "failure",
                "failures", "can not", "could not", "unable", "down", "broken", "not working",
                "does not work", "do not work", "did not work", "will not load", "not loading",
                "would not load", "crash", "crashes", "crashing", "crashed", "500", "502", "503",
                "504", "timeout", "timeouts", "timing out", "time out", "blank page",
                "locked out", "outage", "charged twice", "double charged", "declined",
                "rejected", "bouncing", "bounced", "stuck", "nothing works", "are getting an",
                "are seeing an", "is down", "are down", "offline"),
    "CUSTOMER_ASK": ("can we", "could we", "would like", "feature request", "suggestion",
                     "would be nice", "please add", "please change", "how do i", "how can i",
                     "we want", "wish", "idea", "nice to have", "can you add", "could you add",
                     "is it possible"),
    # what a deadline "in 10 minutes" is for (not "battery went to 0 in twenty minutes")
    "EVENT": ("meeting", "meetings", "call", "demo", "presentation", "present", "presenting",
              "standup", "stand-up", "webinar", "workshop", "session", "interview", "class",
              "lesson", "lecture", "kids", "students", "pupils", "training", "deadline", "due",
              "starts", "start", "starting", "begins", "begin", "arriving", "arrive", "exam",
              "event", "conference", "launch", "go-live", "go live", "going live", "flight",
              "pitch", "appointment", "planning", "review", "board", "audit", "submission",
              "submit", "filing", "release", "cutoff", "cut-off", "closes", "need it", "needed",
              "have to", "must", "leave", "leaving", "boarding", "broadcast", "shift", "opens",
              "doors open", "guests", "visitors", "patients", "clinic", "surgery", "shop opens",
              "store opens", "payroll run", "is in", "kick-off", "kickoff", "all-hands",
              "town hall", "quarter end", "quarter-end", "month end", "month-end", "year end",
              "year-end", "closing", "payday", "sign", "send", "finish", "hand in", "tender",
              "go out", "goes out", "ship", "has to", "needs to", "need to"),
}
