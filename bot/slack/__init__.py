"""The Bolt app: setup (app.py, deps.py), thin listeners (listeners/), where replies go
(replies.py) and how they look (blocks.py, profile_blocks.py, home.py). Never imports bot.nudges."""
