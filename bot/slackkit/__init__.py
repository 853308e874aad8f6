"""What the Slack app (bot/slack/) and the nudge runner (bot/nudges/) both need from Slack,
kept apart from both so neither imports the other:

client.py         the WebClient for SLACK_API_URL, with retries (retries.py) and pacing (pacing.py)
blockkit.py       Block Kit primitives that fit Slack's limits, and `escape`
prompt_blocks.py  the growth prompt the runner sends, and the action ids of its buttons

Arrows run one way: bot/cli.py -> bot/slack/, bot/nudges/ -> bot/slackkit/ -> bot/ladder/
(the domain), storage/.
"""
