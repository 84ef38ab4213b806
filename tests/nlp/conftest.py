from __future__ import annotations

import pytest

from nlp.pipeline import IntentModel

APPLICATIONS = ["Salesforce", "Power BI", "SAP", "Jira", "Workday"]
HOSTS = ["web-prod-03", "db01.corp.local", "FS02"]


@pytest.fixture(scope="session")
def model() -> IntentModel:
    """The real model from the default directory ($SERVICEDESK_MODEL_DIR or nlp/model),
    trained from nlp/corpus first if it is not there yet."""
    return IntentModel.load(applications=APPLICATIONS, hosts=HOSTS)
