"""Where Slack's OAuth pieces keep their rows: slack-sdk's own SQLAlchemy installation and
state stores, on our database, with their tables created by our migrations (0003).

The tables are described by slack-sdk itself (its build_*_table class methods), on a
MetaData of their own: they are not ours to shape, and forget_person never walks them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

STATE_EXPIRES_SECONDS = 600  # an "Add to Slack" click is good for ten minutes, and only once

SLACK_METADATA = MetaData()
INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    SLACK_METADATA, SQLAlchemyInstallationStore.default_installations_table_name
)
BOTS = SQLAlchemyInstallationStore.build_bots_table(SLACK_METADATA, SQLAlchemyInstallationStore.default_bots_table_name)
OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    SLACK_METADATA, SQLAlchemyOAuthStateStore.default_table_name
)


def installation_store(engine: Engine, client_id: str) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=client_id, engine=engine)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRES_SECONDS, engine=engine)
