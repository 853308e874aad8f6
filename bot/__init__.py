"""ladderbot: the career ladder in Slack and the terminal.

Imports run one way (tests/test_contracts.py checks it):

    cli.py -> slack/ (the Bolt app), nudges/ (growth prompts) -> slackkit/ (what both need
    from Slack: client, Block Kit, the prompt message) -> ladder/ (the domain), storage/
"""
